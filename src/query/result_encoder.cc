#include "query/result_encoder.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <span>

#include "query/json_text.h"

namespace pgmcp::query {
namespace {

// The largest tail we may still have to write: `],"row_count":<19 digits>,"truncated":false}`.
constexpr size_t kTailReserve = 64;

// Bytes reserved for the document up front (or max_result_bytes when smaller).
constexpr int64_t kInitialReserve = 4096;

// What the encoder reads as text: a column of the result that the query does not describe.
const schema::ColumnType& TextColumn() {
  static const schema::ColumnType type;  // TypeCategory::kOther
  return type;
}

// The start of the result's JSON up to its first row, naming `names(j)` for j < `count`.
template <typename Names>
void AppendHeader(size_t count, const Names& names, std::string& out) {
  out.append("{\"columns\":[");
  for (size_t j = 0; j < count; ++j) {
    if (j > 0) out.push_back(',');
    AppendJsonString(names(j), out);
  }
  out.append("],\"rows\":[");
}

}  // namespace

OutputColumns::OutputColumns(std::vector<OutputColumn> columns) {
  auto shared = std::make_shared<Shared>();
  shared->columns = std::move(columns);
  const auto& made = shared->columns;
  AppendHeader(made.size(), [&](size_t j) -> std::string_view { return made[j].name; }, shared->header_json);
  shared_ = std::move(shared);
}

std::string_view OutputColumns::header_json() const {
  return shared_ ? std::string_view(shared_->header_json) : std::string_view("{\"columns\":[],\"rows\":[");
}

ResultEncoder::ResultEncoder(const SqlQuery& query, const QueryOptions& options)
    : query_(query), options_(options), values_(options) {}

void ResultEncoder::WriteHeader(const database::Rows* rows) {
  header_written_ = true;
  const size_t described = query_.columns.size();
  const size_t fields = rows != nullptr ? static_cast<size_t>(rows->column_count()) : described;
  std::string& out = encoded_.json;
  // One allocation for a small result instead of the string doubling its way up from 15 bytes.
  const int64_t cap = options_.limits.max_result_bytes;
  out.reserve(static_cast<size_t>(cap > 0 && cap < kInitialReserve ? cap : kInitialReserve));
  columns_.assign(fields, Column{&TextColumn(), FastPathFor(TextColumn())});
  cells_.resize(fields);
  for (size_t j = 0; j < fields && j < described; ++j) {
    columns_[j].type = &query_.columns[j].type;
    columns_[j].fast = FastPathFor(query_.columns[j].type);
  }
  if (fields == described) {
    out.append(query_.columns.header_json());
    return;
  }
  AppendHeader(
      fields,
      [&](size_t j) { return j < described ? std::string_view(query_.columns[j].name) : rows->column_name(static_cast<int>(j)); },
      out);
}

bool ResultEncoder::Add(const database::Rows& rows, int index) {
  if (done_) return false;
  if (!header_written_) WriteHeader(&rows);
  const int64_t wanted = query_.limit > 0 ? query_.limit : std::numeric_limits<int64_t>::max();
  if (encoded_.row_count >= wanted) {  // the row past the limit: more rows matched
    encoded_.truncated = true;
    done_ = true;
    return false;
  }
  std::string& out = encoded_.json;
  const size_t row_start = out.size();
  if (encoded_.row_count > 0) out.push_back(',');
  out.push_back('[');
  const int fields = std::min(rows.column_count(), static_cast<int>(columns_.size()));
  rows.ReadRow(index, std::span<database::Cell>(cells_.data(), static_cast<size_t>(fields)));
  AppendValues(static_cast<size_t>(fields), out);
  out.push_back(']');
  const int64_t max_bytes = options_.limits.max_result_bytes;
  if (max_bytes > 0 && static_cast<int64_t>(out.size() + kTailReserve) > max_bytes) {
    out.resize(row_start);  // the row does not fit: cut at the row boundary
    encoded_.truncated = true;
    done_ = true;
    return false;
  }
  ++encoded_.row_count;
  return true;
}

void ResultEncoder::AppendValues(size_t fields, std::string& out) {
  // Room for every value written the fast way, made once: the values are then written through a
  // pointer rather than appended piece by piece, and the string is cut to what was written. A
  // value of another shape is appended, and room is made again for the values after it.
  size_t j = 0;
  while (j < fields) {
    size_t room = 0;
    for (size_t k = j; k < fields; ++k) {
      room += 1 + (cells_[k].null ? 4 : cells_[k].text.size() + ValueEncoder::kFastSlack);
    }
    const size_t start = out.size();
    out.resize(start + room);
    char* p = out.data() + start;
    bool appended = false;
    for (; j < fields && !appended; ++j) {
      const Column& column = columns_[j];
      const database::Cell& cell = cells_[j];
      if (j > 0) *p++ = ',';
      if (cell.null) {
        std::memcpy(p, "null", 4);
        p += 4;
      } else if (char* end = values_.WriteFast(column.fast, cell.text, p)) {
        p = end;
      } else {
        out.resize(static_cast<size_t>(p - out.data()));
        values_.Append(*column.type, cell.text, out);
        appended = true;
      }
    }
    if (!appended) out.resize(static_cast<size_t>(p - out.data()));
  }
}

EncodedRows ResultEncoder::Finish(const database::Rows* described) {
  if (!header_written_) WriteHeader(described);
  std::string& out = encoded_.json;
  out.append("],\"row_count\":");
  out.append(std::to_string(encoded_.row_count));
  out.append(",\"truncated\":");
  out.append(encoded_.truncated ? "true}" : "false}");
  return std::move(encoded_);
}

EncodedRows EncodeRows(const database::Rows& result, const SqlQuery& query, const QueryOptions& options) {
  ResultEncoder encoder(query, options);
  for (int i = 0; i < result.row_count() && encoder.Add(result, i); ++i) {
  }
  return encoder.Finish(&result);
}

}  // namespace pgmcp::query

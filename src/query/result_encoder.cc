// Result encoding: the text-format Rows of a SELECT written straight to the JSON text of docs/reference.md, "Results", with the
// row cap (limit + 1 fetched) and the byte cap (cut at a row boundary) applied on the way.
#include "query/json_text.h"
#include "query/query.h"
#include "query/value_encoder.h"

namespace pgmcp::query {
namespace {

// The largest tail we may still have to write: `],"row_count":<19 digits>,"truncated":false}`.
constexpr size_t kTailReserve = 64;

}  // namespace

EncodedRows EncodeRows(const database::Rows& result, const SqlQuery& query, const QueryOptions& options) {
  EncodedRows encoded;
  std::string& out = encoded.json;
  const int rows = result.row_count();
  const int fields = result.column_count();
  const int64_t max_bytes = options.limits.max_result_bytes;

  // Names and types come from the query we built; a column the query does not describe (it
  // cannot happen for our own SQL) is written as text under the server's name.
  std::vector<schema::ColumnType> types(fields);
  out.reserve(static_cast<size_t>(rows) * fields * 12 + 128);
  out.append("{\"columns\":[");
  for (int j = 0; j < fields; ++j) {
    if (j > 0) out.push_back(',');
    if (j < static_cast<int>(query.columns.size())) {
      AppendJsonString(query.columns[j].name, out);
      types[j] = query.columns[j].type;
    } else {
      AppendJsonString(result.column_name(j), out);
      types[j].category = schema::TypeCategory::kOther;
    }
  }
  out.append("],\"rows\":[");

  ValueEncoder encoder(options);
  const int64_t wanted = query.limit > 0 ? query.limit : rows;
  bool truncated = rows > wanted;
  const int to_write = static_cast<int>(std::min<int64_t>(rows, wanted));
  size_t row_start = 0;
  int64_t written = 0;
  for (int i = 0; i < to_write; ++i) {
    row_start = out.size();
    if (i > 0) out.push_back(',');
    out.push_back('[');
    for (int j = 0; j < fields; ++j) {
      if (j > 0) out.push_back(',');
      if (result.IsNull(i, j)) {
        out.append("null");
        continue;
      }
      encoder.Append(types[j], result.Value(i, j), out);
    }
    out.push_back(']');
    if (max_bytes > 0 && static_cast<int64_t>(out.size() + kTailReserve) > max_bytes) {
      out.resize(row_start);  // the row does not fit: cut at the row boundary
      truncated = true;
      break;
    }
    ++written;
  }
  out.append("],\"row_count\":");
  out.append(std::to_string(written));
  out.append(",\"truncated\":");
  out.append(truncated ? "true}" : "false}");
  encoded.row_count = written;
  encoded.truncated = truncated;
  return encoded;
}

}  // namespace pgmcp::query

#include "database/rows.h"

#include <charconv>
#include <cstdlib>
#include <stdexcept>

namespace pgmcp::database {

int Rows::ColumnIndex(std::string_view name) const {
  // Linear: catalog queries select about twenty columns, and a map would cost more to build.
  for (int j = 0; j < column_count(); ++j) {
    if (source_->column_name(j) == name) return j;
  }
  throw std::out_of_range("the result has no column named " + std::string(name));
}

bool Row::IsNull(std::string_view column) const { return rows_->IsNull(index_, rows_->ColumnIndex(column)); }

std::string Row::Text(std::string_view column) const {
  return std::string(rows_->Value(index_, rows_->ColumnIndex(column)));
}

std::optional<std::string> Row::OptionalText(std::string_view column) const {
  int j = rows_->ColumnIndex(column);
  if (rows_->IsNull(index_, j)) return std::nullopt;
  return std::string(rows_->Value(index_, j));
}

bool Row::Bool(std::string_view column) const {
  std::string_view v = rows_->Value(index_, rows_->ColumnIndex(column));
  return !v.empty() && v[0] == 't';
}

int64_t Row::Int64(std::string_view column) const {
  std::string_view v = rows_->Value(index_, rows_->ColumnIndex(column));
  int64_t out = 0;
  std::from_chars(v.data(), v.data() + v.size(), out);
  return out;
}

double Row::Double(std::string_view column) const {
  // strtod rather than from_chars: it also reads "Infinity"/"NaN", PostgreSQL's spellings.
  std::string v = Text(column);
  return v.empty() ? 0 : std::strtod(v.c_str(), nullptr);
}

}  // namespace pgmcp::database

// Value encoding: one PostgreSQL text-format value (ISO DateStyle, iso_8601 IntervalStyle) of a
// known column type appended to a JSON document, including array literals, bytea and json.
#pragma once

#include <string>
#include <string_view>

#include "query/query.h"

namespace pgmcp::query {

class ValueEncoder {
 public:
  explicit ValueEncoder(const QueryOptions& options) : options_(options) {}

  // Appends the JSON for `text` (never NULL here) of a column of type `type`.
  void Append(const schema::ColumnType& type, std::string_view text, std::string& out);

 private:
  void AppendScalar(const schema::ColumnType& type, std::string_view text, std::string& out);
  void AppendText(std::string_view text, std::string& out);
  void AppendJson(std::string_view text, std::string& out);
  // Parses one array literal level starting at `pos` (which holds '{'); false when malformed.
  bool AppendArray(const schema::ColumnType& type, std::string_view text, size_t& pos, std::string& out);

  const QueryOptions& options_;
  std::string scratch_;  // reused per value: sanitised text before escaping
  std::string element_;  // reused per array element: unescaped element text
};

// Exposed for tests.
bool IsJsonNumber(std::string_view text);
std::string TimestampToIso(std::string_view pg_text, bool with_zone);
// As TimestampToIso, appended to `out`.
void AppendTimestampIso(std::string_view pg_text, bool with_zone, std::string& out);
std::string ByteaHexToBase64(std::string_view pg_text);

}  // namespace pgmcp::query

// Value encoding: one PostgreSQL text-format value (ISO DateStyle, iso_8601 IntervalStyle) of a
// known column type appended to a JSON document, including array literals, bytea and json.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "query/query.h"

namespace pgmcp::query {

// The common shape of a column's values, which WriteFast writes without the string's appends:
// chosen once per column of a result.
enum class FastPath : uint8_t {
  kNone,         // arrays, json, bytea: always Append
  kBoolean,      // 't' or 'f'
  kNumber,       // integer, numeric and float values that are JSON numbers as PostgreSQL writes them
  kString,       // date, time, interval, uuid in printable ASCII
  kText,         // text, enum and other types in printable ASCII, no longer than max_text_chars
  kTimestamp,    // in printable ASCII, as PostgreSQL writes them
  kTimestamptz,  // the same, with an offset
};

FastPath FastPathFor(const schema::ColumnType& type);

class ValueEncoder {
 public:
  // The most bytes WriteFast writes beyond the value's own: two quotes and ":00" of an offset.
  static constexpr size_t kFastSlack = 6;

  explicit ValueEncoder(const QueryOptions& options) : options_(options) {}

  // Appends the JSON for `text` (never NULL here) of a column of type `type`.
  void Append(const schema::ColumnType& type, std::string_view text, std::string& out);

  // Writes at `p` (room for text.size() + kFastSlack bytes) the same JSON Append would write for
  // `text` of a column whose FastPathFor is `path`, and returns its end; or returns nullptr,
  // having written nothing that counts, when the value does not take the column's common shape.
  char* WriteFast(FastPath path, std::string_view text, char* p) const;

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
// As TimestampToIso, written at `p` (room for pg_text.size() + 3 bytes); returns its end.
char* WriteTimestampIso(std::string_view pg_text, bool with_zone, char* p);
std::string ByteaHexToBase64(std::string_view pg_text);

}  // namespace pgmcp::query

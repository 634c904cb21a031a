// Fuzzes the JSON string escaper (common/json_string.h) and the text a tool result embeds: any
// bytes escape exactly as Boost.JSON's serializer escapes them; a value the result encoder writes
// (query/value_encoder.h) is JSON (a json value that nothing sanitises or cuts: the same
// document), and that JSON framed as the untrusted-data text content escapes the same way and reads
// back unchanged. Byte 0 picks the column type, the sanitising mode and a text cut; the rest is the
// value as PostgreSQL sends it.
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/json_string.h"
#include "common/utf8.h"
#include "fuzz/fuzz_check.h"
#include "query/query.h"
#include "query/value_encoder.h"

namespace {

using namespace pgmcp;

std::string BoostJson(std::string_view text) { return boost::json::serialize(boost::json::string(text)); }

std::string Escaped(std::string_view text) {
  std::string out;
  AppendJsonString(text, out);
  return out;
}

constexpr schema::TypeCategory kCategories[] = {
    schema::TypeCategory::kText,      schema::TypeCategory::kJson,  schema::TypeCategory::kNumeric,
    schema::TypeCategory::kTimestamptz, schema::TypeCategory::kBytea, schema::TypeCategory::kUuid,
    schema::TypeCategory::kBoolean,   schema::TypeCategory::kOther,
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  PGMCP_FUZZ_CHECK(Escaped(bytes) == BoostJson(bytes), "any bytes escape as Boost.JSON escapes them");
  if (size == 0) return 0;

  const uint8_t pick = data[0];
  const std::string_view value = bytes.substr(1);
  schema::ColumnType type;
  type.category = kCategories[pick % std::size(kCategories)];
  type.is_array = (pick & 0x08) != 0;
  query::QueryOptions options;
  options.sanitize = static_cast<SanitizeMode>((pick >> 4) % 3);
  if ((pick & 0x40) != 0) options.limits.max_text_chars = 5;
  query::ValueEncoder encoder(options);
  std::string encoded;
  encoder.Append(type, value, encoded);

  // Invalid UTF-8 is passed on as it is where nothing sanitises it (sanitize_text = off, and types
  // PostgreSQL writes in ASCII): valid UTF-8 only when the database sent it so.
  const bool valid_utf8 = IsValidUtf8(value);
  if (valid_utf8) {
    boost::json::parse_options deep;
    deep.max_depth = 1 << 20;  // json values and array literals nest as deep as the text does
    boost::json::error_code ec;
    (void)boost::json::parse(encoded, ec, {}, deep);
    PGMCP_FUZZ_CHECK(!ec, "the encoder writes JSON");
    // A json value that nothing sanitises or cuts reads back as the same document: the same
    // structure, strings and numbers (query/json_document.h copies the numbers' text).
    if (type.category == schema::TypeCategory::kJson && !type.is_array && options.sanitize == SanitizeMode::kOff &&
        value.size() <= static_cast<size_t>(options.limits.max_text_chars)) {
      boost::json::error_code in_ec;
      const boost::json::value in = boost::json::parse(value, in_ec, {}, deep);
      if (!in_ec) {
        const boost::json::value back = boost::json::parse(encoded, ec, {}, deep);
        // Compared as Boost.JSON writes them: it reads 0e881 as NaN, which equals nothing.
        PGMCP_FUZZ_CHECK(!ec && boost::json::serialize(back) == boost::json::serialize(in),
                         "a json value reads back as the same document");
      }
    }
  }
  // The text content as service/untrusted_data.h frames a result: newlines around the JSON.
  const std::string framed = "Query result... <untrusted-data-0f>\n<untrusted-data-0f>\n{\"rows\":[[" + encoded +
                             "]]}\n</untrusted-data-0f>";
  const std::string embedded = Escaped(framed);
  PGMCP_FUZZ_CHECK(embedded == BoostJson(framed), "the embedded copy escapes as Boost.JSON escapes it");
  if (valid_utf8) {
    boost::json::error_code ec;
    const boost::json::value back = boost::json::parse(embedded, ec);
    PGMCP_FUZZ_CHECK(!ec && back.is_string() && back.get_string() == framed, "the embedded copy reads back");
  }
  return 0;
}

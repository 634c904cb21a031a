// The result's values written the fast way (query/value_encoder.h, WriteFast) are the bytes the
// general Append writes, and the result's JSON embeds as the tool result's text content exactly as
// Boost.JSON's serializer escapes it (common/json_string.h), for hostile values of every type.
#include "query/value_encoder.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "common/json_string.h"
#include "common/utf8.h"

namespace pgmcp::query {
namespace {

using schema::TypeCategory;

constexpr TypeCategory kCategories[] = {
    TypeCategory::kBoolean, TypeCategory::kInteger,   TypeCategory::kNumeric,     TypeCategory::kFloat,
    TypeCategory::kText,    TypeCategory::kEnum,      TypeCategory::kUuid,        TypeCategory::kDate,
    TypeCategory::kTime,    TypeCategory::kTimestamp, TypeCategory::kTimestamptz, TypeCategory::kInterval,
    TypeCategory::kJson,    TypeCategory::kBytea,     TypeCategory::kOther,
};

// Values as PostgreSQL sends them, and as a hostile row might hold them.
const std::vector<std::string>& HostileValues() {
  static const std::vector<std::string> values = {
      "",
      "t",
      "f",
      "0",
      "-12.50",
      "1e+20",
      "NaN",
      "-Infinity",
      "01",
      "paid",
      "self_serve",
      "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
      "2026-10-01",
      "12:34:56.789+05:30",
      "1 year 2 mons",
      "2026-10-01 12:34:56.789+00",
      "2026-10-01 12:34:56+05:30",
      "2026-10-01 12:34:56-08",
      "2026-10-01 12:34:56+00:00",
      "2026-10-01 12:34:56",
      "0044-03-15 12:00:00+00:53:28 BC",
      "infinity",
      "say \"hi\"",
      "back\\slash",
      "tab\there\nnew line\r",
      std::string("nul\0byte", 8),
      "\x01\x1f\x7f",
      "\x1b[31mred\x1b[0m",
      "né café 日本語 🎉",
      "line\u2028separator\u2029",
      "bad \xff\xfe \xc3 utf-8",
      std::string(5000, 'x'),
      std::string(2000, 'y'),
      std::string(2001, 'z'),
      "{\"k\\\"ey\":\"v\\u0000al\\n\",\"arr\":[1,2.50,\"\\u2028\",null,true]}",
      "\\x00ff22225c0a",
      "{plain,\"with \\\"quote\\\"\",NULL,{nested}}",
      "{\"open,",
  };
  return values;
}

std::string Appended(ValueEncoder& encoder, const schema::ColumnType& type, std::string_view text) {
  std::string out;
  encoder.Append(type, text, out);
  return out;
}

TEST(ValueEncoderFast, WritesWhatAppendWritesOrDeclines) {
  for (const auto mode : {config::SanitizeMode::kStrict, config::SanitizeMode::kBasic, config::SanitizeMode::kOff}) {
    QueryOptions options;
    options.sanitize = mode;
    ValueEncoder encoder(options);
    for (const TypeCategory category : kCategories) {
      for (const bool is_array : {false, true}) {
        schema::ColumnType type;
        type.category = category;
        type.is_array = is_array;
        const FastPath path = FastPathFor(type);
        for (const std::string& value : HostileValues()) {
          // Exactly the room promised, then a guard: a write past the room changes the guard.
          std::string buffer(value.size() + ValueEncoder::kFastSlack + 8, '#');
          char* end = encoder.WriteFast(path, value, buffer.data());
          ASSERT_EQ(buffer.substr(buffer.size() - 8), "########") << value;
          if (end == nullptr) continue;
          ASSERT_EQ(std::string(buffer.data(), end), Appended(encoder, type, value))
              << "category " << static_cast<int>(category) << " array " << is_array << ": " << value;
        }
      }
    }
  }
}

TEST(ValueEncoderFast, JsonNumbersAsTheGrammarHasThem) {
  for (const char* good : {"0", "-0", "7", "1234567890123456789012345", "0.5", "-12.50", "1e5", "1E+20", "2.5e-3",
                           "1e-324", "1e999999999"}) {
    EXPECT_TRUE(IsJsonNumber(good)) << good;
  }
  for (const char* bad : {"", "-", "+1", "00", "01", "1.", ".5", "1.5.3", "1e", "1e+", "1e5x", "12a", "NaN",
                          "Infinity", " 1", "1 ",
                          // an exponent of ten digits or more: Boost.JSON refuses it (exponent overflow)
                          "1e2147483648", "-1217e1133453301133", "1e-0000000001"}) {
    EXPECT_FALSE(IsJsonNumber(bad)) << bad;
  }
}

TEST(ValueEncoderFast, CommonValuesTakeTheFastPath) {
  QueryOptions options;
  ValueEncoder encoder(options);
  char buffer[64];
  auto fast = [&](TypeCategory category, std::string_view text) {
    schema::ColumnType type;
    type.category = category;
    char* end = encoder.WriteFast(FastPathFor(type), text, buffer);
    return end == nullptr ? std::string("(declined)") : std::string(buffer, end);
  };
  EXPECT_EQ(fast(TypeCategory::kInteger, "-42"), "-42");
  EXPECT_EQ(fast(TypeCategory::kNumeric, "123.40"), "123.40");
  EXPECT_EQ(fast(TypeCategory::kBoolean, "t"), "true");
  EXPECT_EQ(fast(TypeCategory::kText, "self_serve"), "\"self_serve\"");
  EXPECT_EQ(fast(TypeCategory::kUuid, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"), "\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\"");
  EXPECT_EQ(fast(TypeCategory::kTimestamptz, "2026-10-01 12:34:56.789+00"), "\"2026-10-01T12:34:56.789Z\"");
  EXPECT_EQ(fast(TypeCategory::kTimestamptz, "2026-10-01 12:34:56-08"), "\"2026-10-01T12:34:56-08:00\"");
  EXPECT_EQ(fast(TypeCategory::kTimestamp, "2026-10-01 12:34:56"), "\"2026-10-01T12:34:56\"");
  // What needs the general path: escapes, sanitising, non-JSON numbers, json and bytea.
  EXPECT_EQ(fast(TypeCategory::kText, "say \"hi\""), "(declined)");
  EXPECT_EQ(fast(TypeCategory::kText, "né"), "(declined)");
  EXPECT_EQ(fast(TypeCategory::kNumeric, "NaN"), "(declined)");
  EXPECT_EQ(fast(TypeCategory::kJson, "{}"), "(declined)");
  EXPECT_EQ(fast(TypeCategory::kBytea, "\\x00"), "(declined)");
}

TEST(ValueEncoderFast, TheEmbeddedCopyEscapesAsBoostJsonDoes) {
  // Each hostile value encoded as the result's JSON, framed as the text content frames it
  // (service/untrusted_data.h), then escaped: the bytes Boost.JSON writes, and it reads back.
  for (const auto mode : {config::SanitizeMode::kStrict, config::SanitizeMode::kOff}) {
    QueryOptions options;
    options.sanitize = mode;
    ValueEncoder encoder(options);
    for (const TypeCategory category : kCategories) {
      schema::ColumnType type;
      type.category = category;
      for (const std::string& value : HostileValues()) {
        const std::string framed =
            "Query result...\n<untrusted-data-0f>\n{\"rows\":[[" + Appended(encoder, type, value) + "]]}\n</untrusted-data-0f>";
        std::string embedded;
        AppendJsonString(framed, embedded);
        ASSERT_EQ(embedded, boost::json::serialize(boost::json::string(framed))) << value;
        boost::json::error_code ec;
        const boost::json::value back = boost::json::parse(embedded, ec);
        // Invalid UTF-8 is passed on as it is where nothing sanitises it (sanitize_text = off, and
        // types PostgreSQL writes in ASCII): no JSON parser reads that back.
        if (!IsValidUtf8(value)) continue;
        ASSERT_FALSE(ec) << value;
        EXPECT_EQ(back.as_string(), framed);
      }
    }
  }
}

}  // namespace
}  // namespace pgmcp::query

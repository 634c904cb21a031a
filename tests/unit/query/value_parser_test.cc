// Value formats accepted before any SQL is built (docs/query-language.md, "Arguments").
#include <gtest/gtest.h>

#include "common/utf8.h"
#include "query/json_text.h"
#include "query/value_encoder.h"
#include "query/value_parser.h"

namespace pgmcp::query {
namespace {

TEST(ValueParser, Integers) {
  EXPECT_TRUE(IsIntegerLiteral("0", 4));
  EXPECT_TRUE(IsIntegerLiteral("-2147483648", 4));
  EXPECT_FALSE(IsIntegerLiteral("2147483648", 4));
  EXPECT_TRUE(IsIntegerLiteral("+32767", 2));
  EXPECT_FALSE(IsIntegerLiteral("-32769", 2));
  EXPECT_TRUE(IsIntegerLiteral("-9223372036854775808", 8));
  EXPECT_FALSE(IsIntegerLiteral("9223372036854775808", 8));
  EXPECT_TRUE(IsIntegerLiteral("000000000000000000000000042", 8));
  EXPECT_FALSE(IsIntegerLiteral("99999999999999999999999", 8));
  for (const char* bad : {"", "-", "+", "12abc", " 1", "1 ", "1.0", "1e3", "0x10", "١٢"}) {
    EXPECT_FALSE(IsIntegerLiteral(bad, 8)) << bad;
  }
}

TEST(ValueParser, Numerics) {
  for (const char* good : {"0", "-1.5", "+.5", "5.", "1e3", "1E-999", "123456789012345678901234567890.5"}) {
    EXPECT_TRUE(IsNumericLiteral(good)) << good;
  }
  for (const char* bad : {"", ".", "NaN", "Infinity", "1e", "1e1000", "1,5", "1.2.3", "--1", "1e+", " 1"}) {
    EXPECT_FALSE(IsNumericLiteral(bad)) << bad;
  }
}

TEST(ValueParser, DatesAndTimes) {
  EXPECT_TRUE(IsDateLiteral("2024-02-29"));
  EXPECT_FALSE(IsDateLiteral("2023-02-29"));
  EXPECT_FALSE(IsDateLiteral("1900-02-29"));
  EXPECT_TRUE(IsDateLiteral("2000-02-29"));
  EXPECT_FALSE(IsDateLiteral("2026-13-01"));
  EXPECT_FALSE(IsDateLiteral("2026-1-01"));
  EXPECT_FALSE(IsDateLiteral("0000-01-01"));
  EXPECT_TRUE(IsTimestampLiteral("2026-10-01"));
  EXPECT_TRUE(IsTimestampLiteral("2026-10-01T12:34"));
  EXPECT_TRUE(IsTimestampLiteral("2026-10-01 12:34:56.123456789Z"));
  EXPECT_TRUE(IsTimestampLiteral("2026-10-01T12:34:56-08"));
  EXPECT_TRUE(IsTimestampLiteral("2026-10-01T12:34:56+0530"));
  EXPECT_TRUE(IsTimestampLiteral("2026-10-01T24:00:00"));
  EXPECT_FALSE(IsTimestampLiteral("2026-10-01T24:00:01"));
  EXPECT_FALSE(IsTimestampLiteral("2026-10-01T12:60"));
  EXPECT_FALSE(IsTimestampLiteral("2026-10-01T12:34:56+16:00"));
  EXPECT_FALSE(IsTimestampLiteral("2026-10-01T"));
  EXPECT_FALSE(IsTimestampLiteral("now"));
  EXPECT_FALSE(IsTimestampLiteral("2026-10-01T12:34:56.Z"));
  EXPECT_TRUE(IsTimeLiteral("23:59:59.5", false));
  EXPECT_FALSE(IsTimeLiteral("23:59:59+02", false));
  EXPECT_TRUE(IsTimeLiteral("23:59:59+02", true));
}

TEST(ValueParser, UuidsAndIntervals) {
  EXPECT_TRUE(IsUuidLiteral("123e4567-e89b-12d3-a456-426614174000"));
  EXPECT_TRUE(IsUuidLiteral("123E4567E89B12D3A456426614174000"));
  EXPECT_FALSE(IsUuidLiteral("123e4567-e89b-12d3-a456-42661417400g"));
  EXPECT_FALSE(IsUuidLiteral("{123e4567-e89b-12d3-a456-426614174000}"));
  for (const char* good : {"P1D", "PT1H30M", "P1Y2M3W4DT5H6M7.5S", "P-1D", "pt10s"}) EXPECT_TRUE(IsIntervalLiteral(good)) << good;
  for (const char* bad : {"P", "PT", "1 day", "P1H", "PT1D", "P1.5D", "P1M1Y", "P1DT", "P9999999999D"}) {
    EXPECT_FALSE(IsIntervalLiteral(bad)) << bad;
  }
}

TEST(JsonText, EscapesControlsAndQuotes) {
  std::string out;
  AppendJsonString(std::string("a\"b\\c\n\x01\x1f\x7f é", 12), out);
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\u0001\\u001f\x7f é\"");
  EXPECT_TRUE(IsValidUtf8("é😀"));
  EXPECT_FALSE(IsValidUtf8("\xc3"));
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));  // a surrogate
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));      // overlong
  EXPECT_FALSE(IsValidUtf8("\xf0\x8f\xbf\xbf"));  // overlong four bytes
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // beyond U+10FFFF
  EXPECT_EQ(QuoteForMessage(std::string(100, 'a')), "\"" + std::string(40, 'a') + "…\"");
}

TEST(ValueEncoder, Helpers) {
  EXPECT_TRUE(IsJsonNumber("1200.00"));
  EXPECT_TRUE(IsJsonNumber("-0.5"));
  EXPECT_TRUE(IsJsonNumber("1e+20"));
  EXPECT_FALSE(IsJsonNumber("NaN"));
  EXPECT_FALSE(IsJsonNumber(".5"));
  EXPECT_FALSE(IsJsonNumber("01"));
  EXPECT_EQ(TimestampToIso("2026-10-01 12:34:56.789+00", true), "2026-10-01T12:34:56.789Z");
  EXPECT_EQ(TimestampToIso("2026-10-01 12:34:56+05:30", true), "2026-10-01T12:34:56+05:30");
  EXPECT_EQ(TimestampToIso("2026-10-01 12:34:56-08", true), "2026-10-01T12:34:56-08:00");
  EXPECT_EQ(TimestampToIso("2026-10-01 12:34:56", false), "2026-10-01T12:34:56");
  EXPECT_EQ(TimestampToIso("infinity", true), "infinity");
  EXPECT_EQ(ByteaHexToBase64("\\x"), "");
  EXPECT_EQ(ByteaHexToBase64("\\x66"), "Zg==");
  EXPECT_EQ(ByteaHexToBase64("\\x666f"), "Zm8=");
  EXPECT_EQ(ByteaHexToBase64("\\x666f6f"), "Zm9v");
}

}  // namespace
}  // namespace pgmcp::query

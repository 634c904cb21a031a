// JSON string literals written by hand (common/json_string.h): the bytes Boost.JSON's serializer
// writes, and the eight-bytes-a-step scan for text that needs no escaping finds every byte that does.
#include "common/json_string.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

namespace pgmcp {
namespace {

bool IsPlain(unsigned char c) { return c >= 0x20 && c <= 0x7E && c != '"' && c != '\\'; }

TEST(JsonStringTest, EveryByteAtEveryPositionOfAWordIsFound) {
  for (int byte = 0; byte < 256; ++byte) {
    for (size_t at = 0; at < 19; ++at) {
      std::string text(19, 'a');
      text[at] = static_cast<char>(byte);
      const size_t expected = IsPlain(static_cast<unsigned char>(byte)) ? text.size() : at;
      ASSERT_EQ(PlainAsciiPrefix(text), expected) << "byte " << byte << " at " << at;
    }
  }
  EXPECT_EQ(PlainAsciiPrefix(""), 0u);
}

TEST(JsonStringTest, TheSameBytesAsBoostJson) {
  for (int byte = 0; byte < 256; ++byte) {
    // Short text is escaped by the table, long text (256 bytes on) by Boost's serializer: both ways.
    for (const size_t length : {1, 9, 17, 255, 256, 5000}) {
      std::string text(length, 'x');
      text[length / 2] = static_cast<char>(byte);
      std::string out = "prefix";
      AppendJsonString(text, out);
      ASSERT_EQ(out, "prefix" + boost::json::serialize(boost::json::string(text))) << "byte " << byte;
    }
  }
  // A tool result's text: JSON with a quote every few bytes, UTF-8 and control characters.
  std::string result;
  for (int row = 0; row < 200; ++row) result += "[" + std::to_string(row) + ",\"né\\\"\t\x01\",null],";
  std::string appended = "{";
  AppendJsonString(result, appended);
  EXPECT_EQ(appended, "{" + boost::json::serialize(boost::json::string(result)));
  std::string out;
  AppendPlainJsonString("plain text", out);
  EXPECT_EQ(out, "\"plain text\"");
}

}  // namespace
}  // namespace pgmcp

// JSON string literals written by hand (common/json_string.h): the bytes Boost.JSON's serializer
// writes, and the scan for text that needs no escaping finds every byte that does.
#include "common/json_string.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <random>
#include <string>

namespace pgmcp {
namespace {

bool IsPlain(unsigned char c) { return c >= 0x20 && c <= 0x7E && c != '"' && c != '\\'; }

std::string BoostJson(std::string_view text) { return boost::json::serialize(boost::json::string(text)); }

TEST(JsonStringTest, EveryByteThatIsNotPlainIsFoundAtEveryPosition) {
  // Blocks, words, the overlapping last ones and the bytes of short text: every byte at every
  // position of every length up to three blocks.
  for (size_t length = 0; length < 50; ++length) {
    for (int byte = 0; byte < 256; ++byte) {
      for (size_t at = 0; at < length; ++at) {
        std::string text(length, 'a');
        text[at] = static_cast<char>(byte);
        ASSERT_EQ(IsPlainJsonText(text), IsPlain(static_cast<unsigned char>(byte))) << length << " " << byte << " " << at;
      }
    }
    EXPECT_TRUE(IsPlainJsonText(std::string(length, '~')));
  }
}

TEST(JsonStringTest, EveryByteAtEveryPositionOfABlockIsEscapedAsBoostJsonDoes) {
  // The escaper looks at sixteen bytes a step and bytewise at the tail: every byte at every place
  // of two blocks and a tail, after a plain prefix or after an escape.
  for (int byte = 0; byte < 256; ++byte) {
    for (size_t at = 0; at < 37; ++at) {
      for (const char before : {'x', '"'}) {
        std::string text(37, 'x');
        text[0] = before;
        text[at] = static_cast<char>(byte);
        std::string out = "prefix";
        AppendJsonString(text, out);
        ASSERT_EQ(out, "prefix" + BoostJson(text)) << "byte " << byte << " at " << at;
      }
    }
  }
}

TEST(JsonStringTest, ShortTextIsCopiedWholeOrEscapedAtEveryLengthAndPosition) {
  // Up to sixteen plain bytes are written with their quotes in one append: every byte at every
  // position of every short length, among distinct plain bytes so that a byte copied to the
  // wrong place shows, appended after what the buffer already holds.
  for (size_t length = 0; length <= 18; ++length) {
    std::string plain;
    for (size_t i = 0; i < length; ++i) plain += static_cast<char>('A' + i);
    std::string out = "prefix";
    AppendJsonString(plain, out);
    ASSERT_EQ(out, "prefix\"" + plain + "\"") << length;
    for (int byte = 0; byte < 256; ++byte) {
      for (size_t at = 0; at < length; ++at) {
        std::string text = plain;
        text[at] = static_cast<char>(byte);
        out = "prefix";
        AppendJsonString(text, out);
        ASSERT_EQ(out, "prefix" + BoostJson(text)) << "length " << length << " byte " << byte << " at " << at;
      }
    }
  }
}

TEST(JsonStringTest, EveryLengthAndDensityOfEscapes) {
  // Runs of escapes longer than a block, escapes in every slot, and every length around a block.
  for (size_t length = 0; length < 70; ++length) {
    for (const char* fill : {"\"", "\\", "\n", "\x01", "a\"", "ab\\c", "é\x1f"}) {
      std::string text;
      while (text.size() < length) text += fill;
      text.resize(length);
      std::string out;
      AppendJsonString(text, out);
      ASSERT_EQ(out, BoostJson(text)) << "length " << length << " fill " << fill;
    }
  }
}

TEST(JsonStringTest, LongTextIsEscapedSliceBySlice) {
  // Long text is escaped 2048 bytes at a time: escapes on both sides of a slice's end, and runs of
  // the longest escapes over several slices.
  for (const size_t length : {size_t{2047}, size_t{2048}, size_t{2049}, size_t{4096 + 7}, size_t{100000}}) {
    for (const char* fill : {"\"", "\\", "a\"", "\"\n", "\x01", "abc"}) {
      std::string text;
      while (text.size() < length) text += fill;
      std::string out;
      AppendJsonString(text, out);
      ASSERT_EQ(out, BoostJson(text)) << "length " << length << " fill " << fill;
    }
  }
}

TEST(JsonStringTest, RandomBytesAreEscapedAsBoostJsonDoes) {
  std::mt19937 random(14);
  // Mostly plain bytes with the ones that need escaping mixed in, and all of the byte range.
  const std::string alphabet = std::string("ab\"\\\n\t\x01\x1f\x7f\xc3\xa9\xe2\x80\xa8", 15);
  for (int round = 0; round < 2000; ++round) {
    std::string text(random() % 300, '\0');
    for (char& c : text) {
      c = round % 2 == 0 ? alphabet[random() % alphabet.size()] : static_cast<char>(random() % 256);
    }
    std::string out = "{";
    AppendJsonString(text, out);
    ASSERT_EQ(out, "{" + BoostJson(text)) << "round " << round;
  }
}

TEST(JsonStringTest, AToolResultsTextIsEscapedAsBoostJsonDoes) {
  // A tool result's text: JSON with a quote every few bytes, UTF-8 and control characters.
  std::string result;
  for (int row = 0; row < 200; ++row) result += "[" + std::to_string(row) + ",\"né\\\"\t\x01\",null],";
  std::string appended = "{";
  AppendJsonString(result, appended);
  EXPECT_EQ(appended, "{" + BoostJson(result));
  std::string out;
  AppendPlainJsonString("plain text", out);
  EXPECT_EQ(out, "\"plain text\"");
}

}  // namespace
}  // namespace pgmcp

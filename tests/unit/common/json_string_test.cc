// AppendJsonString, the escaper every reply and result goes through: it must write exactly what
// Boost.JSON's serializer writes, whatever byte sits at whatever position of its 8-byte steps.
#include "common/json_string.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <boost/json/string_view.hpp>

namespace pgmcp {
namespace {

std::string Escaped(std::string_view text) {
  std::string out;
  AppendJsonString(text, out);
  return out;
}

std::string BoostEscaped(std::string_view text) { return boost::json::serialize(boost::json::string_view(text)); }

TEST(JsonStringTest, EveryByteAtEveryOffsetMatchesBoost) {
  // Lengths 1..19 put the byte in the word-at-a-time part, at its edges and in the tail.
  for (int b = 0; b < 256; ++b) {
    for (size_t len = 1; len < 20; ++len) {
      for (size_t at = 0; at < len; ++at) {
        std::string text(len, 'a');
        text[at] = static_cast<char>(b);
        ASSERT_EQ(Escaped(text), BoostEscaped(text)) << "byte " << b << " at " << at << " of " << len;
      }
    }
  }
}

TEST(JsonStringTest, DenseEscapesAndPlainRunsMatchBoost) {
  const std::string json_text = R"({"id":1,"status":"shipped","note":"a\tb\nc \"q\" \\ end"})";
  EXPECT_EQ(Escaped(json_text), BoostEscaped(json_text));
  const std::string controls("\x00\x01\x1f\x7f\"\\\b\f\n\r\t", 11);
  EXPECT_EQ(Escaped(controls), BoostEscaped(controls));
  EXPECT_EQ(Escaped(controls), R"("\u0000\u0001\u001f)" "\x7f" R"(\"\\\b\f\n\r\t")");
  EXPECT_EQ(Escaped("héllo wörld, ünïcode stays as it is"), "\"héllo wörld, ünïcode stays as it is\"");
  EXPECT_EQ(Escaped(""), "\"\"");
}

TEST(JsonStringTest, AppendsToWhatIsThere) {
  std::string out = "x=";
  AppendJsonString("a\"b", out);
  EXPECT_EQ(out, R"(x="a\"b")");
}

}  // namespace
}  // namespace pgmcp

// A json or jsonb value as it goes into a result (query/json_document.h): compact, strings and keys
// sanitised, numbers exactly as written, and anything that is not a JSON document refused whole.
#include "query/json_document.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

namespace pgmcp::query {
namespace {

std::string Compact(std::string_view text, SanitizeMode mode = SanitizeMode::kStrict) {
  std::string out = "before:";
  if (!AppendCompactJson(text, mode, out)) return "(refused, left " + out + ")";
  return out;
}

TEST(JsonDocument, NumbersAreCopiedCharacterForCharacter) {
  // As doubles these would be infinity (which JSON cannot write), rounded, or lose their sign.
  EXPECT_EQ(Compact("[7e1153, -1E400, 0.1000000000000000055511151231257827, 12345678901234567890123, -0, 1.50, 2e-5]"),
            "before:[7e1153,-1E400,0.1000000000000000055511151231257827,12345678901234567890123,-0,1.50,2e-5]");
  EXPECT_EQ(Compact("9223372036854775807"), "before:9223372036854775807");
  EXPECT_EQ(Compact("18446744073709551616"), "before:18446744073709551616");
}

TEST(JsonDocument, WhitespaceGoesAndStructureStays) {
  EXPECT_EQ(Compact(" { \"a\" : [ 1 , { } , [ ] , true , false , null ] , \"b\" : { \"c\" : \"d\" } } \n"),
            R"(before:{"a":[1,{},[],true,false,null],"b":{"c":"d"}})");
  EXPECT_EQ(Compact(R"({"k":1,"k":2})"), R"(before:{"k":1,"k":2})");  // json keeps duplicate keys
  EXPECT_EQ(Compact(R"("just a string")"), R"(before:"just a string")");
  EXPECT_EQ(Compact("[[[[[]]]]]"), "before:[[[[[]]]]]");
}

TEST(JsonDocument, StringsAndKeysAreSanitisedAndEscaped) {
  EXPECT_EQ(Compact(R"({"\u001b[31mkey": "say \"hi\"\n\u001b[0m", "\\": "\u0000"})"),
            R"(before:{"key":"say \"hi\"\n","\\":""})");  // strict drops the NUL too
  // With sanitising off the strings are only escaped.
  EXPECT_EQ(Compact(R"({"a\u001b": "\u202e"})", SanitizeMode::kOff), "before:{\"a\\u001b\":\"\u202e\"}");
}

TEST(JsonDocument, WhatIsNotOneDocumentIsRefusedAndLeavesNothing) {
  for (std::string_view bad : {"", "{", "[1,]", "{\"a\" 1}", "1 2", "{} x", "nul", "'a'", "[1] // c",
                               "\"\xff\"", "01", "NaN", "Infinity"}) {
    EXPECT_EQ(Compact(bad), "(refused, left before:)") << bad;
  }
  std::string deep(10001, '[');
  deep.append(10001, ']');
  EXPECT_EQ(Compact(deep), "(refused, left before:)");
  std::string deep_enough(10000, '[');
  deep_enough.append(10000, ']');
  EXPECT_EQ(Compact(deep_enough), "before:" + deep_enough);
}

TEST(JsonDocument, TheOutputIsJsonWithTheSameValues) {
  const std::string text = R"({"a": [1, 2.5, "x\u00e9"], "b": {"c": null, "d": -3}})";
  std::string out;
  ASSERT_TRUE(AppendCompactJson(text, SanitizeMode::kStrict, out));
  EXPECT_EQ(boost::json::parse(out), boost::json::parse(text));
}

}  // namespace
}  // namespace pgmcp::query

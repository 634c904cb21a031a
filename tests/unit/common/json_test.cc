// ParseJson: what comes in is JSON that can be written back as JSON.
#include "common/json.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

namespace pgmcp {
namespace {

// Found by fuzz/jsonrpc_dispatch: Boost.JSON reads 1e9993648 as infinity and serializes it as
// `Infinity`, so a reply echoing the value was not JSON.
TEST(ParseJsonTest, ANumberBeyondADoublesRangeIsRefusedNotReadAsInfinity) {
  for (const char* text : {R"({"id":1e9993648})", R"([1, -1e999])", R"({"a":{"b":[0.5, 1e400]}})"}) {
    auto parsed = ParseJson(text);
    ASSERT_FALSE(parsed) << text << " read as " << boost::json::serialize(*parsed);
    EXPECT_EQ(parsed.error().message, "Malformed JSON: a number is out of range.");
  }
}

TEST(ParseJsonTest, LargeButFiniteNumbersAreKept) {
  auto parsed = ParseJson(R"({"a":1.7e308,"b":-2.5e-300,"c":18446744073709551615})");
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(ParseJson(boost::json::serialize(*parsed)));
}

}  // namespace
}  // namespace pgmcp

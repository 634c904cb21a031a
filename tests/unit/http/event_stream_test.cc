// When an event stream ends with its token (http/event_stream.h): at the token's exp, and never
// for a token without one or with an exp the clock cannot hold.
#include "http/event_stream.h"

#include <gtest/gtest.h>

#include <limits>

namespace pgmcp::http::internal {
namespace {

using std::chrono::system_clock;

TEST(TokenDeadlineTest, IsTheTokensExp) {
  EXPECT_EQ(TokenDeadline(1767225600), system_clock::time_point(std::chrono::seconds(1767225600)));
  EXPECT_EQ(TokenDeadline(0), system_clock::time_point::max()) << "no exp (auth.mode none)";
}

// system_clock counts nanoseconds in an int64: it ends in 2262. An exp after that (9999999999 is
// a common "never expires") overflowed into the past, and the stream ended at once.
TEST(TokenDeadlineTest, AnExpBeyondWhatTheClockHoldsIsNoDeadline) {
  EXPECT_EQ(TokenDeadline(9999999999), system_clock::time_point::max());
  EXPECT_EQ(TokenDeadline(std::numeric_limits<int64_t>::max()), system_clock::time_point::max());
}

}  // namespace
}  // namespace pgmcp::http::internal

// LogLimiter: one line per interval, and the next line says how many were held back.
#include "logging/log_limiter.h"

#include <gtest/gtest.h>

namespace pgmcp::logging {
namespace {

using std::chrono::milliseconds;

TEST(LogLimiterTest, OneLinePerIntervalAndTheNextCountsTheHeldBack) {
  LogLimiter limiter(milliseconds(1000));
  const auto t0 = LogLimiter::Clock::now();
  int64_t suppressed = -1;
  ASSERT_TRUE(limiter.Admit(t0, suppressed));
  EXPECT_EQ(suppressed, 0);
  for (int i = 0; i < 500; ++i) EXPECT_FALSE(limiter.Admit(t0 + milliseconds(i), suppressed));
  ASSERT_TRUE(limiter.Admit(t0 + milliseconds(1000), suppressed));
  EXPECT_EQ(suppressed, 500);
  ASSERT_TRUE(limiter.Admit(t0 + milliseconds(5000), suppressed));
  EXPECT_EQ(suppressed, 0);
}

}  // namespace
}  // namespace pgmcp::logging

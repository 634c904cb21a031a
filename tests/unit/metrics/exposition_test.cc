// The text-format building blocks: name rules, escaping, and how numbers are written.
#include "metrics/exposition.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace pgmcp::metrics {
namespace {

TEST(MetricsExpositionTest, MetricNames) {
  EXPECT_TRUE(IsValidMetricName("pgmcp_tool_calls_total"));
  EXPECT_TRUE(IsValidMetricName("_x"));
  EXPECT_TRUE(IsValidMetricName("job:rate5m"));
  EXPECT_FALSE(IsValidMetricName(""));
  EXPECT_FALSE(IsValidMetricName("1abc"));
  EXPECT_FALSE(IsValidMetricName("a-b"));
  EXPECT_FALSE(IsValidMetricName("a b"));
  EXPECT_FALSE(IsValidMetricName("é"));
}

TEST(MetricsExpositionTest, LabelNames) {
  EXPECT_TRUE(IsValidLabelName("tool"));
  EXPECT_TRUE(IsValidLabelName("_a1"));
  EXPECT_FALSE(IsValidLabelName("__name__"));  // reserved
  EXPECT_FALSE(IsValidLabelName("a:b"));       // colons are for metric names only
  EXPECT_FALSE(IsValidLabelName("9"));
  EXPECT_FALSE(IsValidLabelName(""));
}

TEST(MetricsExpositionTest, LabelValueEscapesBackslashQuoteAndNewline) {
  std::string out;
  AppendLabelValue(out, "a\\b\"c\nd\te");
  EXPECT_EQ(out, "a\\\\b\\\"c\\nd\te");
}

TEST(MetricsExpositionTest, HelpEscapesBackslashAndNewlineButNotQuote) {
  std::string out;
  AppendHelpText(out, "say \"hi\"\\\nbye");
  EXPECT_EQ(out, "say \"hi\"\\\\\\nbye");
}

TEST(MetricsExpositionTest, Numbers) {
  EXPECT_EQ(FormatDouble(0), "0");
  EXPECT_EQ(FormatDouble(1), "1");
  EXPECT_EQ(FormatDouble(2.5), "2.5");
  EXPECT_EQ(FormatDouble(0.0005), "0.0005");
  EXPECT_EQ(FormatDouble(-3.25), "-3.25");
  EXPECT_EQ(FormatDouble(10), "10");
  EXPECT_EQ(FormatDouble(1e6), "1000000");
  EXPECT_EQ(FormatDouble(123456789), "123456789");
  EXPECT_EQ(FormatDouble(0.00005), "5e-05");
  EXPECT_EQ(FormatDouble(1e20), "100000000000000000000");
  EXPECT_EQ(FormatDouble(1e21), "1e+21");
  EXPECT_EQ(FormatDouble(-1.5e-7), "-1.5e-07");
  EXPECT_EQ(FormatDouble(0.1 + 0.2), "0.30000000000000004");  // round-trips exactly
  EXPECT_EQ(FormatDouble(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatDouble(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatDouble(std::nan("")), "NaN");
  std::string out;
  AppendUnsigned(out, 18446744073709551615ull);
  EXPECT_EQ(out, "18446744073709551615");
}

}  // namespace
}  // namespace pgmcp::metrics

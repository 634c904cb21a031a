// Registry rendering, byte for byte, and its guarantees: stable order, exact concurrent counts,
// histogram invariants, the series cap, and registration errors.
#include "metrics/registry.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <thread>
#include <vector>

#include "text_format_parser.h"

namespace pgmcp::metrics {
namespace {

TEST(MetricsRegistryTest, RendersCounterExactly) {
  Registry registry;
  auto& calls = registry.AddCounter("x_calls_total", "Calls, by tool.", {"tool", "status"});
  calls.With({"b", "ok"}).Inc(3);
  calls.With({"a", "ok"}).Inc();
  calls.With({"a", "error"});
  EXPECT_EQ(registry.Render(),
            "# HELP x_calls_total Calls, by tool.\n"
            "# TYPE x_calls_total counter\n"
            "x_calls_total{tool=\"a\",status=\"error\"} 0\n"
            "x_calls_total{tool=\"a\",status=\"ok\"} 1\n"
            "x_calls_total{tool=\"b\",status=\"ok\"} 3\n");
}

TEST(MetricsRegistryTest, RendersGaugeWithAndWithoutLabels) {
  Registry registry;
  auto& conns = registry.AddGauge("x_connections", "Connections.", {"state"});
  auto& mem = registry.AddGauge("x_bytes", "Bytes.");
  conns.With({"idle"}).Set(2);
  conns.With({"busy"}).Set(1);
  conns.With({"busy"}).Set(1.5);  // the last value set is the value
  mem.With({}).Set(123456789);
  EXPECT_EQ(registry.Render(),
            "# HELP x_connections Connections.\n"
            "# TYPE x_connections gauge\n"
            "x_connections{state=\"busy\"} 1.5\n"
            "x_connections{state=\"idle\"} 2\n"
            "# HELP x_bytes Bytes.\n"
            "# TYPE x_bytes gauge\n"
            "x_bytes 123456789\n");
}

TEST(MetricsRegistryTest, RendersHistogramCumulativeWithSumAndCount) {
  Registry registry;
  auto& h = registry.AddHistogram("x_seconds", "Durations.", {"tool"}, {0.25, 1, 2.5});
  auto& t = h.With({"t"});
  t.Observe(0.125);  // binary fractions, so the sum is exact
  t.Observe(0.25);   // le is inclusive
  t.Observe(0.5);
  t.Observe(3);  // only in +Inf
  EXPECT_EQ(registry.Render(),
            "# HELP x_seconds Durations.\n"
            "# TYPE x_seconds histogram\n"
            "x_seconds_bucket{tool=\"t\",le=\"0.25\"} 2\n"
            "x_seconds_bucket{tool=\"t\",le=\"1\"} 3\n"
            "x_seconds_bucket{tool=\"t\",le=\"2.5\"} 3\n"
            "x_seconds_bucket{tool=\"t\",le=\"+Inf\"} 4\n"
            "x_seconds_sum{tool=\"t\"} 3.875\n"
            "x_seconds_count{tool=\"t\"} 4\n");
}

TEST(MetricsRegistryTest, HistogramWithoutLabelsAndIgnoringNaN) {
  Registry registry;
  auto& h = registry.AddHistogram("x_seconds", "D.", {}, {1});
  h.With({}).Observe(std::nan(""));
  h.With({}).Observe(-1);  // below every bound: first bucket
  EXPECT_EQ(registry.Render(),
            "# HELP x_seconds D.\n"
            "# TYPE x_seconds histogram\n"
            "x_seconds_bucket{le=\"1\"} 1\n"
            "x_seconds_bucket{le=\"+Inf\"} 1\n"
            "x_seconds_sum -1\n"
            "x_seconds_count 1\n");
}

TEST(MetricsRegistryTest, EscapesLabelValuesAndHelp) {
  Registry registry;
  auto& c = registry.AddCounter("x_total", "Back\\slash and\nnewline \"quoted\".", {"tool"});
  c.With({"a\"b\\c\nd"}).Inc();
  const auto text = registry.Render();
  EXPECT_EQ(text,
            "# HELP x_total Back\\\\slash and\\nnewline \"quoted\".\n"
            "# TYPE x_total counter\n"
            "x_total{tool=\"a\\\"b\\\\c\\nd\"} 1\n");
  const auto parsed = testing::ParseExposition(text);
  ASSERT_TRUE(parsed.ok()) << parsed.error;
  EXPECT_EQ(parsed.families[0].help, "Back\\slash and\nnewline \"quoted\".");
  EXPECT_EQ(parsed.families[0].samples[0].Label("tool"), "a\"b\\c\nd");
}

TEST(MetricsRegistryTest, FamilyWithoutSeriesStillDescribed) {
  Registry registry;
  registry.AddCounter("x_total", "Nothing yet.", {"code"});
  EXPECT_EQ(registry.Render(), "# HELP x_total Nothing yet.\n# TYPE x_total counter\n");
}

TEST(MetricsRegistryTest, LabelValuesThatLookAlikeStayApart) {
  Registry registry;
  auto& c = registry.AddCounter("x_total", "h", {"a", "b"});
  c.With({"x,", "y"}).Inc();
  c.With({"x", ",y"}).Inc(2);
  c.With({"", "xy"}).Inc(3);
  EXPECT_EQ(c.SeriesCount(), 3u);
  EXPECT_EQ(c.With({"x,", "y"}).Value(), 1u);
  EXPECT_EQ(c.With({"x", ",y"}).Value(), 2u);
}

TEST(MetricsRegistryTest, ConcurrentIncrementsAreExact) {
  Registry registry;
  auto& c = registry.AddCounter("x_total", "h", {"tool"});
  auto& h = registry.AddHistogram("x_seconds", "h", {"tool"}, {0.5, 1});
  constexpr int kThreads = 4;
  constexpr int kPerThread = 100000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Half the calls share one series, half each use a thread's own: both paths race.
      const std::string own = "t" + std::to_string(t);
      for (int i = 0; i < kPerThread; ++i) {
        c.With({i % 2 ? std::string_view("shared") : std::string_view(own)}).Inc();
        h.With({"shared"}).Observe(0.25);
      }
    });
  }
  // Rendering while others record must be safe and always consistent.
  for (int i = 0; i < 20; ++i) {
    const auto parsed = testing::ParseExposition(registry.Render());
    ASSERT_TRUE(parsed.ok()) << parsed.error;
  }
  for (auto& th : threads) th.join();
  uint64_t total = 0;
  for (int t = 0; t < kThreads; ++t) total += c.With({"t" + std::to_string(t)}).Value();
  total += c.With({"shared"}).Value();
  EXPECT_EQ(total, uint64_t{kThreads} * kPerThread);
  EXPECT_EQ(c.With({"shared"}).Value(), uint64_t{kThreads} * kPerThread / 2);
  const auto snap = h.With({"shared"}).Read();
  EXPECT_EQ(snap.count, uint64_t{kThreads} * kPerThread);
  EXPECT_EQ(snap.cumulative[0], uint64_t{kThreads} * kPerThread);
  EXPECT_DOUBLE_EQ(snap.sum, 0.25 * kThreads * kPerThread);  // quarters add exactly
}

TEST(MetricsRegistryTest, CardinalityCapSendsNewLabelSetsToOther) {
  Registry registry(3);
  auto& c = registry.AddCounter("x_total", "h", {"tool", "status"});
  for (int i = 0; i < 10; ++i) c.With({"tool" + std::to_string(i), "ok"}).Inc();
  c.With({"tool0", "ok"}).Inc();   // an existing series still counts as itself
  EXPECT_EQ(c.SeriesCount(), 4u);  // three + the overflow series
  EXPECT_EQ(registry.Render(),
            "# HELP x_total h\n"
            "# TYPE x_total counter\n"
            "x_total{tool=\"_other\",status=\"_other\"} 7\n"
            "x_total{tool=\"tool0\",status=\"ok\"} 2\n"
            "x_total{tool=\"tool1\",status=\"ok\"} 1\n"
            "x_total{tool=\"tool2\",status=\"ok\"} 1\n");
}

TEST(MetricsRegistryTest, CardinalityCapAppliesToHistograms) {
  Registry registry(2);
  auto& h = registry.AddHistogram("x_seconds", "h", {"tool"}, {1});
  for (int i = 0; i < 5; ++i) h.With({"t" + std::to_string(i)}).Observe(0.5);
  EXPECT_EQ(h.SeriesCount(), 3u);
  EXPECT_EQ(h.With({"never-seen"}).Read().count, 3u);
  const auto parsed = testing::ParseExposition(registry.Render());
  ASSERT_TRUE(parsed.ok()) << parsed.error;
}

TEST(MetricsRegistryTest, WrongNumberOfLabelValuesIsABug) {
  Registry registry;
  auto& c = registry.AddCounter("x_total", "h", {"tool", "status"});
  EXPECT_THROW(c.With({"only-one"}), std::invalid_argument);
  EXPECT_THROW(c.With({}), std::invalid_argument);
}

TEST(MetricsRegistryTest, RegistrationRejectsBadAndDuplicateNames) {
  Registry registry;
  registry.AddCounter("x_total", "h");
  registry.AddHistogram("x_seconds", "h", {}, {1});
  EXPECT_THROW(registry.AddCounter("x_total", "h"), std::invalid_argument);
  EXPECT_THROW(registry.AddGauge("x_seconds_count", "h"), std::invalid_argument);  // a histogram's sample
  EXPECT_THROW(registry.AddGauge("x-y", "h"), std::invalid_argument);
  EXPECT_THROW(registry.AddGauge("g", "h", {"__reserved"}), std::invalid_argument);
  EXPECT_THROW(registry.AddGauge("g", "h", {"a", "a"}), std::invalid_argument);
  EXPECT_THROW(registry.AddHistogram("h1", "h", {"le"}, {1}), std::invalid_argument);
  EXPECT_THROW(registry.AddHistogram("h2", "h", {}, {}), std::invalid_argument);
  EXPECT_THROW(registry.AddHistogram("h3", "h", {}, {1, 1}), std::invalid_argument);
  EXPECT_THROW(registry.AddHistogram("h4", "h", {}, {1, INFINITY}), std::invalid_argument);
}

}  // namespace
}  // namespace pgmcp::metrics

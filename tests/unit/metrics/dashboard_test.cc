// deploy/grafana/pgmcp.json against the code: well-formed JSON, every panel titled and querying
// only series Metrics renders, and every series charted somewhere. Renaming a metric breaks this.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "metrics/metrics.h"
#include "text_format_parser.h"

namespace pgmcp::metrics {
namespace {

namespace json = boost::json;

json::value LoadDashboard() {
  std::ifstream in(std::string(PGMCP_SOURCE_DIR) + "/deploy/grafana/pgmcp.json");
  EXPECT_TRUE(in.good()) << "deploy/grafana/pgmcp.json is missing";
  std::stringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  auto value = json::parse(text.str(), ec);
  EXPECT_FALSE(ec) << "deploy/grafana/pgmcp.json: " << ec.message();
  return value;
}

// The names a query may use: every family the page describes (even one without series yet, such as
// HTTP requests before the first request), and a histogram's _bucket, _sum and _count.
std::set<std::string> RenderedSampleNames() {
  const auto page = testing::ParseExposition(Metrics::Create()->Render());
  EXPECT_TRUE(page.ok()) << page.error;
  std::set<std::string> names;
  for (const auto& family : page.families) {
    if (family.type == "histogram") {
      for (const char* suffix : {"_bucket", "_sum", "_count"}) names.insert(family.name + suffix);
    } else {
      names.insert(family.name);
    }
  }
  return names;
}

// Identifiers in a PromQL expression that name pgmcp's or the process's series.
std::vector<std::string> MetricNamesIn(const std::string& expr) {
  static const std::regex kName(R"((?:^|[^a-zA-Z0-9_:$])((?:pgmcp|process)_[a-zA-Z0-9_:]*))");
  std::vector<std::string> names;
  for (auto it = std::sregex_iterator(expr.begin(), expr.end(), kName); it != std::sregex_iterator(); ++it) {
    names.push_back((*it)[1].str());
  }
  return names;
}

bool Balanced(const std::string& expr) {
  std::string stack;
  bool in_string = false;
  for (const char c : expr) {
    if (c == '"') in_string = !in_string;
    if (in_string) continue;
    if (c == '(' || c == '{' || c == '[') stack += c;
    if (c == ')' || c == '}' || c == ']') {
      const char open = c == ')' ? '(' : c == '}' ? '{' : '[';
      if (stack.empty() || stack.back() != open) return false;
      stack.pop_back();
    }
  }
  return stack.empty() && !in_string;
}

TEST(MetricsDashboardTest, IsAnImportableDashboard) {
  const auto dash = LoadDashboard();
  ASSERT_TRUE(dash.is_object());
  const auto& d = dash.as_object();
  ASSERT_TRUE(d.contains("schemaVersion") && d.at("schemaVersion").is_int64());
  EXPECT_GE(d.at("schemaVersion").as_int64(), 36);
  EXPECT_EQ(d.at("title").as_string(), "pgmcp");
  EXPECT_FALSE(d.at("uid").as_string().empty());
  bool has_input = false;
  for (const auto& input : d.at("__inputs").as_array()) {
    has_input |= input.at("name") == "DS_PROMETHEUS" && input.at("pluginId") == "prometheus";
  }
  EXPECT_TRUE(has_input) << "a ${DS_PROMETHEUS} datasource input lets the import dialog pick a Prometheus";
}

TEST(MetricsDashboardTest, EveryPanelQueriesSeriesTheRegistryRenders) {
  const auto dash = LoadDashboard();
  const auto rendered = RenderedSampleNames();
  std::set<int64_t> ids;
  int charted = 0;
  for (const auto& panel_value : dash.at("panels").as_array()) {
    const auto& panel = panel_value.as_object();
    ASSERT_TRUE(panel.contains("id"));
    EXPECT_TRUE(ids.insert(panel.at("id").as_int64()).second) << "duplicate panel id";
    ASSERT_TRUE(panel.contains("title") && panel.at("title").is_string());
    const std::string title(panel.at("title").as_string());
    EXPECT_FALSE(title.empty());
    const auto& grid = panel.at("gridPos").as_object();
    EXPECT_LE(grid.at("x").as_int64() + grid.at("w").as_int64(), 24) << title;
    if (panel.at("type") == "row") continue;
    ++charted;
    EXPECT_EQ(panel.at("datasource").at("uid"), "${DS_PROMETHEUS}") << title;
    ASSERT_TRUE(panel.contains("targets") && !panel.at("targets").as_array().empty()) << title;
    int known = 0;
    for (const auto& target : panel.at("targets").as_array()) {
      const std::string expr(target.at("expr").as_string());
      EXPECT_TRUE(Balanced(expr)) << title << ": " << expr;
      for (const auto& name : MetricNamesIn(expr)) {
        EXPECT_TRUE(rendered.contains(name)) << title << " queries " << name << ", which pgmcp does not export";
        known += rendered.contains(name) ? 1 : 0;
      }
    }
    EXPECT_GE(known, 1) << title << " names no metric pgmcp exports";
  }
  EXPECT_GE(charted, 9);
}

TEST(MetricsDashboardTest, ChartsEveryFamilyAndTheDocumentedPanels) {
  const auto dash = LoadDashboard();
  std::string all_exprs;
  for (const auto& panel : dash.at("panels").as_array()) {
    if (!panel.as_object().contains("targets")) continue;
    for (const auto& target : panel.at("targets").as_array())
      all_exprs += std::string(target.at("expr").as_string()) + "\n";
  }
  const auto page = testing::ParseExposition(Metrics::Create()->Render());
  // An unparsable page would have no families and check nothing.
  ASSERT_TRUE(page.ok()) << page.error;
  ASSERT_GE(page.families.size(), 11u);
  for (const auto& family : page.families) {
    EXPECT_NE(all_exprs.find(family.name), std::string::npos) << family.name << " is on no panel";
  }
  // docs/operations.md, Metrics: p95 latency and error rate per tool (one tool per table).
  EXPECT_NE(all_exprs.find("histogram_quantile(0.95, sum by (le, tool) (rate(pgmcp_tool_call_duration_seconds_bucket"),
            std::string::npos);
  EXPECT_NE(all_exprs.find("status!=\"ok\""), std::string::npos);
}

}  // namespace
}  // namespace pgmcp::metrics

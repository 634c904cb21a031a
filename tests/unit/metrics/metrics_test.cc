// The series pgmcp exports: each one present from the start, recorded where the lead's call sites
// will record them, and the whole page valid under a strict parser (and promtool, when installed).
#include "metrics/metrics.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "auth/identity.h"
#include "text_format_parser.h"

namespace pgmcp::metrics {
namespace {

using testing::ParsedExposition;
using testing::ParseExposition;

double ValueOf(const ParsedExposition& page, std::string_view sample_name,
               std::vector<std::pair<std::string, std::string>> labels) {
  for (const auto& f : page.families) {
    for (const auto& s : f.samples) {
      if (s.name == sample_name && s.labels == labels) return s.value;
    }
  }
  ADD_FAILURE() << "no sample " << sample_name;
  return -1;
}

ParsedExposition RenderAndParse(const Metrics& m) {
  auto page = ParseExposition(m.Render());
  EXPECT_TRUE(page.ok()) << page.error;
  return page;
}

// A page with every kind of series in it, including awkward label values.
std::shared_ptr<Metrics> Busy() {
  auto m = Metrics::Create("1.2.3");
  m->DeclareTool("query_public_orders");
  m->RecordToolCall("query_public_orders", "ok", 0.0042, 17);
  m->RecordToolCall("query_public_orders", "timeout", 12.5, 0);
  m->RecordToolCall("query_we\"ird\\name\n", "error", 0.3, -1);
  m->RecordReload("ok");
  m->RecordAuthFailure("expired");
  m->RecordHttpRequest(200);
  m->RecordHttpRequest(401);
  m->RecordConnectionRefused("max_connections_per_client");
  m->SetSchemaListenerUp(true);
  m->SetPoolSampler([] { return PoolSample{.idle = 3, .busy = 1, .connecting = 0, .waiting = 2}; });
  m->SetSessionSampler([] { return SessionSample{.session = 4, .stateless = 1}; });
  return m;
}

TEST(MetricsTest, ExportsEveryDocumentedFamilyWithItsType) {
  const auto page = RenderAndParse(*Metrics::Create());
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"pgmcp_tool_calls_total", "counter"},
      {"pgmcp_tool_call_duration_seconds", "histogram"},
      {"pgmcp_rows_returned_total", "counter"},
      {"pgmcp_pool_connections", "gauge"},
      {"pgmcp_pool_shared_calls_total", "counter"},
      {"pgmcp_pool_prepared_statements", "gauge"},
      {"pgmcp_pool_statement_cache_hits_total", "counter"},
      {"pgmcp_pool_statement_cache_misses_total", "counter"},
      {"pgmcp_pool_statement_cache_evictions_total", "counter"},
      {"pgmcp_pool_database_reachable", "gauge"},
      {"pgmcp_pool_connect_failures_total", "counter"},
      {"pgmcp_schema_reloads_total", "counter"},
      {"pgmcp_schema_listener_up", "gauge"},
      {"pgmcp_auth_failures_total", "counter"},
      {"pgmcp_auth_token_cache_hits_total", "counter"},
      {"pgmcp_auth_token_cache_misses_total", "counter"},
      {"pgmcp_auth_token_cache_evictions_total", "counter"},
      {"pgmcp_http_requests_total", "counter"},
      {"pgmcp_http_connections_refused_total", "counter"},
      {"pgmcp_sessions", "gauge"},
      {"pgmcp_build_info", "gauge"},
      {"process_start_time_seconds", "gauge"},
      {"process_resident_memory_bytes", "gauge"},
  };
  ASSERT_EQ(page.families.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(page.families[i].name, expected[i].first);
    EXPECT_EQ(page.families[i].type, expected[i].second);
    EXPECT_FALSE(page.families[i].help.empty());
  }
}

TEST(MetricsTest, KnownLabelValuesStartAtZero) {
  const auto page = RenderAndParse(*Metrics::Create());
  for (const auto reason : kAuthFailureReasons) {
    EXPECT_EQ(ValueOf(page, "pgmcp_auth_failures_total", {{"reason", std::string(reason)}}), 0) << reason;
  }
  for (const auto result : {"ok", "unchanged", "failed"}) {
    EXPECT_EQ(ValueOf(page, "pgmcp_schema_reloads_total", {{"result", result}}), 0);
  }
  for (const auto cap : {"max_connections", "max_connections_per_client"}) {
    EXPECT_EQ(ValueOf(page, "pgmcp_http_connections_refused_total", {{"cap", cap}}), 0) << cap;
  }
  for (const auto state : {"idle", "busy", "connecting", "waiting"}) {
    EXPECT_EQ(ValueOf(page, "pgmcp_pool_connections", {{"state", state}}), 0);
  }
  for (const auto name : {"pgmcp_pool_shared_calls_total", "pgmcp_pool_prepared_statements",
                          "pgmcp_pool_statement_cache_hits_total", "pgmcp_pool_statement_cache_misses_total",
                          "pgmcp_pool_statement_cache_evictions_total", "pgmcp_pool_connect_failures_total",
                          "pgmcp_auth_token_cache_hits_total",
                          "pgmcp_auth_token_cache_misses_total", "pgmcp_auth_token_cache_evictions_total"}) {
    EXPECT_EQ(ValueOf(page, name, {}), 0) << name;
  }
  EXPECT_EQ(ValueOf(page, "pgmcp_sessions", {{"era", "session"}}), 0);
  EXPECT_EQ(ValueOf(page, "pgmcp_sessions", {{"era", "stateless"}}), 0);
  EXPECT_EQ(ValueOf(page, "pgmcp_pool_database_reachable", {}), 1) << "serving means start-up connected";
}

// No listener (schema.reload_channel empty): no sample, so no alert fires on a 0 that means nothing.
TEST(MetricsTest, TheListenerGaugeHasASampleOnlyOnceAListenerReportsAndFollowsIt) {
  auto m = Metrics::Create();
  const auto page = RenderAndParse(*m);
  bool declared = false;
  for (const auto& f : page.families) {
    if (f.name != "pgmcp_schema_listener_up") continue;
    declared = true;
    EXPECT_TRUE(f.samples.empty());
  }
  EXPECT_TRUE(declared);
  m->SetSchemaListenerUp(false);
  EXPECT_EQ(ValueOf(RenderAndParse(*m), "pgmcp_schema_listener_up", {}), 0);
  m->SetSchemaListenerUp(true);
  EXPECT_EQ(ValueOf(RenderAndParse(*m), "pgmcp_schema_listener_up", {}), 1);
  m->SetSchemaListenerUp(false);
  EXPECT_EQ(ValueOf(RenderAndParse(*m), "pgmcp_schema_listener_up", {}), 0);
}

TEST(MetricsTest, AuthFailureReasonsMatchTheVerifier) {
  // metrics keeps its own copy so it need not link auth; this keeps the copy honest.
  ASSERT_EQ(kAuthFailureReasons.size(), auth::kAuthFailureReasons.size());
  for (size_t i = 0; i < kAuthFailureReasons.size(); ++i)
    EXPECT_EQ(kAuthFailureReasons[i], auth::kAuthFailureReasons[i]);
}

TEST(MetricsTest, DeclareToolCreatesEveryStatusAtZero) {
  auto m = Metrics::Create();
  m->DeclareTool("t");
  const auto page = RenderAndParse(*m);
  for (const auto status : kToolCallStatuses) {
    EXPECT_EQ(ValueOf(page, "pgmcp_tool_calls_total", {{"tool", "t"}, {"status", std::string(status)}}), 0);
  }
  EXPECT_EQ(ValueOf(page, "pgmcp_tool_call_duration_seconds_count", {{"tool", "t"}}), 0);
  EXPECT_EQ(ValueOf(page, "pgmcp_rows_returned_total", {{"tool", "t"}}), 0);
}

TEST(MetricsTest, RecordsToolCallsReloadsAuthAndHttp) {
  const auto page = RenderAndParse(*Busy());
  EXPECT_EQ(ValueOf(page, "pgmcp_tool_calls_total", {{"tool", "query_public_orders"}, {"status", "ok"}}), 1);
  EXPECT_EQ(ValueOf(page, "pgmcp_tool_calls_total", {{"tool", "query_public_orders"}, {"status", "timeout"}}), 1);
  EXPECT_EQ(ValueOf(page, "pgmcp_tool_calls_total", {{"tool", "query_we\"ird\\name\n"}, {"status", "error"}}), 1);
  EXPECT_EQ(ValueOf(page, "pgmcp_rows_returned_total", {{"tool", "query_public_orders"}}), 17);
  EXPECT_EQ(ValueOf(page, "pgmcp_rows_returned_total", {{"tool", "query_we\"ird\\name\n"}}), 0);
  EXPECT_EQ(
      ValueOf(page, "pgmcp_tool_call_duration_seconds_bucket", {{"tool", "query_public_orders"}, {"le", "0.005"}}), 1);
  EXPECT_EQ(ValueOf(page, "pgmcp_tool_call_duration_seconds_bucket", {{"tool", "query_public_orders"}, {"le", "10"}}),
            1);
  EXPECT_EQ(ValueOf(page, "pgmcp_tool_call_duration_seconds_bucket", {{"tool", "query_public_orders"}, {"le", "+Inf"}}),
            2);
  EXPECT_DOUBLE_EQ(ValueOf(page, "pgmcp_tool_call_duration_seconds_sum", {{"tool", "query_public_orders"}}), 12.5042);
  EXPECT_EQ(ValueOf(page, "pgmcp_schema_reloads_total", {{"result", "ok"}}), 1);
  EXPECT_EQ(ValueOf(page, "pgmcp_auth_failures_total", {{"reason", "expired"}}), 1);
  EXPECT_EQ(ValueOf(page, "pgmcp_http_requests_total", {{"code", "200"}}), 1);
  EXPECT_EQ(ValueOf(page, "pgmcp_http_requests_total", {{"code", "401"}}), 1);
  EXPECT_EQ(ValueOf(page, "pgmcp_http_connections_refused_total", {{"cap", "max_connections_per_client"}}), 1);
  EXPECT_EQ(ValueOf(page, "pgmcp_http_connections_refused_total", {{"cap", "max_connections"}}), 0);
  EXPECT_EQ(ValueOf(page, "pgmcp_pool_connections", {{"state", "idle"}}), 3);
  EXPECT_EQ(ValueOf(page, "pgmcp_pool_connections", {{"state", "waiting"}}), 2);
  EXPECT_EQ(ValueOf(page, "pgmcp_sessions", {{"era", "session"}}), 4);
  EXPECT_EQ(ValueOf(page, "pgmcp_build_info", {{"version", "1.2.3"}}), 1);
}

TEST(MetricsTest, DurationBucketsAreTheDocumentedOnes) {
  auto m = Metrics::Create();
  m->DeclareTool("t");
  const auto page = RenderAndParse(*m);
  std::vector<std::string> le;
  for (const auto& s : page.Find("pgmcp_tool_call_duration_seconds")->samples) {
    if (s.name.ends_with("_bucket")) le.push_back(s.Label("le"));
  }
  EXPECT_EQ(le, (std::vector<std::string>{"0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25",
                                          "0.5", "1", "2.5", "5", "10", "+Inf"}));
}

TEST(MetricsTest, SamplersAreReadAtEveryRender) {
  auto m = Metrics::Create();
  int64_t busy = 0;
  m->SetPoolSampler([&] {
    ++busy;
    return PoolSample{.idle = 1,
                      .busy = busy,
                      .connecting = 2,
                      .waiting = 0,
                      .shared_calls = 5 * busy,
                      .named_statements = busy == 1,
                      .statement_cache_hits = static_cast<uint64_t>(7 * busy),
                      .statement_cache_misses = 3,
                      .statement_cache_evictions = static_cast<uint64_t>(busy - 1),
                      .database_reachable = busy != 2,
                      .connect_failures = static_cast<uint64_t>(2 * busy)};
  });
  m->SetSessionSampler([] { return SessionSample{.session = 7, .stateless = 0}; });
  m->SetAuthSampler([&] {
    return AuthSample{.token_cache_hits = static_cast<uint64_t>(100 * busy),
                      .token_cache_misses = 4,
                      .token_cache_evictions = 1};
  });
  EXPECT_EQ(ValueOf(RenderAndParse(*m), "pgmcp_pool_connections", {{"state", "busy"}}), 1);
  const auto page = RenderAndParse(*m);
  EXPECT_EQ(ValueOf(page, "pgmcp_pool_connections", {{"state", "busy"}}), 2);
  EXPECT_EQ(ValueOf(page, "pgmcp_pool_shared_calls_total", {}), 10) << "the pool's count, not a sum of samples";
  EXPECT_EQ(ValueOf(page, "pgmcp_pool_statement_cache_hits_total", {}), 14);
  EXPECT_EQ(ValueOf(page, "pgmcp_pool_statement_cache_misses_total", {}), 3);
  EXPECT_EQ(ValueOf(page, "pgmcp_pool_statement_cache_evictions_total", {}), 1);
  EXPECT_EQ(ValueOf(page, "pgmcp_pool_prepared_statements", {}), 0) << "auto fell back since the last scrape";
  EXPECT_EQ(ValueOf(page, "pgmcp_pool_database_reachable", {}), 0) << "the breaker opened since the last scrape";
  EXPECT_EQ(ValueOf(page, "pgmcp_pool_connect_failures_total", {}), 4);
  EXPECT_EQ(ValueOf(page, "pgmcp_auth_token_cache_hits_total", {}), 200);
  EXPECT_EQ(ValueOf(page, "pgmcp_auth_token_cache_misses_total", {}), 4);
  EXPECT_EQ(ValueOf(page, "pgmcp_auth_token_cache_evictions_total", {}), 1);
  EXPECT_EQ(ValueOf(page, "pgmcp_pool_connections", {{"state", "connecting"}}), 2);
  EXPECT_EQ(ValueOf(page, "pgmcp_sessions", {{"era", "session"}}), 7);
  m->SetPoolSampler({});  // removed: no longer called, the gauges keep the last values
  EXPECT_EQ(ValueOf(RenderAndParse(*m), "pgmcp_pool_connections", {{"state", "busy"}}), 2);
  EXPECT_EQ(busy, 2);
}

TEST(MetricsTest, ProcessSeriesComeFromProc) {
  const auto page = RenderAndParse(*Metrics::Create());
  EXPECT_GT(ValueOf(page, "process_resident_memory_bytes", {}), 1024 * 1024);  // a gtest binary is > 1 MiB
  const double start = ValueOf(page, "process_start_time_seconds", {});
  const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_GT(start, now - 24 * 3600.0 * 365);  // this process started recently, not at the epoch
  EXPECT_LE(start, now + 1);
}

TEST(MetricsTest, ManyTools200AndOverflowRenderValid) {
  auto m = Metrics::Create(kBuildVersion, 50);
  for (int i = 0; i < 200; ++i) m->RecordToolCall("tool_" + std::to_string(i), "ok", i * 0.001, i);
  const auto page = RenderAndParse(*m);
  EXPECT_EQ(ValueOf(page, "pgmcp_tool_call_duration_seconds_count", {{"tool", "_other"}}), 150);
  EXPECT_EQ(ValueOf(page, "pgmcp_tool_calls_total", {{"tool", "_other"}, {"status", "_other"}}), 150);
}

TEST(MetricsTest, RecordingFromManyThreadsIsExact) {
  auto m = Metrics::Create();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100000; ++i) m->RecordToolCall("t", "ok", 0.001, 2);
    });
  }
  for (auto& th : threads) th.join();
  const auto page = RenderAndParse(*m);
  EXPECT_EQ(ValueOf(page, "pgmcp_tool_calls_total", {{"tool", "t"}, {"status", "ok"}}), 400000);
  EXPECT_EQ(ValueOf(page, "pgmcp_rows_returned_total", {{"tool", "t"}}), 800000);
  EXPECT_EQ(ValueOf(page, "pgmcp_tool_call_duration_seconds_count", {{"tool", "t"}}), 400000);
}

// The strict parser on the full page: HELP/TYPE before samples, names, labels, floats, histograms.
TEST(MetricsTest, FullPagePassesTheStrictParser) {
  const auto text = Busy()->Render();
  const auto page = ParseExposition(text);
  ASSERT_TRUE(page.ok()) << page.error << "\n" << text;
  size_t samples = 0;
  for (const auto& f : page.families) samples += f.samples.size();
  EXPECT_EQ(samples, static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) - 2 * page.families.size());
}

// The parser is only worth trusting if it refuses what Prometheus would refuse.
TEST(MetricsTest, StrictParserRejectsMalformedPages) {
  const char* bad[] = {
      "x 1\n",                                                   // no HELP/TYPE
      "# HELP x h\n# TYPE x gauge\nx 1",                         // no final newline
      "# HELP x h\n# TYPE x gauge\n1x 1\n",                      // bad name
      "# HELP x h\n# TYPE x gauge\nx{a=\"1\"\"} 1\n",            // stray quote
      "# HELP x h\n# TYPE x gauge\nx{a=\"\\t\"} 1\n",            // bad escape
      "# HELP x h\n# TYPE x gauge\nx{a=\"1\",a=\"2\"} 1\n",      // duplicate label
      "# HELP x h\n# TYPE x gauge\nx{__a=\"1\"} 1\n",            // reserved label
      "# HELP x h\n# TYPE x gauge\nx one\n",                     // value
      "# HELP x h\n# TYPE x gauge\nx 1 1700000000\n",            // timestamp
      "# HELP x h\n# TYPE x gauge\ny 1\n",                       // outside its family
      "# HELP x h\n# TYPE x gauge\nx 1\nx 2\n",                  // duplicate series
      "# HELP x_total h\n# TYPE x_total counter\nx_total -1\n",  // negative counter
      "# HELP h h\n# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 0\nh_count 1\n",
      "# HELP h h\n# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 0\nh_count 1\n",
      "# HELP h h\n# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 0\nh_count 1\n",
  };
  for (const char* text : bad) EXPECT_FALSE(ParseExposition(text).ok()) << text;
}

TEST(MetricsTest, PromtoolAcceptsThePage) {
  if (std::system("command -v promtool >/dev/null 2>&1") != 0) GTEST_SKIP() << "promtool not installed";
  const std::string path = ::testing::TempDir() + "/pgmcp_metrics_page.txt";
  std::ofstream(path) << Busy()->Render();
  const std::string command = "promtool check metrics < '" + path + "' 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buf[512];
  while (const size_t n = fread(buf, 1, sizeof buf, pipe)) output.append(buf, n);
  const int status = pclose(pipe);
  std::remove(path.c_str());
  EXPECT_EQ(status, 0) << output;
  EXPECT_EQ(output, "");
}

}  // namespace
}  // namespace pgmcp::metrics

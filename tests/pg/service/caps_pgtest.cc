// The caps of docs/security.md, "Caps", that a tool call meets, each pushed one past its limit
// through the whole pipeline against the demo database: max_rows, max_result_bytes, max_text_chars
// and the `in` list size. (JSON nesting depth and the stdio line size are transport caps: tests/e2e/caps.test.mjs.)
#include <set>

#include "query/json_text.h"
#include "service_pg_support.h"

namespace pgmcp::service {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace): the suite's own helpers

constexpr std::string_view kMarker = "…[truncated]";

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

class Caps : public ::testing::Test {
 protected:
  void SetUp() override {
    if (db_ == nullptr) {
      logging::SetLevel(config::LogLevel::kError);
      db_ = MakeDemoDatabase().release();
    }
  }
  static void TearDownTestSuite() {
    delete db_;
    db_ = nullptr;
  }
  static config::Settings Settings() { return ReaderSettings(*db_); }
  static pgmcp::testing::TestDatabase* db_;
};
pgmcp::testing::TestDatabase* Caps::db_ = nullptr;

TEST_F(Caps, LimitOverMaxRowsIsRefusedNamingTheMaximum) {
  auto s = Settings();
  s.limits.max_rows = 50;
  s.limits.default_limit = 10;
  ServiceHarness h(s);
  auto over = h.Call("query_orders", json::object{{"limit", 51}});
  ASSERT_TRUE(over.outcome.is_error);
  EXPECT_EQ(over.outcome.text, "limit must be a whole number from 1 to 50.");
  // Never silently unlimited: a huge limit, as a number or beyond int64, is refused the same way.
  EXPECT_TRUE(h.Call("query_orders", json::object{{"limit", 1e18}}).outcome.is_error);
  EXPECT_TRUE(h.Call("query_orders", json::parse(R"({"limit": 99999999999999999999999})")).outcome.is_error);
  EXPECT_TRUE(h.Call("query_orders", json::object{{"limit", 0}}).outcome.is_error);
  EXPECT_TRUE(h.Call("query_orders", json::object{{"limit", -1}}).outcome.is_error);

  auto at = Structured(h.Call("query_orders", json::object{{"limit", 50}}));
  EXPECT_EQ(at.at("row_count"), 50);
  EXPECT_EQ(at.at("truncated"), true) << "more orders than 50 matched";
  auto by_default = Structured(h.Call("query_orders", json::object{}));
  EXPECT_EQ(by_default.at("row_count"), 10);
  // Aggregation obeys the same cap: 2,000 customers grouped by id is 2,000 groups.
  auto grouped = Structured(h.Call("query_customers", json::object{{"group_by", json::array{"id"}}}));
  EXPECT_EQ(grouped.at("row_count"), 10);
  EXPECT_EQ(grouped.at("truncated"), true);
}

TEST_F(Caps, ResultOverMaxResultBytesIsCutAtARowBoundaryAndStaysValidJson) {
  auto s = Settings();
  s.limits.max_result_bytes = 4096;
  ServiceHarness h(s);
  auto call = h.Call("query_support_tickets",
                     json::object{{"select", json::array{"id", "body"}}, {"order_by", json::array{json::object{{"column", "id"}}}},
                                  {"limit", 1000}});
  ASSERT_FALSE(call.outcome.is_error) << call.outcome.text;
  EXPECT_LE(call.outcome.structured_json.size(), 4096u) << "docs/reference.md, Results: the cap measures structuredContent";
  auto doc = Structured(call);  // parses: the cut left valid JSON
  EXPECT_EQ(doc.at("truncated"), true);
  const auto& rows = doc.at("rows").as_array();
  ASSERT_GT(rows.size(), 0u);
  ASSERT_LT(rows.size(), 1000u);
  EXPECT_EQ(doc.at("row_count"), static_cast<int64_t>(rows.size()));
  // Whole rows only, and the first ones in order: the cut fell between rows, not inside one.
  const auto ids = db_->Query("SELECT id FROM support_tickets ORDER BY id LIMIT " + std::to_string(rows.size()));
  for (size_t i = 0; i < rows.size(); ++i) {
    ASSERT_EQ(rows[i].as_array().size(), 2u);
    EXPECT_EQ(std::to_string(rows[i].as_array()[0].as_int64()), ids[i][0]);
    EXPECT_TRUE(rows[i].as_array()[1].is_string());
  }
  // The text content carries the same, capped document.
  EXPECT_NE(call.outcome.text.find(call.outcome.structured_json), std::string::npos);

  // Below the cap nothing is cut.
  auto small = Structured(h.Call("query_support_tickets", json::object{{"select", json::array{"id"}}, {"limit", 5}}));
  EXPECT_EQ(small.at("row_count"), 5);
}

TEST_F(Caps, TextLongerThanMaxTextCharsIsCutWithTheMarker) {
  auto s = Settings();
  s.limits.max_text_chars = 20;
  s.security.sanitize_text = config::SanitizeMode::kOff;  // compare with the stored text as is
  ServiceHarness h(s);
  auto doc = Structured(h.Call("query_support_tickets",
                               json::object{{"select", json::array{"id", "subject", "body"}},
                                            {"order_by", json::array{json::object{{"column", "id"}}}}, {"limit", 200}}));
  const auto& rows = doc.at("rows").as_array();
  ASSERT_EQ(rows.size(), 200u);
  const auto stored = db_->Query("SELECT subject, body FROM support_tickets ORDER BY id LIMIT 200");
  int cut = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    for (int j = 0; j < 2; ++j) {
      const std::string got(rows[i].as_array()[j + 1].as_string());
      const std::string& full = stored[i][j];
      if (CodePoints(full) <= 20) {
        EXPECT_EQ(got, full);
        continue;
      }
      ++cut;
      ASSERT_GE(got.size(), kMarker.size());
      ASSERT_EQ(got.substr(got.size() - kMarker.size()), kMarker) << got;
      const std::string kept = got.substr(0, got.size() - kMarker.size());
      EXPECT_EQ(CodePoints(kept), 20u) << "the marker is not counted (docs/reference.md, Results)";
      EXPECT_EQ(full.compare(0, kept.size(), kept), 0) << "the cut keeps a prefix: " << got;
    }
  }
  EXPECT_GT(cut, 100) << "the demo's ticket bodies are longer than 20 characters";
}

TEST_F(Caps, InListOverMaxInValuesIsRefused) {
  ServiceHarness h(Settings());
  auto list = [](int n) {
    json::array a;
    for (int i = 1; i <= n; ++i) a.push_back(i);
    return a;
  };
  for (const char* op : {"in", "not_in"}) {
    auto over = h.Call("query_orders", json::object{{"where", json::object{{"id", json::object{{op, list(1001)}}}}}});
    ASSERT_TRUE(over.outcome.is_error) << op;
    EXPECT_NE(over.outcome.text.find("at most 1000 values"), std::string::npos) << over.outcome.text;
    auto at = h.Call("query_orders", json::object{{"where", json::object{{"id", json::object{{op, list(1000)}}}}},
                                                  {"select", json::array{"id"}}, {"limit", 1}});
    EXPECT_FALSE(at.outcome.is_error) << op << ": " << at.outcome.text;
  }
  // Text lists too: the cap is on the count, whatever the type.
  json::array names;
  for (int i = 0; i < 1001; ++i) names.push_back(json::string("n" + std::to_string(i)));
  EXPECT_TRUE(h.Call("query_customers", json::object{{"where", json::object{{"name", json::object{{"in", names}}}}}})
                  .outcome.is_error);
}

TEST_F(Caps, StatementTimeoutIsTheCallsDeadline) {
  // No argument can make pgmcp's SQL slow on the demo (the attack suite checks that), so the timeout
  // is shown with the smallest value: 1 ms cannot fit a 2,000-row sort over a sequential scan
  // and a group; whatever happens, the call ends well within a second, as one plain sentence.
  auto s = Settings();
  s.limits.statement_timeout_ms = 1;
  ServiceHarness h(s);
  int timed_out = 0;
  for (int i = 0; i < 5; ++i) {
    auto call = h.Call("query_order_items",
                       json::object{{"group_by", json::array{"product_id", "quantity", "unit_price"}},
                                    {"aggregates", json::array{json::object{{"fn", "count_distinct"}, {"column", "order_id"}}}},
                                    {"order_by", json::array{json::object{{"column", "count_distinct_order_id"}}}}});
    EXPECT_LT(call.elapsed, std::chrono::seconds(1));
    if (call.outcome.is_error) {
      EXPECT_EQ(call.outcome.text, "The query was cancelled because it ran longer than the statement timeout.");
      ++timed_out;
    }
  }
  EXPECT_GT(timed_out, 0);
  // The pool keeps the connections the timeouts left idle: an empty pool would prove nothing here.
  const auto pooled = InspectIdleConnections(h);
  ASSERT_FALSE(pooled.empty());
  for (const auto& c : pooled) {
    EXPECT_TRUE(c.idle);
    EXPECT_EQ(c.statement_timeout, c.statement_timeout_reset);
  }
}

}  // namespace
}  // namespace pgmcp::service

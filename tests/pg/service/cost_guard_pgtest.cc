// The cost guard (docs/reference.md, limits.max_plan_cost) against a real planner: a call whose
// plan costs more than the limit is refused unrun with the estimated rows and the indexed columns,
// a cheap one runs; `pgmcp call --explain`'s ExplainCall plans without running. "Unrun" is proved
// by a view whose every row calls a function that raises: if the SELECT ran, the call would fail.
#include <gtest/gtest.h>

#include <algorithm>

#include "service_pg_support.h"

namespace pgmcp::service {
namespace {

namespace json = boost::json;
using testing::ServiceHarness;

constexpr const char* kSchemaSql = R"SQL(
  CREATE TABLE big (id int PRIMARY KEY, k int, note text);
  CREATE INDEX big_k ON big (k);
  CREATE INDEX big_note_partial ON big (note) WHERE note IS NOT NULL;  -- partial: no advice
  INSERT INTO big SELECT g, g % 100, 'n' || g FROM generate_series(1, 20000) g;
  CREATE FUNCTION boom() RETURNS int LANGUAGE plpgsql VOLATILE COST 1000000 AS $$
    BEGIN RAISE EXCEPTION 'the SELECT ran'; END $$;
  CREATE VIEW big_probe WITH (security_invoker = true) AS SELECT id, k, boom() AS touched FROM big;
  ANALYZE big;
)SQL";

class CostGuardTest : public ::testing::Test {
 protected:
  void SetUp() override { db_.Exec(kSchemaSql); }
  config::Settings Settings(int64_t max_plan_cost) {
    config::Settings s;
    s.dsn = db_.Dsn();
    s.pool.min = 0;
    s.pool.max = 1;
    s.limits.max_plan_cost = max_plan_cost;
    return s;
  }
  pgmcp::testing::TestDatabase db_;
};

TEST_F(CostGuardTest, AnExpensivePlanIsRefusedUnrunWithRowsAndIndexedColumns) {
  ServiceHarness h(Settings(100));
  auto refused = h.Call("query_big_probe", json::object{});
  EXPECT_TRUE(refused.outcome.is_error);
  EXPECT_EQ(refused.outcome.text.find("the SELECT ran"), std::string::npos) << refused.outcome.text;
  EXPECT_EQ(refused.outcome.text.find("could not run"), std::string::npos) << refused.outcome.text;
  EXPECT_NE(refused.outcome.text.find("was not run"), std::string::npos) << refused.outcome.text;

  auto counted = h.Call("query_big", json::parse(R"({"aggregates": [{"fn": "count"}]})"));
  EXPECT_TRUE(counted.outcome.is_error);
  EXPECT_EQ(counted.outcome.text,
            "This call was not run: the database estimates it would read about 20,000 rows, more work than this "
            "server allows for one call; narrow it with a filter on an indexed column (id, k).");
  EXPECT_EQ(counted.outcome.text.find("SELECT"), std::string::npos) << "never SQL";
}

TEST_F(CostGuardTest, ACheapPlanRuns) {
  ServiceHarness h(Settings(100));
  auto found = h.Call("query_big", json::parse(R"({"where": {"id": 5}})"));
  auto rows = testing::Structured(found)["rows"];
  ASSERT_TRUE(rows.is_array());
  EXPECT_EQ(rows.as_array().size(), 1u);
}

TEST_F(CostGuardTest, ZeroSwitchesTheGuardOff) {
  ServiceHarness h(Settings(0));
  auto counted = h.Call("query_big", json::parse(R"({"aggregates": [{"fn": "count"}]})"));
  EXPECT_FALSE(counted.outcome.is_error) << counted.outcome.text;
  // Without the guard the probe's SELECT runs, and its function raises: the proof used above.
  auto probed = h.Call("query_big_probe", json::object{});
  EXPECT_TRUE(probed.outcome.is_error);
  EXPECT_EQ(probed.outcome.text.find("was not run"), std::string::npos) << probed.outcome.text;
}

TEST_F(CostGuardTest, ExplainPlansInTheEnvelopeAndRunsNothing) {
  ServiceHarness h(Settings(0));
  auto explained = h.Run(h.service().ExplainCall("query_big_probe", json::parse(R"({"where": {"k": 7}})"), {}));
  ASSERT_TRUE(explained.ok()) << explained.error().message;  // boom() would have raised
  const json::object& out = explained->as_object();
  EXPECT_EQ(json::value_to<std::string>(out.at("sql")).rfind("SELECT ", 0), 0u);
  ASSERT_TRUE(out.at("params").is_array());
  const json::array& params = out.at("params").as_array();
  EXPECT_NE(std::find(params.begin(), params.end(), json::value("7")), params.end()) << json::serialize(params);
  ASSERT_TRUE(out.at("plan").is_array());
  EXPECT_TRUE(out.at("plan").as_array().front().as_object().contains("Plan"));

  auto unknown = h.Run(h.service().ExplainCall("query_nothing", json::object{}, {}));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().kind, ErrorKind::kNotFound);
  auto invalid = h.Run(h.service().ExplainCall("query_big", json::parse(R"({"where": {"nope": 1}})"), {}));
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.error().kind, ErrorKind::kInvalidArgument);
}

}  // namespace
}  // namespace pgmcp::service

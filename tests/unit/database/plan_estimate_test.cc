// Reading EXPLAIN (FORMAT JSON) for the cost guard: the top node's cost, the most rows any node expects.
#include "database/plan_estimate.h"

#include <gtest/gtest.h>

namespace pgmcp::database {
namespace {

TEST(PlanEstimateTest, TotalCostOfTheTopAndTheMostRowsOfAnyNode) {
  auto plan = ParsePlanEstimate(R"([{"Plan": {"Node Type": "Limit", "Total Cost": 3.5, "Plan Rows": 101,
      "Plans": [{"Node Type": "Seq Scan", "Total Cost": 309.0, "Plan Rows": 20000}]}}])");
  ASSERT_TRUE(plan.ok());
  EXPECT_DOUBLE_EQ(plan->total_cost, 3.5);
  EXPECT_DOUBLE_EQ(plan->rows, 20000);
}

TEST(PlanEstimateTest, IntegersAreNumbersToo) {
  auto plan = ParsePlanEstimate(R"([{"Plan": {"Total Cost": 12, "Plan Rows": 1}}])");
  ASSERT_TRUE(plan.ok());
  EXPECT_DOUBLE_EQ(plan->total_cost, 12);
}

TEST(PlanEstimateTest, AnythingElseIsAnErrorNotAGuess) {
  for (const char* bad : {"", "not json", "{}", "[]", "[1]", R"([{"Plan": 1}])", R"([{"Plan": {"Plan Rows": 1}}])",
                          R"([{"Plan": {"Total Cost": "x", "Plan Rows": 1}}])",
                          R"([{"Plan": {"Total Cost": 1, "Plan Rows": 1, "Plans": [{"Total Cost": 1}]}}])",
                          R"([{"Plan": {"Total Cost": 1, "Plan Rows": 1, "Plans": {}}}])"}) {
    EXPECT_FALSE(ParsePlanEstimate(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace pgmcp::database

// What the planner expects a SELECT to cost, read from EXPLAIN (FORMAT JSON): the cost guard's
// input (docs/reference.md, limits.max_plan_cost). Pure and thread-safe.
#pragma once

#include <string_view>

#include "common/result.h"

namespace pgmcp::database {

struct PlanEstimate {
  double total_cost = 0;  // the top node's "Total Cost", in the planner's units
  double rows = 0;        // the most rows any node of the plan expects: what the query would read
};

// Reads the output of EXPLAIN (FORMAT JSON): [{"Plan": {"Total Cost": ..., "Plan Rows": ...,
// "Plans": [...]}}]. kInternal when it is not that shape.
Result<PlanEstimate> ParsePlanEstimate(std::string_view explain_json);

}  // namespace pgmcp::database

// The sentence a call gets when the cost guard refuses it (docs/reference.md, limits.max_plan_cost):
// the estimated rows and the table's indexed columns to filter on, never SQL. Pure.
#pragma once

#include <string>

#include "database/plan_estimate.h"
#include "schema/snapshot.h"

namespace pgmcp::service {

std::string CostRefusal(const schema::Table& table, const database::PlanEstimate& plan);

}  // namespace pgmcp::service

#include "service/cost_refusal.h"

#include <algorithm>
#include <cmath>

namespace pgmcp::service {
namespace {

// 1234567.8 -> "1,234,568": a count a reader takes in at a glance.
std::string Grouped(double value) {
  const double rounded = std::round(std::max(value, 0.0));
  std::string digits = rounded >= 1e18 ? "1000000000000000000" : std::to_string(static_cast<long long>(rounded));
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(static_cast<size_t>(i), ",");
  return digits;
}

}  // namespace

std::string CostRefusal(const schema::Table& table, const database::PlanEstimate& plan) {
  std::string out = "This call was not run: the database estimates it would read about " + Grouped(plan.rows) +
                    " rows, more work than this server allows for one call; ";
  if (table.indexed_columns.empty()) return out + "add filters or a smaller limit to narrow it.";
  out += "narrow it with a filter on an indexed column (";
  for (size_t i = 0; i < table.indexed_columns.size(); ++i) {
    if (i > 0) out += ", ";
    out += table.indexed_columns[i];
  }
  return out + ").";
}

}  // namespace pgmcp::service

#include "database/plan_estimate.h"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <optional>

namespace pgmcp::database {
namespace json = boost::json;

namespace {

std::optional<double> Number(const json::object& node, std::string_view key) {
  const json::value* v = node.if_contains(key);
  if (v == nullptr) return std::nullopt;
  if (v->is_double()) return v->as_double();
  if (v->is_int64()) return static_cast<double>(v->as_int64());
  if (v->is_uint64()) return static_cast<double>(v->as_uint64());
  return std::nullopt;
}

// The largest "Plan Rows" of `node` and the nodes under it; nullopt when a node lacks one.
std::optional<double> MostRows(const json::object& node, int depth) {
  if (depth > 200) return std::nullopt;  // deeper than any plan pgmcp generates
  auto rows = Number(node, "Plan Rows");
  if (!rows) return std::nullopt;
  double most = *rows;
  if (const json::value* children = node.if_contains("Plans")) {
    if (!children->is_array()) return std::nullopt;
    for (const auto& child : children->as_array()) {
      if (!child.is_object()) return std::nullopt;
      auto below = MostRows(child.as_object(), depth + 1);
      if (!below) return std::nullopt;
      most = std::max(most, *below);
    }
  }
  return most;
}

}  // namespace

Result<PlanEstimate> ParsePlanEstimate(std::string_view explain_json) {
  auto fail = [] { return MakeError(ErrorKind::kInternal, "The database's query plan could not be read."); };
  boost::system::error_code ec;
  json::value doc = json::parse(explain_json, ec);
  if (ec || !doc.is_array() || doc.as_array().empty() || !doc.as_array()[0].is_object()) return fail();
  const json::value* plan = doc.as_array()[0].as_object().if_contains("Plan");
  if (plan == nullptr || !plan->is_object()) return fail();
  auto cost = Number(plan->as_object(), "Total Cost");
  auto rows = MostRows(plan->as_object(), 0);
  if (!cost || !rows) return fail();
  return PlanEstimate{*cost, *rows};
}

}  // namespace pgmcp::database

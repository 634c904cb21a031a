// QueryPlan: the validated meaning of one tool call's arguments — columns resolved against the
// snapshot, values already turned into bind-parameter text. The SQL builder only prints it.
#pragma once

#include <boost/json/fwd.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "query/column_traits.h"
#include "query/query.h"
#include "schema/snapshot.h"

namespace pgmcp::query {

struct Condition {
  const schema::Column* column = nullptr;
  FilterOp op = FilterOp::kEq;
  std::vector<std::string> values;  // one for scalar operators, any number for in/not_in/array contains
  bool is_null = false;             // for kIsNull
};

struct GroupItem {
  const schema::Column* column = nullptr;
  Bucket bucket = Bucket::kNone;
};

struct AggregateItem {
  AggregateFn fn = AggregateFn::kCount;
  const schema::Column* column = nullptr;  // null for count
  std::string name;                        // count, sum_mrr...
};

struct OrderItem {
  const schema::Column* column = nullptr;  // plain queries: the table column
  int output_index = -1;                   // aggregate queries: 0-based result column
  bool descending = false;
};

struct QueryPlan {
  std::vector<Condition> conditions;
  std::vector<const schema::Column*> select;  // plain queries
  std::vector<GroupItem> group_by;
  std::vector<AggregateItem> aggregates;
  std::vector<OrderItem> order_by;
  bool aggregate_mode = false;  // group_by or aggregates given
  int64_t limit = 0;
  int64_t offset = 0;
};

// Validates the arguments against the table; every failure is one sentence for the model.
Result<QueryPlan> ParseArguments(const schema::Table& table, const boost::json::value& arguments,
                                 const QueryOptions& options);

// Result-column name of an aggregate: "count", "sum_mrr"...
std::string AggregateName(AggregateFn fn, const schema::Column* column);

}  // namespace pgmcp::query

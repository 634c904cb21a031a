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

// A column an argument names: one of the queried table, or one reached along foreign keys with a
// dotted path ("customer_id.plan", docs/query-language.md, "Paths").
struct ColumnRef {
  const schema::Column* column = nullptr;
  int join = -1;     // index into QueryPlan::joins; -1 for the queried table itself
  std::string name;  // as written: "plan" or "customer_id.plan"; also the result column's name
};

// One LEFT JOIN: the parent rows that the key column of the queried table (from == -1) or of an
// earlier join point at. One per distinct path prefix.
struct Join {
  const schema::Table* table = nullptr;       // the parent
  const schema::Column* key = nullptr;        // the key column of the child
  const schema::Column* referenced = nullptr;  // the parent's column it points at
  int from = -1;
  std::string prefix;  // "customer_id", "order_id.customer_id"
};

struct Condition {
  ColumnRef column;
  FilterOp op = FilterOp::kEq;
  std::vector<std::string> values;  // one for scalar operators, any number for in/not_in/array contains
  bool is_null = false;             // for kIsNull
};

struct GroupItem {
  ColumnRef column;
  Bucket bucket = Bucket::kNone;
};

struct AggregateItem {
  AggregateFn fn = AggregateFn::kCount;
  ColumnRef column;  // column.column is null for count
  std::string name;  // count, sum_mrr, count_distinct_customer_id.country...
};

struct OrderItem {
  ColumnRef column;       // plain queries: the column ordered by
  int output_index = -1;  // aggregate queries: 0-based result column
  bool descending = false;
};

struct QueryPlan {
  std::vector<Condition> conditions;
  std::vector<ColumnRef> select;  // plain queries
  bool select_all = false;        // `select` is every column of the table, in order (none was named)
  std::vector<Join> joins;        // in the order their paths first appear
  std::vector<GroupItem> group_by;
  std::vector<AggregateItem> aggregates;
  std::vector<OrderItem> order_by;
  bool aggregate_mode = false;  // group_by or aggregates given
  int64_t limit = 0;
  int64_t offset = 0;
};

// Validates the arguments against `table`, a table of `snapshot` (whose other tables paths may
// reach); every failure is one sentence for the model.
Result<QueryPlan> ParseArguments(const schema::SchemaSnapshot& snapshot, const schema::Table& table,
                                 const boost::json::value& arguments, const QueryOptions& options);

// Result-column name of an aggregate: "count", "sum_mrr", "count_distinct_customer_id.country"...
std::string AggregateName(AggregateFn fn, const ColumnRef& column);

}  // namespace pgmcp::query

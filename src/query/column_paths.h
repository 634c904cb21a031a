// Column names of the argument language, resolved: a column of the queried table, or a dotted
// path along foreign keys ("customer_id.plan", "order_id.customer_id.plan"; docs/query-language.md,
// "Paths"). Resolving a path registers the joins it needs, one per distinct prefix.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "query/query_plan.h"
#include "schema/snapshot.h"

namespace pgmcp::query {

class ColumnResolver {
 public:
  // `table` is a table of `snapshot`; the joins of resolved paths are appended to `joins`.
  ColumnResolver(const schema::SchemaSnapshot& snapshot, const schema::Table& table, std::vector<Join>& joins)
      : snapshot_(snapshot), table_(table), joins_(joins) {}

  // The column `name` names, or nothing when it names none: an unknown or hidden column, a first
  // segment that is not a followable key, a parent the snapshot does not hold, a third hop or a
  // path back to a table it has left all answer alike.
  std::optional<ColumnRef> Resolve(std::string_view name);

 private:
  struct Step {
    const schema::Table* parent;
    const schema::Column* key;
    const schema::Column* referenced;
    size_t prefix_length;  // of the name, up to and without the dot after the key
  };

  // Resolves `rest` from `at`, reached after `steps`; fills `steps` and returns the column.
  const schema::Column* Walk(const schema::Table& at, std::string_view name, size_t rest_start,
                             std::vector<Step>& steps) const;
  int JoinFor(int from, const Step& step, std::string_view name);

  const schema::SchemaSnapshot& snapshot_;
  const schema::Table& table_;
  std::vector<Join>& joins_;
};

}  // namespace pgmcp::query

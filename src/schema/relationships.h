// Relationships: which foreign keys of a table a caller may follow with a dotted path
// ("customer_id.plan", docs/query-language.md, "Paths"), and the sentence that tells the model.
// Pure functions over one snapshot (a caller's view of the schema); thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "schema/snapshot.h"

namespace pgmcp::schema {

// How many foreign keys one path may follow: "order_id.customer_id.plan" is two.
inline constexpr int kMaxPathHops = 2;

// A many-to-one step from `table` to `parent`: rows whose `column` holds a key of `parent`.
struct FollowableKey {
  const Column* column = nullptr;      // the key column of the table the step starts from
  const Table* parent = nullptr;       // the table it points at, inside the same snapshot
  const Column* referenced = nullptr;  // the parent's column it points at
};

// The table `schema_name.name` of `snapshot`, or nullptr when the snapshot does not hold it
// (not exposed, or not visible to the caller whose snapshot this is).
const Table* FindTable(const SchemaSnapshot& snapshot, std::string_view schema_name, std::string_view name);

// The keys of `table` a path may follow, in column order: single-column foreign keys whose
// column, parent table and referenced column are all in `snapshot`, and whose parent is another
// table (a key back to the same table would make a cycle). A column with two such keys to
// different parents is ambiguous and left out.
std::vector<FollowableKey> FollowableKeys(const SchemaSnapshot& snapshot, const Table& table);

// "\ncustomer_id → customers: use customer_id.<column> to filter, group or select by the customer."
// for the description of `table`; empty when it has no followable key. `first_schema` names
// tables bare in the first exposed schema, qualified elsewhere, as descriptions do.
std::string RelationshipSentence(const SchemaSnapshot& snapshot, const Table& table, std::string_view first_schema);

}  // namespace pgmcp::schema

#include "query/column_paths.h"

#include <algorithm>

#include "schema/relationships.h"

namespace pgmcp::query {

using schema::Column;
using schema::Table;

std::optional<ColumnRef> ColumnResolver::Resolve(std::string_view name) {
  // A column whose own name holds a dot is still itself: exact names win over paths.
  if (const Column* c = table_.FindColumn(name)) return ColumnRef{c, -1, std::string(name)};
  std::vector<Step> steps;
  const Column* column = Walk(table_, name, 0, steps);
  if (column == nullptr) return std::nullopt;
  int from = -1;
  for (const Step& step : steps) from = JoinFor(from, step, name);
  return ColumnRef{column, from, std::string(name)};
}

const Column* ColumnResolver::Walk(const Table& at, std::string_view name, size_t rest_start,
                                   std::vector<Step>& steps) const {
  if (static_cast<int>(steps.size()) == schema::kMaxPathHops) return nullptr;
  const std::string_view rest = name.substr(rest_start);
  // Only the keys' own names are tried as the first segment, so a hostile name full of dots
  // costs one comparison per key, not one per dot.
  for (const schema::FollowableKey& key : schema::FollowableKeys(snapshot_, at)) {
    const std::string& key_name = key.column->name;
    if (rest.size() <= key_name.size() + 1 || !rest.starts_with(key_name) || rest[key_name.size()] != '.') continue;
    // A path never comes back to a table it has left: the queried table or an earlier parent.
    const bool cycle = key.parent == &table_ ||
                       std::any_of(steps.begin(), steps.end(), [&](const Step& s) { return s.parent == key.parent; });
    if (cycle) continue;
    const size_t next_start = rest_start + key_name.size() + 1;
    steps.push_back(Step{key.parent, key.column, key.referenced, next_start - 1});
    if (const Column* c = key.parent->FindColumn(name.substr(next_start))) return c;
    if (const Column* c = Walk(*key.parent, name, next_start, steps)) return c;
    steps.pop_back();
  }
  return nullptr;
}

int ColumnResolver::JoinFor(int from, const Step& step, std::string_view name) {
  // The same key followed from the same place is the same join, however the rest of the path goes.
  for (size_t i = 0; i < joins_.size(); ++i) {
    if (joins_[i].from == from && joins_[i].key == step.key) return static_cast<int>(i);
  }
  joins_.push_back(Join{step.parent, step.key, step.referenced, from, std::string(name.substr(0, step.prefix_length))});
  return static_cast<int>(joins_.size()) - 1;
}

}  // namespace pgmcp::query

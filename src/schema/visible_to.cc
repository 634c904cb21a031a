#include "schema/visible_to.h"

#include <algorithm>
#include <map>
#include <utility>

#include "schema/snapshot_builder.h"

namespace pgmcp::schema {
namespace {

using TableKey = std::pair<std::string, std::string>;  // schema, name

// Every one of `columns` is a column of `table` (in a view, the columns left in it).
bool HasAll(const Table& table, const std::vector<std::string>& columns) {
  return std::all_of(columns.begin(), columns.end(),
                     [&table](const std::string& c) { return table.FindColumn(c) != nullptr; });
}

// The tables and columns of the view, before keys and references are cut to it.
SchemaSnapshot ReadableTables(const SchemaSnapshot& snapshot, std::optional<size_t> role) {
  SchemaSnapshot view;
  view.version = snapshot.version;
  view.roles = snapshot.roles;
  if (!role) return view;
  for (const auto& table : snapshot.tables) {
    if (!table.readers.Has(*role)) continue;
    Table t = table;
    std::erase_if(t.columns, [role](const Column& c) { return !c.readers.Has(*role); });
    if (t.columns.empty()) continue;
    view.tables.push_back(std::move(t));
  }
  return view;
}

void CutKeysAndReferences(SchemaSnapshot& view) {
  std::map<TableKey, const Table*> by_name;
  for (const auto& t : view.tables) by_name[{t.schema, t.name}] = &t;
  auto find = [&by_name](const std::string& schema_name, const std::string& name) -> const Table* {
    auto it = by_name.find({schema_name, name});
    return it == by_name.end() ? nullptr : it->second;
  };
  // Decided for every table before any is changed: the other side of a key must be judged on the
  // columns the view keeps, which the loop below does not alter.
  std::vector<std::vector<ForeignKey>> foreign_keys(view.tables.size());
  std::vector<std::vector<Reference>> references(view.tables.size());
  for (size_t i = 0; i < view.tables.size(); ++i) {
    const Table& t = view.tables[i];
    for (const auto& fk : t.foreign_keys) {
      const Table* target = find(fk.ref_schema, fk.ref_table);
      if (target != nullptr && HasAll(t, fk.columns) && HasAll(*target, fk.ref_columns)) foreign_keys[i].push_back(fk);
    }
    for (const auto& ref : t.referenced_by) {
      const Table* source = find(ref.schema, ref.table);
      if (source != nullptr && HasAll(*source, ref.columns) && HasAll(t, ref.ref_columns)) references[i].push_back(ref);
    }
  }
  for (size_t i = 0; i < view.tables.size(); ++i) {
    Table& t = view.tables[i];
    t.foreign_keys = std::move(foreign_keys[i]);
    t.referenced_by = std::move(references[i]);
    // A key naming a hidden column is dropped whole, as introspection does for excluded columns.
    if (!HasAll(t, t.primary_key)) t.primary_key.clear();
    std::erase_if(t.unique_keys, [&t](const std::vector<std::string>& key) { return !HasAll(t, key); });
    // The cost guard's refusal suggests these: it must not name a column the caller cannot see.
    std::erase_if(t.indexed_columns, [&t](const std::string& c) { return t.FindColumn(c) == nullptr; });
  }
}

}  // namespace

std::optional<size_t> RoleIndex(const SchemaSnapshot& snapshot, std::string_view role) {
  if (snapshot.roles.empty()) return std::nullopt;
  if (role.empty()) return 0;
  auto it = std::find(snapshot.roles.begin(), snapshot.roles.end(), role);
  if (it == snapshot.roles.end()) return std::nullopt;
  return static_cast<size_t>(it - snapshot.roles.begin());
}

bool SeesEverything(const SchemaSnapshot& snapshot, std::string_view role) {
  auto index = RoleIndex(snapshot, role);
  if (!index) return false;
  return std::all_of(snapshot.tables.begin(), snapshot.tables.end(), [&index](const Table& t) {
    return t.readers.Has(*index) &&
           std::all_of(t.columns.begin(), t.columns.end(), [&index](const Column& c) { return c.readers.Has(*index); });
  });
}

SchemaSnapshot VisibleTo(const SchemaSnapshot& snapshot, std::string_view role, const config::Settings& settings) {
  SchemaSnapshot view = ReadableTables(snapshot, RoleIndex(snapshot, role));
  CutKeysAndReferences(view);
  FinishView(view, settings);
  return view;
}

}  // namespace pgmcp::schema

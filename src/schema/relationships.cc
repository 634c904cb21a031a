#include "schema/relationships.h"

#include <algorithm>

namespace pgmcp::schema {
namespace {

// Enough to show the shape of the paths; each key column also says "references ..." in the
// column list, so nothing followable is hidden by the cut.
constexpr size_t kMaxKeysShown = 6;
constexpr size_t kMaxTwoHopPathsShown = 3;

std::string Label(const Table& table, std::string_view first_schema) {
  return table.schema == first_schema ? table.name : table.schema + "." + table.name;
}

// What a row of the parent is, in words: "customer_id" -> "the customer"; a key column without
// an "_id" suffix ("assigned_to") -> "the employees row".
std::string Noun(const FollowableKey& key, std::string_view first_schema) {
  std::string name = key.column->name;
  if (name.size() > 3 && (name.ends_with("_id") || name.ends_with("_ID") || name.ends_with("_Id"))) {
    name.resize(name.size() - 3);
    std::replace(name.begin(), name.end(), '_', ' ');
    return "the " + name;
  }
  return "the " + Label(*key.parent, first_schema) + " row";
}

std::string JoinWords(const std::vector<std::string>& items, std::string_view last) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += (i + 1 == items.size()) ? std::string(last) : ", ";
    out += items[i];
  }
  return out;
}

}  // namespace

const Table* FindTable(const SchemaSnapshot& snapshot, std::string_view schema_name, std::string_view name) {
  for (const auto& t : snapshot.tables) {
    if (t.schema == schema_name && t.name == name) return &t;
  }
  return nullptr;
}

std::vector<FollowableKey> FollowableKeys(const SchemaSnapshot& snapshot, const Table& table) {
  std::vector<FollowableKey> keys;
  for (const auto& column : table.columns) {
    FollowableKey found;
    bool ambiguous = false;
    for (const auto& fk : table.foreign_keys) {
      if (fk.columns.size() != 1 || fk.ref_columns.size() != 1 || fk.columns[0] != column.name) continue;
      const Table* parent = FindTable(snapshot, fk.ref_schema, fk.ref_table);
      const Column* referenced = parent != nullptr ? parent->FindColumn(fk.ref_columns[0]) : nullptr;
      if (referenced == nullptr || parent == &table) continue;
      if (found.parent != nullptr && (found.parent != parent || found.referenced != referenced)) ambiguous = true;
      found = {&column, parent, referenced};
    }
    if (found.parent != nullptr && !ambiguous) keys.push_back(found);
  }
  return keys;
}

std::string RelationshipSentence(const SchemaSnapshot& snapshot, const Table& table, std::string_view first_schema) {
  const std::vector<FollowableKey> keys = FollowableKeys(snapshot, table);
  if (keys.empty()) return "";
  std::vector<std::string> arrows, paths, nouns, two_hops;
  for (size_t i = 0; i < keys.size() && i < kMaxKeysShown; ++i) {
    const FollowableKey& key = keys[i];
    arrows.push_back(key.column->name + " → " + Label(*key.parent, first_schema));
    paths.push_back(key.column->name + ".<column>");
    nouns.push_back(Noun(key, first_schema));
    if constexpr (kMaxPathHops >= 2) {
      for (const FollowableKey& next : FollowableKeys(snapshot, *key.parent)) {
        // A path never comes back to a table it has left (docs/decisions.md, "Paths").
        if (next.parent == &table || two_hops.size() >= kMaxTwoHopPathsShown) continue;
        two_hops.push_back(key.column->name + "." + next.column->name + ".<column>");
      }
    }
  }
  std::string text = "\n" + JoinWords(arrows, ", ") + ": use " + JoinWords(paths, " or ") +
                     " to filter, group or select by " + JoinWords(nouns, " or ") + ".";
  if (keys.size() > kMaxKeysShown) text += " The other keys work the same way.";
  if (!two_hops.empty()) text += " Two keys deep: " + JoinWords(two_hops, ", ") + ".";
  return text;
}

}  // namespace pgmcp::schema

// docs/reference.md's table of configuration keys is the users' list of what the config file
// accepts: this test keeps it exact. Every key the reader accepts is in the table and nothing else;
// each default written there is the built-in one; each "reloadable"/"restart-only" is what a
// SIGHUP really does (config::MergeReloadable).
#include <gtest/gtest.h>

#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include "config/invocation.h"

namespace pgmcp::config {
namespace {

struct KeyRow {
  std::string key;
  std::string default_value;  // a TOML value, or empty for "—"
  std::string reload;
};

std::string Trim(std::string s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '`')) s.erase(s.begin());
  while (!s.empty() && (s.back() == ' ' || s.back() == '`')) s.pop_back();
  return s;
}

// The rows of the table under "### Keys" in "## Configuration".
std::vector<KeyRow> ReadKeyTable() {
  std::ifstream in(std::string(PGMCP_SOURCE_DIR) + "/docs/reference.md");
  EXPECT_TRUE(in) << "docs/reference.md is missing";
  std::vector<KeyRow> rows;
  std::string line;
  bool in_config = false, in_keys = false;
  while (std::getline(in, line)) {
    if (line.rfind("## ", 0) == 0) {
      in_config = line == "## Configuration";
      in_keys = false;
    }
    if (line.rfind("### ", 0) == 0) in_keys = in_config && line == "### Keys";
    if (!in_keys || line.rfind("| `", 0) != 0) continue;
    std::vector<std::string> cells;
    std::stringstream cells_in(line.substr(1));
    std::string cell;
    while (std::getline(cells_in, cell, '|')) cells.push_back(Trim(cell));
    if (cells.size() < 5) {
      ADD_FAILURE() << "a row of the key table has fewer than 5 cells: " << line;
      continue;
    }
    rows.push_back({cells[0], cells[2] == "—" ? "" : cells[2], cells[3]});
  }
  return rows;
}

// `key = value` as TOML: "a.b" goes into [a], "tables.<table>.k" into [tables.t].
std::string Toml(const std::string& key, const std::string& value) {
  std::string k = key;
  if (k.rfind("tables.<table>.", 0) == 0) k = "tables.t." + k.substr(15);
  auto dot = k.rfind('.');
  if (dot == std::string::npos) return k + " = " + value + "\n";
  return "[" + k.substr(0, dot) + "]\n" + k.substr(dot + 1) + " = " + value + "\n";
}

// A value of the same type as `default_value` that the reader accepts and that changes Settings.
std::optional<Settings> Changed(const KeyRow& row) {
  const std::string& d = row.default_value;
  std::vector<std::string> candidates;
  if (d.empty()) {
    candidates = {"\"changed\"", "[\"changed\"]"};
  } else if (d.front() == '"') {
    candidates = {"\"http\"", "\"debug\"", "\"off\"", "\"none\"", "\"discovery\"", "\"changed\""};
  } else if (d.front() == '[') {
    candidates = {"[\"changed\"]"};
  } else if (d == "true" || d == "false") {
    candidates = {d == "true" ? "false" : "true"};
  } else {
    candidates = {std::to_string(std::stoll(d) + 1), std::to_string(std::stoll(d) - 1)};
  }
  for (const auto& c : candidates) {
    Settings s;
    if (LoadConfigText(Toml(row.key, c), "changed.toml", s) && !(s == Settings{})) return s;
  }
  return std::nullopt;
}

TEST(ReferenceDoc, ListsExactlyTheKeysTheConfigFileAccepts) {
  std::set<std::string> documented, accepted;
  for (const auto& row : ReadKeyTable()) {
    EXPECT_TRUE(documented.insert(row.key).second) << row.key << " is listed twice";
  }
  for (const auto& key : ConfigKeys()) accepted.insert(key);
  for (const auto& key : accepted)
    EXPECT_TRUE(documented.count(key)) << key << " is accepted but not in docs/reference.md";
  for (const auto& key : documented)
    EXPECT_TRUE(accepted.count(key)) << key << " is in docs/reference.md but not accepted";
}

TEST(ReferenceDoc, EachDefaultIsTheBuiltInOne) {
  for (const auto& row : ReadKeyTable()) {
    if (row.default_value.empty()) continue;  // tables.<table>.*: no default, nothing set
    Settings s;
    auto loaded = LoadConfigText(Toml(row.key, row.default_value), "defaults.toml", s);
    ASSERT_TRUE(loaded) << row.key << ": " << loaded.error().message;
    EXPECT_TRUE(s == Settings{}) << row.key << ": docs/reference.md says the default is " << row.default_value;
  }
}

TEST(ReferenceDoc, ReloadableMeansASighupAppliesIt) {
  for (const auto& row : ReadKeyTable()) {
    ASSERT_TRUE(row.reload == "reloadable" || row.reload == "restart-only") << row.key << ": " << row.reload;
    auto changed = Changed(row);
    ASSERT_TRUE(changed.has_value()) << row.key << ": no value found that changes it";
    Settings running;
    bool applied = MergeReloadable(running, *changed) == *changed;
    EXPECT_EQ(applied, row.reload == "reloadable") << row.key << " is documented " << row.reload;
    EXPECT_EQ(RestartOnlyChanges(running, *changed).empty(), applied) << row.key;
  }
}

}  // namespace
}  // namespace pgmcp::config

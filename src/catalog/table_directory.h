// TableDirectory: the tables of one snapshot as discovery mode names them ("customers" in the
// first exposed schema, "reporting.monthly_revenue" elsewhere), with the words find_tables
// matches. Built once per catalog, immutable, thread-safe to read.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "schema/snapshot.h"

namespace pgmcp::catalog {

struct DirectoryEntry {
  std::string table;        // the name find_tables returns and describe_table/query_table take
  std::string tool_name;    // the table's key in the snapshot (SchemaSnapshot::FindTool)
  std::string description;  // the table's one-line purpose, else its title
  double row_estimate = -1;
  // Lower-case words (SearchWords) of the schema-qualified name, the column names, the comments.
  std::vector<std::string> name_words;
  std::vector<std::string> column_words;
  std::vector<std::string> comment_words;
};

struct TablePage {
  std::vector<const DirectoryEntry*> entries;  // the page asked for, best match first
  size_t matched = 0;                          // every matching table, before paging
};

class TableDirectory {
 public:
  TableDirectory(const schema::SchemaSnapshot& snapshot, std::string_view first_schema);

  // The table `name` names (its find_tables name, or "schema.table" for any table), or nullptr
  // for a name no table of this snapshot has.
  const DirectoryEntry* Find(std::string_view name) const;

  // The tables matching the words of `query`, best first: more query words matched; then more
  // of them in the name, then in column names, then in comments; then by name. A query word
  // matches a word that starts with it, ignoring ASCII case. No words: every table, by name.
  TablePage Search(std::string_view query, size_t limit, size_t offset) const;

  size_t size() const { return entries_.size(); }

 private:
  std::vector<DirectoryEntry> entries_;  // by name
  std::map<std::string, size_t, std::less<>> by_name_;
};

// The lower-case words of `text`: runs of ASCII letters and digits, and of non-ASCII bytes (so
// UTF-8 letters stay inside words); underscores, dots and punctuation separate words.
std::vector<std::string> SearchWords(std::string_view text);

}  // namespace pgmcp::catalog

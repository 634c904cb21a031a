#include "catalog/table_directory.h"

#include <algorithm>
#include <array>
#include <set>

namespace pgmcp::catalog {
namespace {

bool IsWordByte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

void AppendWords(std::string_view text, std::vector<std::string>& out) {
  for (auto& word : SearchWords(text)) out.push_back(std::move(word));
}

bool AnyStartsWith(const std::vector<std::string>& words, std::string_view prefix) {
  return std::any_of(words.begin(), words.end(),
                     [&](const std::string& w) { return std::string_view(w).substr(0, prefix.size()) == prefix; });
}

// Where one table matched the query: words matched at all, then in the name, columns, comments.
struct Rank {
  std::array<int, 4> counts{};
  const DirectoryEntry* entry = nullptr;
};

}  // namespace

std::vector<std::string> SearchWords(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (IsWordByte(c)) {
      word.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : ch);
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

TableDirectory::TableDirectory(const schema::SchemaSnapshot& snapshot, std::string_view first_schema) {
  std::set<std::string, std::less<>> qualified;
  for (const auto& t : snapshot.tables) qualified.insert(t.QualifiedName());
  entries_.reserve(snapshot.tables.size());
  for (const auto& t : snapshot.tables) {
    DirectoryEntry e;
    // A bare name that reads like another table's "schema.table" is written qualified instead.
    e.table = t.schema == first_schema && !qualified.contains(t.name) ? t.name : t.QualifiedName();
    e.tool_name = t.tool_name;
    e.description = t.purpose.empty() ? t.title : t.purpose;
    e.row_estimate = t.row_estimate;
    AppendWords(t.QualifiedName(), e.name_words);
    for (const auto& c : t.columns) AppendWords(c.name, e.column_words);
    AppendWords(t.purpose, e.comment_words);
    for (const auto& c : t.columns) AppendWords(c.comment, e.comment_words);
    entries_.push_back(std::move(e));
  }
  std::sort(entries_.begin(), entries_.end(),
            [](const DirectoryEntry& a, const DirectoryEntry& b) { return a.table < b.table; });
  std::map<std::string_view, size_t> by_tool;
  for (size_t i = 0; i < entries_.size(); ++i) {
    by_name_.emplace(entries_[i].table, i);
    by_tool.emplace(entries_[i].tool_name, i);
  }
  // Every table also answers to "schema.table" (a name find_tables never returned is still fine).
  for (const auto& t : snapshot.tables) by_name_.emplace(t.QualifiedName(), by_tool.at(t.tool_name));
}

const DirectoryEntry* TableDirectory::Find(std::string_view name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : &entries_[it->second];
}

TablePage TableDirectory::Search(std::string_view query, size_t limit, size_t offset) const {
  std::vector<std::string> words = SearchWords(query);
  std::sort(words.begin(), words.end());
  words.erase(std::unique(words.begin(), words.end()), words.end());
  std::vector<Rank> ranked;
  ranked.reserve(entries_.size());
  for (const auto& e : entries_) {
    Rank rank;
    rank.entry = &e;
    for (const auto& w : words) {
      int where = AnyStartsWith(e.name_words, w)     ? 1
                  : AnyStartsWith(e.column_words, w) ? 2
                  : AnyStartsWith(e.comment_words, w) ? 3
                                                      : 0;
      if (where == 0) continue;
      ++rank.counts[0];
      ++rank.counts[static_cast<size_t>(where)];
    }
    if (words.empty() || rank.counts[0] > 0) ranked.push_back(rank);
  }
  // entries_ is in name order and the sort is stable: ties stay by name.
  std::stable_sort(ranked.begin(), ranked.end(), [](const Rank& a, const Rank& b) { return a.counts > b.counts; });
  TablePage page;
  page.matched = ranked.size();
  for (size_t i = offset; i < ranked.size() && page.entries.size() < limit; ++i) page.entries.push_back(ranked[i].entry);
  return page;
}

}  // namespace pgmcp::catalog

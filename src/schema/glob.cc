#include "schema/glob.h"

namespace pgmcp::schema {
namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view text) {
  // Greedy matching that backtracks only to the last `*`: linear in practice and never
  // exponential, whatever a configuration file holds.
  size_t p = 0;
  size_t t = 0;
  size_t star = std::string_view::npos;
  size_t star_text = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      star_text = t;
    } else if (p < pattern.size() && (pattern[p] == '?' || Lower(pattern[p]) == Lower(text[t]))) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++star_text;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool TableMatches(const std::vector<std::string>& patterns, std::string_view schema_name,
                  std::string_view table) {
  if (patterns.empty()) return false;
  std::string qualified;
  qualified.append(schema_name).append(".").append(table);
  for (const auto& pattern : patterns) {
    if (GlobMatch(pattern, table) || GlobMatch(pattern, qualified)) return true;
  }
  return false;
}

bool ColumnMatches(const std::vector<std::string>& patterns, std::string_view schema_name,
                   std::string_view table, std::string_view column) {
  if (patterns.empty()) return false;
  std::string short_name;
  short_name.append(table).append(".").append(column);
  std::string qualified;
  qualified.append(schema_name).append(".").append(short_name);
  for (const auto& pattern : patterns) {
    if (GlobMatch(pattern, short_name) || GlobMatch(pattern, qualified)) return true;
  }
  return false;
}

}  // namespace pgmcp::schema

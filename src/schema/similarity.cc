#include "schema/similarity.h"

#include <algorithm>
#include <array>
#include <limits>
#include <vector>

namespace pgmcp::schema {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

constexpr std::array<std::string_view, 19> kSuffixes = {
    "_archive", "_archived", "_archives", "_old",  "_history", "_hist",   "_backup",
    "_backups", "_bak",      "_tmp",      "_temp", "_copy",    "_legacy", "_new",
    "_staging", "_stage",    "_snapshot", "_log",  "_deleted"};
constexpr std::array<std::string_view, 12> kPrefixes = {
    "archive_", "archived_", "old_", "tmp_", "temp_", "backup_",
    "bak_",     "legacy_",   "new_", "stg_", "staging_", "deleted_"};

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() > suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() > prefix.size() && s.substr(0, prefix.size()) == prefix;
}

// "_v2", "_v10", "_2", "_2023": version and year suffixes.
size_t VersionSuffixLength(std::string_view s) {
  size_t i = s.size();
  while (i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9') --i;
  if (i == s.size()) return 0;
  if (i > 0 && s[i - 1] == 'v') --i;
  if (i > 1 && s[i - 1] == '_') return s.size() - (i - 1);
  return 0;
}

}  // namespace

namespace {

// The edit distance, or any value above `limit` as soon as the distance must exceed it (Ukkonen's
// cut-off: once every cell of a row exceeds the limit, the distance does too).
size_t CappedEditDistance(std::string_view a, std::string_view b, size_t limit) {
  if ((a.size() > b.size() ? a.size() - b.size() : b.size() - a.size()) > limit) return limit + 1;
  // PostgreSQL names have at most 63 bytes: a stack row avoids an allocation per pair.
  std::array<size_t, 64> stack_row;
  std::vector<size_t> heap_row;
  size_t* row = stack_row.data();
  if (b.size() + 1 > stack_row.size()) {
    heap_row.resize(b.size() + 1);
    row = heap_row.data();
  }
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    size_t row_min = row[0];
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
      row_min = std::min(row_min, row[j]);
    }
    if (row_min > limit) return limit + 1;
  }
  return row[b.size()];
}

}  // namespace

size_t EditDistance(std::string_view a, std::string_view b) {
  return CappedEditDistance(a, b, std::numeric_limits<size_t>::max() - 1);
}

bool WithinEditDistance(std::string_view a, std::string_view b, size_t limit) {
  return CappedEditDistance(a, b, limit) <= limit;
}

std::string SimilarityStem(std::string_view table) {
  std::string s = Lower(table);
  bool stripped = false;
  for (auto suffix : kSuffixes) {
    if (EndsWith(s, suffix)) {
      s.resize(s.size() - suffix.size());
      stripped = true;
      break;
    }
  }
  if (!stripped) {
    if (size_t n = VersionSuffixLength(s); n > 0) {
      s.resize(s.size() - n);
      stripped = true;
    }
  }
  if (!stripped) {
    for (auto prefix : kPrefixes) {
      if (StartsWith(s, prefix)) {
        s.erase(0, prefix.size());
        break;
      }
    }
  }
  if (s.size() > 1 && s.back() == 's') s.pop_back();
  return s;
}

SimilarityKey MakeSimilarityKey(std::string_view table) {
  SimilarityKey key;
  key.lower = Lower(table);
  key.stem = SimilarityStem(key.lower);
  return key;
}

bool AreSimilar(const SimilarityKey& a, const SimilarityKey& b) {
  const std::string& la = a.lower;
  const std::string& lb = b.lower;
  if (la == lb) return true;  // same name in two schemas
  if (a.stem == b.stem) return true;
  const std::string& shorter = la.size() <= lb.size() ? la : lb;
  const std::string& longer = la.size() <= lb.size() ? lb : la;
  if (longer.compare(0, shorter.size(), shorter) == 0 && longer[shorter.size()] == '_') return true;
  // The length difference bounds the distance from below: most pairs stop here.
  if (shorter.size() < 5 || longer.size() - shorter.size() > 2) return false;
  return WithinEditDistance(la, lb, 2);
}

bool AreSimilarTableNames(std::string_view a, std::string_view b) {
  return AreSimilar(MakeSimilarityKey(a), MakeSimilarityKey(b));
}

}  // namespace pgmcp::schema

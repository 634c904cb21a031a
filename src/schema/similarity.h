// Which exposed tables a model could confuse (docs/reference.md, "Tools": similar tables), so that each of their
// descriptions can say "Do NOT use this tool for …" and name the other tool.
#pragma once

#include <string>
#include <string_view>

namespace pgmcp::schema {

// Levenshtein distance between two byte strings.
// EditDistance(a, b) <= limit, stopping as soon as that is impossible.
bool WithinEditDistance(std::string_view a, std::string_view b, size_t limit);
size_t EditDistance(std::string_view a, std::string_view b);

// What the comparison needs of one name, computed once per table: comparing every pair of a
// 1,000-table schema must stay cheap.
struct SimilarityKey {
  std::string lower;
  std::string stem;
};
SimilarityKey MakeSimilarityKey(std::string_view table);
bool AreSimilar(const SimilarityKey& a, const SimilarityKey& b);

// The name lower-cased, without one common affix (_archive, _old, old_, _v2, ...) and then
// without a plural `s`.
std::string SimilarityStem(std::string_view table);

// True for two names of different tables that a model could mix up: equal stems, one a prefix
// of the other at a `_` boundary, or an edit distance of at most 2. Deviation from the letter
// of that rule: the edit-distance rule needs the shorter name to have at least 5 characters,
// otherwise every pair of short names (jobs/logs, tags/tasks) would be "similar".
bool AreSimilarTableNames(std::string_view a, std::string_view b);

}  // namespace pgmcp::schema

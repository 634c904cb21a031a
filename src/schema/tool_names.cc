#include "schema/tool_names.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

namespace pgmcp::schema {

uint64_t Fnv1a64(std::string_view data) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : data) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::string SanitizeToolName(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (char ch : raw) {
    char c = ch;
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) c = '_';
    if (c == '_' && !out.empty() && out.back() == '_') continue;
    out.push_back(c);
  }
  return out;
}

std::string BaseToolName(std::string_view schema_name, std::string_view table,
                         std::string_view first_schema) {
  std::string raw = "query_";
  if (schema_name != first_schema) raw.append(schema_name).append("_");
  raw.append(table);
  return SanitizeToolName(raw);
}

std::string HashedToolName(std::string_view name, std::string_view qualified, uint32_t salt) {
  std::string key(qualified);
  // A salt only when a hashed name itself collides (practically never); salt 0 keeps the
  // documented hash of the qualified name.
  if (salt != 0) key += "#" + std::to_string(salt);
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, "_%06llx",
                static_cast<unsigned long long>(Fnv1a64(key) & 0xffffffULL));
  std::string cut(name.substr(0, kMaxToolNameLength - 7));
  while (!cut.empty() && cut.back() == '_') cut.pop_back();  // keep runs of `_` collapsed
  return cut + suffix;
}

void AssignToolNames(std::vector<Table>& tables, std::string_view first_schema) {
  std::map<std::string, std::vector<size_t>> groups;
  for (size_t i = 0; i < tables.size(); ++i) {
    groups[BaseToolName(tables[i].schema, tables[i].name, first_schema)].push_back(i);
  }
  std::set<std::string> taken;
  std::vector<std::pair<size_t, std::string>> needs_hash;  // index, base name
  for (auto& [base, members] : groups) {
    auto canonical = [&](size_t i) {
      const Table& t = tables[i];
      return SanitizeToolName(t.name) == t.name && SanitizeToolName(t.schema) == t.schema;
    };
    std::sort(members.begin(), members.end(), [&](size_t a, size_t b) {
      bool ca = canonical(a), cb = canonical(b);
      if (ca != cb) return ca;
      return tables[a].QualifiedName() < tables[b].QualifiedName();
    });
    for (size_t k = 0; k < members.size(); ++k) {
      if (k == 0 && base.size() <= kMaxToolNameLength) {
        tables[members[k]].tool_name = base;
        taken.insert(base);
      } else {
        needs_hash.emplace_back(members[k], base);
      }
    }
  }
  // Hashed names are assigned after every plain name is taken, in qualified-name order, so
  // the result does not depend on the order of `tables`.
  std::sort(needs_hash.begin(), needs_hash.end(), [&](const auto& a, const auto& b) {
    return tables[a.first].QualifiedName() < tables[b.first].QualifiedName();
  });
  for (const auto& [index, base] : needs_hash) {
    Table& t = tables[index];
    std::string name;
    for (uint32_t salt = 0;; ++salt) {
      name = HashedToolName(base, t.QualifiedName(), salt);
      if (!taken.count(name)) break;
    }
    taken.insert(name);
    t.tool_name = name;
  }
}

}  // namespace pgmcp::schema

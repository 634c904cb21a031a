// Tool names (docs/reference.md, "Tools"): query_<table> for the first exposed schema, query_<schema>_<table>
// otherwise; lower-case [a-z0-9_], at most 64 characters, unique (hash suffix when needed).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "schema/snapshot.h"

namespace pgmcp::schema {

inline constexpr size_t kMaxToolNameLength = 64;

// FNV-1a, 64 bits: stable across runs, machines and compilers (unlike std::hash).
uint64_t Fnv1a64(std::string_view data);

// Lower-cases ASCII, turns every byte outside [a-z0-9_] into `_` (a non-ASCII character is
// several bytes, so several `_`) and collapses runs of `_`.
std::string SanitizeToolName(std::string_view raw);

// The name before length and collision handling.
std::string BaseToolName(std::string_view schema_name, std::string_view table,
                         std::string_view first_schema);

// `name` cut so that `_` + 6 hex digits of Fnv1a64(qualified) fit in 64 characters.
std::string HashedToolName(std::string_view name, std::string_view qualified, uint32_t salt = 0);

// Sets Table::tool_name for every table. Deterministic whatever the order of `tables`: within a
// group of colliding names the table whose own name already is the sanitized form (then the
// byte-wise smallest qualified name) keeps the plain name; the others get a hash suffix.
void AssignToolNames(std::vector<Table>& tables, std::string_view first_schema);

}  // namespace pgmcp::schema

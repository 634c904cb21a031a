// Glob patterns of the [schema] settings (include_tables, exclude_tables, exclude_columns):
// case-insensitive, `*` matches any run of characters and `?` one byte (docs/reference.md, "Configuration").
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pgmcp::schema {

// True when `text` matches `pattern` as a whole, ignoring ASCII case.
bool GlobMatch(std::string_view pattern, std::string_view text);

// True when any pattern matches `table` or `schema.table`.
bool TableMatches(const std::vector<std::string>& patterns, std::string_view schema_name,
                  std::string_view table);

// True when any pattern matches `table.column` or `schema.table.column`.
bool ColumnMatches(const std::vector<std::string>& patterns, std::string_view schema_name,
                   std::string_view table, std::string_view column);

}  // namespace pgmcp::schema

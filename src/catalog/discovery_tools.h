// The three tools of discovery mode (docs/reference.md, "Discovery mode"): find_tables,
// describe_table and query_table, whose definitions cost the same whatever the number of tables.
#pragma once

#include <boost/json/array.hpp>
#include <string_view>

#include "query/query.h"

namespace pgmcp::catalog {

inline constexpr std::string_view kFindTables = "find_tables";
inline constexpr std::string_view kDescribeTable = "describe_table";
inline constexpr std::string_view kQueryTable = "query_table";

// find_tables pages: limit 1..kMaxFindTablesLimit, kDefaultFindTablesLimit when absent.
inline constexpr int64_t kDefaultFindTablesLimit = 20;
inline constexpr int64_t kMaxFindTablesLimit = 100;

bool IsDiscoveryTool(std::string_view name);

// The tools/list entries of the three tools (name, title, description, inputSchema, annotations;
// outputSchema where the result has the query-result shape). Only `options`' limits show.
boost::json::array DiscoveryToolEntries(const query::QueryOptions& options);

}  // namespace pgmcp::catalog

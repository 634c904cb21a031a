// ToolCatalog: everything pgmcp serves about one schema snapshot — the tools/list result, the
// schema resources and their contents — built once per snapshot, immutable, shared by readers.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "query/query.h"
#include "schema/snapshot.h"

namespace pgmcp::catalog {

inline constexpr std::string_view kSchemaResourceUri = "pgmcp://schema";
inline constexpr std::string_view kJsonMimeType = "application/json";
// A schema of a thousand tables is megabytes of tool JSON; clients page through it (MCP cursors).
inline constexpr size_t kToolsPerPage = 200;

struct ToolCatalog {
  boost::json::array tools;                            // tools/list entries, in tool-name order
  std::shared_ptr<const std::string> tools_list;       // serialized {"tools":[...]}, every tool
  // tools/list pages of kToolsPerPage tools: {"tools":[...],"nextCursor":"p:N"} but the last.
  std::vector<std::shared_ptr<const std::string>> tools_pages;
  boost::json::array resources;                        // resources/list entries
  std::shared_ptr<const std::string> resources_list;   // serialized {"resources":[...]}
  std::map<std::string, std::string, std::less<>> resource_reads;  // uri -> serialized {"contents":[...]}

  // The tools/list page a cursor names ("" is the first), or nullptr for a cursor never issued.
  std::shared_ptr<const std::string> ToolsPage(std::string_view cursor) const;

  // The serialized resources/read result for `uri`, or nullopt for an unknown one.
  std::optional<std::string> ReadResource(std::string_view uri) const;
};

// One tools/list entry: name, title, description, inputSchema, outputSchema, annotations.
boost::json::object ToolEntry(const schema::Table& table, const query::QueryOptions& options);

// pgmcp://schema/<schema>/<table>, each part percent-encoded (RFC 3986 unreserved kept).
std::string TableResourceUri(const schema::Table& table);

// The JSON structure of one table (resource contents) and the overview of all tables.
boost::json::object TableStructure(const schema::Table& table);
boost::json::object SchemaOverview(const schema::SchemaSnapshot& snapshot);

ToolCatalog BuildToolCatalog(const schema::SchemaSnapshot& snapshot, const query::QueryOptions& options);

}  // namespace pgmcp::catalog

// ToolCatalog: everything pgmcp serves about one schema snapshot — the tools/list result, the
// schema resources and their contents — built once per snapshot, immutable, shared by readers.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/table_directory.h"
#include "config/settings.h"
#include "query/query.h"
#include "schema/snapshot.h"

namespace pgmcp::catalog {

inline constexpr std::string_view kSchemaResourceUri = "pgmcp://schema";
inline constexpr std::string_view kJsonMimeType = "application/json";
// A schema of a thousand tables is megabytes of tool JSON; clients page through it (MCP cursors).
inline constexpr size_t kToolsPerPage = 200;

// How tools are chosen for a snapshot (docs/reference.md, "Discovery mode").
struct CatalogOptions {
  config::ToolMode tool_mode = config::ToolMode::kAuto;
  int64_t max_table_tools = 40;             // auto: discovery above this many tables
  std::vector<std::string> pinned_tables;   // globs: tables that keep their own tool in discovery mode
  std::string first_schema = "public";      // whose tables find_tables names without a schema
};

struct ToolCatalog {
  // Discovery mode: find_tables, describe_table and query_table are served, and only the pinned
  // tables keep a tool of their own.
  bool discovery = false;
  // The per-table tools tools/list names (every table's, or the pinned ones'): only these are callable.
  std::set<std::string, std::less<>> table_tools;
  std::shared_ptr<const TableDirectory> directory;     // discovery mode only: what find_tables searches
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

  // True when tools/list names `name` (a per-table tool, or a discovery tool in discovery mode).
  bool HasTool(std::string_view name) const;
};

// The annotations of every pgmcp tool: read-only, idempotent, closed world.
boost::json::object ReadOnlyAnnotations();

// JSON pieces every table listing shares: a list of names, and a row estimate (null when the
// table was never analyzed, else rounded to a whole number).
boost::json::array Strings(const std::vector<std::string>& values);
boost::json::value RowEstimate(double estimate);

// One tools/list entry: name, title, description, inputSchema, outputSchema, annotations.
boost::json::object ToolEntry(const schema::Table& table, const query::QueryOptions& options);

// pgmcp://schema/<schema>/<table>, each part percent-encoded (RFC 3986 unreserved kept).
std::string TableResourceUri(const schema::Table& table);

// The JSON structure of one table (resource contents) and the overview of all tables.
boost::json::object TableStructure(const schema::Table& table);
boost::json::object SchemaOverview(const schema::SchemaSnapshot& snapshot);

// True when `snapshot` gets the discovery tools: tool_mode discovery, or auto with more than
// max_table_tools tables.
bool UsesDiscovery(const schema::SchemaSnapshot& snapshot, const CatalogOptions& catalog_options);

// The catalog of `snapshot` as given (for per-caller lists: the caller's filtered snapshot): the
// mode is decided from this snapshot's tables alone.
ToolCatalog BuildToolCatalog(const schema::SchemaSnapshot& snapshot, const query::QueryOptions& options,
                             const CatalogOptions& catalog_options = {});

}  // namespace pgmcp::catalog

#include "catalog/tool_catalog.h"

#include <algorithm>

#include <boost/json/serialize.hpp>

#include "catalog/discovery_tools.h"
#include "schema/glob.h"

namespace pgmcp::catalog {
namespace {

namespace json = boost::json;
using schema::Column;
using schema::RelationKind;
using schema::Table;

std::string PercentEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

const char* KindName(RelationKind kind) {
  switch (kind) {
    case RelationKind::kView: return "view";
    case RelationKind::kMaterializedView: return "materialized_view";
    case RelationKind::kPartitionedTable: return "partitioned_table";
    case RelationKind::kForeignTable: return "foreign_table";
    case RelationKind::kTable: break;
  }
  return "table";
}

const char* ValuesSourceName(Column::ValuesSource source) {
  switch (source) {
    case Column::ValuesSource::kEnum: return "enum";
    case Column::ValuesSource::kCheck: return "check";
    case Column::ValuesSource::kStatistics: return "statistics";
    case Column::ValuesSource::kNone: break;
  }
  return "none";
}

json::object ResourceEntry(std::string uri, std::string name, std::string title, std::string description) {
  return {{"uri", std::move(uri)},
          {"name", std::move(name)},
          {"title", std::move(title)},
          {"description", std::move(description)},
          {"mimeType", kJsonMimeType}};
}

std::string ReadResult(std::string_view uri, const json::object& contents) {
  json::object text_contents{{"uri", uri}, {"mimeType", kJsonMimeType}, {"text", json::serialize(contents)}};
  return json::serialize(json::object{{"contents", json::array{std::move(text_contents)}}});
}

}  // namespace

json::array Strings(const std::vector<std::string>& v) {
  json::array a;
  a.reserve(v.size());
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

json::value RowEstimate(double estimate) {
  if (!(estimate >= 0)) return nullptr;
  return static_cast<int64_t>(estimate + 0.5);
}

std::optional<std::string> ToolCatalog::ReadResource(std::string_view uri) const {
  auto it = resource_reads.find(uri);
  if (it == resource_reads.end()) return std::nullopt;
  return it->second;
}

bool ToolCatalog::HasTool(std::string_view name) const {
  return table_tools.contains(name) || (discovery && IsDiscoveryTool(name));
}

json::object ReadOnlyAnnotations() {
  return {{"readOnlyHint", true}, {"destructiveHint", false}, {"idempotentHint", true}, {"openWorldHint", false}};
}

json::object ToolEntry(const Table& table, const query::QueryOptions& options) {
  json::object entry{{"name", table.tool_name},
                     {"title", table.title},
                     {"description", table.description},
                     {"inputSchema", query::InputSchema(table, options)}};
  // Without structuredContent an outputSchema would promise what results no longer carry (MCP: a
  // tool with an outputSchema must return structured results).
  if (options.structured_content) entry["outputSchema"] = query::OutputSchema(table);
  entry["annotations"] = ReadOnlyAnnotations();
  return entry;
}

std::string TableResourceUri(const Table& table) {
  return std::string(kSchemaResourceUri) + "/" + PercentEncode(table.schema) + "/" + PercentEncode(table.name);
}

json::object TableStructure(const Table& table) {
  json::array columns;
  for (const auto& c : table.columns) {
    json::object col{{"name", c.name}, {"type", c.type.sql_name}, {"nullable", c.nullable}};
    if (!c.type.domain.empty()) col["domain"] = c.type.domain;
    if (!c.comment.empty()) col["comment"] = c.comment;
    if (!c.allowed_values.empty()) {
      col["values"] = Strings(c.allowed_values);
      col["values_source"] = ValuesSourceName(c.values_source);
    }
    columns.emplace_back(std::move(col));
  }
  json::array unique_keys;
  for (const auto& key : table.unique_keys) unique_keys.emplace_back(Strings(key));
  json::array foreign_keys;
  for (const auto& fk : table.foreign_keys) {
    foreign_keys.emplace_back(json::object{
        {"columns", Strings(fk.columns)},
        {"references", {{"schema", fk.ref_schema}, {"table", fk.ref_table}, {"columns", Strings(fk.ref_columns)}}}});
  }
  json::array referenced_by;
  for (const auto& r : table.referenced_by) {
    referenced_by.emplace_back(json::object{{"schema", r.schema},
                                            {"table", r.table},
                                            {"columns", Strings(r.columns)},
                                            {"ref_columns", Strings(r.ref_columns)}});
  }
  // The owner is left out on purpose: role names are not the callers' business.
  return {{"schema", table.schema},
          {"name", table.name},
          {"kind", KindName(table.kind)},
          {"tool", table.tool_name},
          {"comment", table.comment},
          {"row_estimate", RowEstimate(table.row_estimate)},
          {"row_level_security", table.row_security},
          {"columns", std::move(columns)},
          {"primary_key", Strings(table.primary_key)},
          {"unique_keys", std::move(unique_keys)},
          {"foreign_keys", std::move(foreign_keys)},
          {"referenced_by", std::move(referenced_by)}};
}

json::object SchemaOverview(const schema::SchemaSnapshot& snapshot) {
  json::array tables;
  json::array relationships;
  for (const auto& t : snapshot.tables) {
    tables.emplace_back(json::object{{"schema", t.schema},
                                     {"name", t.name},
                                     {"kind", KindName(t.kind)},
                                     {"tool", t.tool_name},
                                     {"uri", TableResourceUri(t)},
                                     {"comment", t.comment},
                                     {"row_estimate", RowEstimate(t.row_estimate)}});
    for (const auto& fk : t.foreign_keys) {
      relationships.emplace_back(json::object{
          {"from", {{"schema", t.schema}, {"table", t.name}, {"columns", Strings(fk.columns)}}},
          {"to", {{"schema", fk.ref_schema}, {"table", fk.ref_table}, {"columns", Strings(fk.ref_columns)}}}});
    }
  }
  return {{"tables", std::move(tables)}, {"relationships", std::move(relationships)}};
}

std::shared_ptr<const std::string> ToolCatalog::ToolsPage(std::string_view cursor) const {
  if (cursor.empty()) return tools_pages.front();
  if (cursor.size() < 3 || cursor.substr(0, 2) != "p:") return nullptr;
  size_t index = 0;
  for (char c : cursor.substr(2)) {
    if (c < '0' || c > '9' || index > tools_pages.size()) return nullptr;
    index = index * 10 + static_cast<size_t>(c - '0');
  }
  return index < tools_pages.size() ? tools_pages[index] : nullptr;
}

bool UsesDiscovery(const schema::SchemaSnapshot& snapshot, const CatalogOptions& catalog_options) {
  switch (catalog_options.tool_mode) {
    case config::ToolMode::kPerTable: return false;
    case config::ToolMode::kDiscovery: return true;
    case config::ToolMode::kAuto: break;
  }
  return static_cast<int64_t>(snapshot.tables.size()) > catalog_options.max_table_tools;
}

ToolCatalog BuildToolCatalog(const schema::SchemaSnapshot& snapshot, const query::QueryOptions& options,
                             const CatalogOptions& catalog_options) {
  ToolCatalog catalog;
  catalog.discovery = UsesDiscovery(snapshot, catalog_options);
  if (catalog.discovery) {
    catalog.directory = std::make_shared<const TableDirectory>(snapshot, catalog_options.first_schema);
    catalog.tools = DiscoveryToolEntries(options);
  }
  for (const auto& table : snapshot.tables) {
    if (catalog.discovery) {
      // A pinned table named "table" would be a second query_table: it stays reachable through the first.
      bool pinned = schema::TableMatches(catalog_options.pinned_tables, table.schema, table.name);
      if (!pinned || IsDiscoveryTool(table.tool_name)) continue;
    }
    catalog.table_tools.insert(table.tool_name);
    catalog.tools.emplace_back(ToolEntry(table, options));
  }
  if (catalog.discovery) {
    std::sort(catalog.tools.begin(), catalog.tools.end(), [](const json::value& a, const json::value& b) {
      return a.at("name").as_string() < b.at("name").as_string();
    });
  }
  catalog.tools_list = std::make_shared<const std::string>(json::serialize(json::object{{"tools", catalog.tools}}));
  for (size_t start = 0; start == 0 || start < catalog.tools.size(); start += kToolsPerPage) {
    size_t end = std::min(catalog.tools.size(), start + kToolsPerPage);
    if (start == 0 && end == catalog.tools.size()) {
      catalog.tools_pages.push_back(catalog.tools_list);  // one page: the same bytes as the full list
      break;
    }
    json::object page{{"tools", json::array(catalog.tools.begin() + static_cast<long>(start),
                                            catalog.tools.begin() + static_cast<long>(end))}};
    if (end < catalog.tools.size()) page["nextCursor"] = "p:" + std::to_string(start / kToolsPerPage + 1);
    catalog.tools_pages.push_back(std::make_shared<const std::string>(json::serialize(page)));
  }

  std::string overview_uri(kSchemaResourceUri);
  catalog.resources.emplace_back(ResourceEntry(overview_uri, "schema", "Database schema",
                                               "Every exposed table and view with its tool and the foreign "
                                               "keys between them."));
  catalog.resource_reads.emplace(overview_uri, ReadResult(overview_uri, SchemaOverview(snapshot)));
  for (const auto& table : snapshot.tables) {
    std::string uri = TableResourceUri(table);
    catalog.resources.emplace_back(ResourceEntry(uri, table.QualifiedName(), table.title,
                                                 "Columns, types, keys and foreign keys of " +
                                                     table.QualifiedName() + "."));
    catalog.resource_reads.emplace(uri, ReadResult(uri, TableStructure(table)));
  }
  catalog.resources_list =
      std::make_shared<const std::string>(json::serialize(json::object{{"resources", catalog.resources}}));
  return catalog;
}

}  // namespace pgmcp::catalog

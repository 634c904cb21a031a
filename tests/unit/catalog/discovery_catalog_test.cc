// Discovery mode in the catalog: which mode a snapshot gets, what tools/list then holds, which
// tools are callable, and that the three tools' schemas are portable and table-independent.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "catalog/discovery_tools.h"
#include "catalog/tool_catalog.h"
#include "schema/snapshot_builder.h"

namespace pgmcp::catalog {
namespace {

namespace json = boost::json;

schema::Table MakeTable(std::string schema_name, std::string name) {
  schema::Table t;
  t.schema = std::move(schema_name);
  t.name = std::move(name);
  schema::Column id;
  id.name = "id";
  id.type.sql_name = "integer";
  id.type.cast_name = "integer";
  id.type.category = schema::TypeCategory::kInteger;
  id.type.int_bytes = 4;
  t.columns.push_back(id);
  t.primary_key = {"id"};
  return t;
}

// `n` tables t000..t(n-1) in public, plus `extra` as given.
schema::SchemaSnapshot Tables(size_t n, std::vector<schema::Table> extra = {}) {
  schema::SchemaSnapshot s;
  for (size_t i = 0; i < n; ++i) {
    std::string name = std::to_string(i);
    s.tables.push_back(MakeTable("public", "t" + std::string(name.size() < 3 ? 3 - name.size() : 0, '0') + name));
  }
  for (auto& t : extra) s.tables.push_back(std::move(t));
  config::Settings settings;
  settings.schemas = {"public", "sales"};
  schema::FinishSnapshot(s, settings);
  return s;
}

std::vector<std::string> ToolNames(const ToolCatalog& catalog) {
  std::vector<std::string> names;
  const json::value list = json::parse(*catalog.tools_list);
  for (const auto& tool : list.at("tools").as_array()) {
    names.emplace_back(tool.at("name").as_string());
  }
  return names;
}

TEST(ToolModeTest, AutoGivesOneToolPerTableUpToMaxTableToolsAndDiscoveryBeyond) {
  CatalogOptions options;  // auto, 40
  ToolCatalog at_limit = BuildToolCatalog(Tables(40), query::QueryOptions{}, options);
  EXPECT_FALSE(at_limit.discovery);
  EXPECT_EQ(ToolNames(at_limit).size(), 40u);
  EXPECT_EQ(at_limit.directory, nullptr);

  ToolCatalog beyond = BuildToolCatalog(Tables(41), query::QueryOptions{}, options);
  EXPECT_TRUE(beyond.discovery);
  EXPECT_EQ(ToolNames(beyond), (std::vector<std::string>{"describe_table", "find_tables", "query_table"}));
  ASSERT_NE(beyond.directory, nullptr);
  EXPECT_EQ(beyond.directory->size(), 41u);

  options.max_table_tools = 41;
  EXPECT_FALSE(BuildToolCatalog(Tables(41), query::QueryOptions{}, options).discovery)
      << "the decision reads max_table_tools";
}

TEST(ToolModeTest, ExplicitModesIgnoreTheTableCount) {
  CatalogOptions options;
  options.tool_mode = config::ToolMode::kDiscovery;
  ToolCatalog two = BuildToolCatalog(Tables(2), query::QueryOptions{}, options);
  EXPECT_TRUE(two.discovery);
  EXPECT_EQ(ToolNames(two).size(), 3u);

  options.tool_mode = config::ToolMode::kPerTable;
  ToolCatalog many = BuildToolCatalog(Tables(300), query::QueryOptions{}, options);
  EXPECT_FALSE(many.discovery);
  EXPECT_EQ(many.tools.size(), 300u);
  EXPECT_FALSE(many.HasTool("find_tables")) << "no discovery tools in per_table mode";
  EXPECT_TRUE(many.HasTool("query_t299"));
}

TEST(ToolModeTest, PinnedTablesKeepTheirToolInDiscoveryModeAndOnlyListedToolsAreCallable) {
  CatalogOptions options;
  options.pinned_tables = {"T001", "sales.*"};  // globs, case-insensitive, as include_tables
  ToolCatalog catalog = BuildToolCatalog(Tables(50, {MakeTable("sales", "orders")}), query::QueryOptions{}, options);
  ASSERT_TRUE(catalog.discovery);
  EXPECT_EQ(ToolNames(catalog), (std::vector<std::string>{"describe_table", "find_tables", "query_sales_orders",
                                                          "query_t001", "query_table"}));
  EXPECT_TRUE(catalog.HasTool("query_t001"));
  EXPECT_TRUE(catalog.HasTool("find_tables"));
  EXPECT_FALSE(catalog.HasTool("query_t002")) << "an unpinned table has no tool of its own in discovery mode";
  EXPECT_EQ(catalog.directory->size(), 51u) << "pinned tables are found and described too";
}

TEST(ToolModeTest, APinnedTableNamedTableDoesNotShadowQueryTable) {
  CatalogOptions options;
  options.tool_mode = config::ToolMode::kDiscovery;
  options.pinned_tables = {"*"};
  ToolCatalog catalog = BuildToolCatalog(Tables(1, {MakeTable("public", "table")}), query::QueryOptions{}, options);
  auto names = ToolNames(catalog);
  EXPECT_EQ(std::count(names.begin(), names.end(), "query_table"), 1);
  EXPECT_FALSE(catalog.table_tools.contains("query_table"));
  EXPECT_NE(catalog.directory->Find("table"), nullptr) << "still reachable through query_table";
}

// Every node of a discovery tool's input schema is what OpenAI strict mode, Gemini and the
// client adapters accept: one type per node, typed enums, no $schema, no default.
void ExpectPortable(const json::value& node, const std::string& path) {
  if (node.is_array()) {
    for (size_t i = 0; i < node.as_array().size(); ++i) ExpectPortable(node.as_array()[i], path + "/" + std::to_string(i));
    return;
  }
  if (!node.is_object()) return;
  const auto& o = node.as_object();
  EXPECT_FALSE(o.contains("$schema")) << path;
  EXPECT_FALSE(o.contains("default")) << path;
  if (const auto* type = o.if_contains("type")) {
    EXPECT_TRUE(type->is_string()) << path << ": one type per node";
  }
  if (o.contains("enum")) {
    EXPECT_TRUE(o.contains("type")) << path << ": an enum carries its type";
  }
  for (const auto& kv : o) ExpectPortable(kv.value(), path + "/" + std::string(kv.key()));
}

TEST(DiscoveryToolsTest, SchemasArePortableAndTheSameWhateverTheTables) {
  query::QueryOptions options;
  json::array tools = DiscoveryToolEntries(options);
  ASSERT_EQ(tools.size(), 3u);
  for (const auto& tool : tools) {
    ExpectPortable(tool.at("inputSchema"), std::string(tool.at("name").as_string()));
    EXPECT_EQ(tool.at("inputSchema").at("additionalProperties"), false);
    EXPECT_EQ(tool.at("annotations").at("readOnlyHint"), true);
  }
  EXPECT_EQ(tools[2].at("inputSchema").at("required"), json::array{"table"});
  EXPECT_EQ(tools[2].at("inputSchema").at("properties").at("limit").at("maximum"), options.limits.max_rows);

  CatalogOptions discovery;
  discovery.tool_mode = config::ToolMode::kDiscovery;
  EXPECT_EQ(*BuildToolCatalog(Tables(10), options, discovery).tools_list,
            *BuildToolCatalog(Tables(1000), options, discovery).tools_list)
      << "the three tools cost the same for 10 tables as for 1000";
}

}  // namespace
}  // namespace pgmcp::catalog

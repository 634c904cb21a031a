#include "catalog/tool_catalog.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "catalog/pretty_json.h"
#include "schema/snapshot_builder.h"

namespace pgmcp::catalog {
namespace {

namespace json = boost::json;
using schema::Column;
using schema::TypeCategory;

schema::SchemaSnapshot Snapshot() {
  schema::Table customers;
  customers.schema = "public";
  customers.name = "customers";
  customers.row_estimate = 10;
  Column id;
  id.name = "id";
  id.type.sql_name = "integer";
  id.type.cast_name = "integer";
  id.type.category = TypeCategory::kInteger;
  id.type.int_bytes = 4;
  id.nullable = false;
  customers.columns.push_back(id);
  customers.primary_key = {"id"};
  customers.referenced_by.push_back(schema::Reference{"sales", "Big Orders", {"customer_id"}, {"id"}});

  schema::Table orders;
  orders.schema = "sales";
  orders.name = "Big Orders";
  Column customer_id = id;
  customer_id.name = "customer_id";
  orders.columns.push_back(customer_id);
  orders.foreign_keys.push_back(schema::ForeignKey{{"customer_id"}, "public", "customers", {"id"}});

  schema::SchemaSnapshot s;
  s.tables = {customers, orders};
  config::Settings settings;
  settings.schemas = {"public", "sales"};
  schema::FinishSnapshot(s, settings);
  return s;
}

TEST(ToolCatalogTest, ToolsListHasEveryToolWithAnnotations) {
  auto catalog = BuildToolCatalog(Snapshot(), query::QueryOptions{});
  json::value list = json::parse(*catalog.tools_list);
  const auto& tools = list.at("tools").as_array();
  ASSERT_EQ(tools.size(), 2u);
  EXPECT_EQ(tools[0].at("name"), "query_customers");
  EXPECT_EQ(tools[1].at("name"), "query_sales_big_orders");
  for (const auto& tool : tools) {
    EXPECT_TRUE(tool.as_object().contains("title"));
    EXPECT_TRUE(tool.as_object().contains("description"));
    EXPECT_EQ(tool.at("inputSchema").at("type"), "object");
    EXPECT_EQ(tool.at("outputSchema").at("type"), "object");
    const auto& a = tool.at("annotations");
    EXPECT_EQ(a.at("readOnlyHint"), true);
    EXPECT_EQ(a.at("destructiveHint"), false);
    EXPECT_EQ(a.at("idempotentHint"), true);
    EXPECT_EQ(a.at("openWorldHint"), false);
  }
}

TEST(ToolCatalogTest, WithoutStructuredContentNoToolDeclaresAnOutputSchema) {
  query::QueryOptions options;
  options.structured_content = false;  // query.structured_content = false
  auto catalog = BuildToolCatalog(Snapshot(), options);
  json::value list = json::parse(*catalog.tools_list);
  for (const auto& tool : list.at("tools").as_array()) {
    EXPECT_FALSE(tool.as_object().contains("outputSchema")) << tool;
    EXPECT_EQ(tool.at("inputSchema").at("type"), "object");
    EXPECT_EQ(tool.at("annotations").at("readOnlyHint"), true);
  }
}

TEST(ToolCatalogTest, ResourcesListAndRead) {
  auto catalog = BuildToolCatalog(Snapshot(), query::QueryOptions{});
  json::value list = json::parse(*catalog.resources_list);
  const auto& resources = list.at("resources").as_array();
  ASSERT_EQ(resources.size(), 3u);
  EXPECT_EQ(resources[0].at("uri"), "pgmcp://schema");
  EXPECT_EQ(resources[1].at("uri"), "pgmcp://schema/public/customers");
  EXPECT_EQ(resources[2].at("uri"), "pgmcp://schema/sales/Big%20Orders");
  for (const auto& r : resources) EXPECT_EQ(r.at("mimeType"), "application/json");

  auto read = catalog.ReadResource("pgmcp://schema/sales/Big%20Orders");
  ASSERT_TRUE(read);
  json::value result = json::parse(*read);
  const auto& contents = result.at("contents").as_array();
  ASSERT_EQ(contents.size(), 1u);
  EXPECT_EQ(contents[0].at("uri"), "pgmcp://schema/sales/Big%20Orders");
  json::value table = json::parse(contents[0].at("text").as_string());
  EXPECT_EQ(table.at("name"), "Big Orders");
  EXPECT_EQ(table.at("tool"), "query_sales_big_orders");
  EXPECT_EQ(table.at("foreign_keys").at(0).at("references").at("table"), "customers");
  EXPECT_FALSE(table.as_object().contains("owner"));

  auto overview = catalog.ReadResource("pgmcp://schema");
  ASSERT_TRUE(overview);
  json::value o = json::parse(json::parse(*overview).at("contents").at(0).at("text").as_string());
  EXPECT_EQ(o.at("tables").as_array().size(), 2u);
  ASSERT_EQ(o.at("relationships").as_array().size(), 1u);
  EXPECT_EQ(o.at("relationships").at(0).at("from").at("table"), "Big Orders");

  EXPECT_FALSE(catalog.ReadResource("pgmcp://schema/public/nope"));
  EXPECT_FALSE(catalog.ReadResource("pgmcp://schema/sales/Big Orders"));
}

TEST(PrettyJsonTest, DeterministicLayout) {
  json::value v = {{"b", 1}, {"a", json::array{1, "x", json::object{}}}, {"c", json::array{}}};
  EXPECT_EQ(PrettyJson(v),
            "{\n  \"b\": 1,\n  \"a\": [\n    1,\n    \"x\",\n    {}\n  ],\n  \"c\": []\n}\n");
  EXPECT_EQ(json::parse(PrettyJson(v)), v);
}

}  // namespace
}  // namespace pgmcp::catalog

namespace pgmcp::catalog {
namespace {

TEST(ToolCatalogPagingTest, LargeSchemasArePagedWithCursorsAndSmallOnesAreOnePage) {
  schema::SchemaSnapshot big;
  for (size_t i = 0; i < kToolsPerPage * 2 + 5; ++i) {
    schema::Table t;
    t.schema = "public";
    t.name = "t" + std::to_string(i);
    t.tool_name = "query_" + t.name;
    t.description = "Table " + t.name;
    schema::Column c;
    c.name = "id";
    c.type.category = schema::TypeCategory::kInteger;
    c.type.int_bytes = 4;
    c.type.sql_name = "integer";
    c.type.cast_name = "integer";
    t.columns.push_back(c);
    big.tables.push_back(std::move(t));
  }
  CatalogOptions per_table;
  per_table.tool_mode = config::ToolMode::kPerTable;  // paging is about one tool per table
  ToolCatalog catalog = BuildToolCatalog(big, query::QueryOptions{}, per_table);
  ASSERT_EQ(catalog.tools_pages.size(), 3u);
  size_t seen = 0;
  std::string cursor;
  for (int page = 0; page < 3; ++page) {
    auto text = catalog.ToolsPage(cursor);
    ASSERT_NE(text, nullptr) << cursor;
    auto v = boost::json::parse(*text);
    seen += v.at("tools").as_array().size();
    cursor = v.as_object().contains("nextCursor") ? std::string(v.at("nextCursor").as_string()) : "";
  }
  EXPECT_EQ(seen, big.tables.size());
  EXPECT_TRUE(cursor.empty()) << "the last page has no nextCursor";
  EXPECT_EQ(catalog.ToolsPage("p:3"), nullptr);
  EXPECT_EQ(catalog.ToolsPage("p:-1"), nullptr);
  EXPECT_EQ(catalog.ToolsPage("p:99999999999999999999999"), nullptr);
  EXPECT_EQ(catalog.ToolsPage("garbage"), nullptr);

  big.tables.resize(3);
  ToolCatalog small = BuildToolCatalog(big, query::QueryOptions{}, per_table);
  ASSERT_EQ(small.tools_pages.size(), 1u);
  EXPECT_EQ(*small.ToolsPage(""), *small.tools_list) << "one page is exactly the full list";
}

}  // namespace
}  // namespace pgmcp::catalog

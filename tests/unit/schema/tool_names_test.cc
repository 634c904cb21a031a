#include "schema/tool_names.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

namespace pgmcp::schema {
namespace {

Table MakeTable(std::string schema_name, std::string name) {
  Table t;
  t.schema = std::move(schema_name);
  t.name = std::move(name);
  return t;
}

bool IsValidName(const std::string& name) {
  if (name.empty() || name.size() > kMaxToolNameLength) return false;
  if (name.find("__") != std::string::npos) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

TEST(ToolNamesTest, Fnv1aKnownVectors) {
  // Published FNV-1a 64 test vectors: the hash must never change, tool names depend on it.
  EXPECT_EQ(Fnv1a64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(Fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(Fnv1a64("foobar"), 0x85944171f73967e8ULL);
}

TEST(ToolNamesTest, FirstSchemaIsBareOthersQualified) {
  EXPECT_EQ(BaseToolName("public", "orders", "public"), "query_orders");
  EXPECT_EQ(BaseToolName("sales", "orders", "public"), "query_sales_orders");
}

TEST(ToolNamesTest, MixedCaseAndQuotedNames) {
  EXPECT_EQ(BaseToolName("public", "OrderItems", "public"), "query_orderitems");
  EXPECT_EQ(BaseToolName("public", "Event Log", "public"), "query_event_log");
  EXPECT_EQ(BaseToolName("public", "a--b..c", "public"), "query_a_b_c");
  EXPECT_EQ(BaseToolName("My Schema", "\"Quoted\"", "public"), "query_my_schema_quoted_");
  EXPECT_EQ(SanitizeToolName("__x__"), "_x_");
}

TEST(ToolNamesTest, NonAsciiBecomesUnderscores) {
  EXPECT_EQ(BaseToolName("public", "Ünïcødé", "public"), "query_n_c_d_");
  EXPECT_EQ(BaseToolName("public", "顧客", "public"), "query_");
}

TEST(ToolNamesTest, LongNamesAreCutWithHashSuffix) {
  std::vector<Table> tables = {MakeTable("public", std::string(100, 'x'))};
  AssignToolNames(tables, "public");
  const std::string& name = tables[0].tool_name;
  EXPECT_EQ(name.size(), kMaxToolNameLength);
  EXPECT_TRUE(IsValidName(name)) << name;
  char expected[8];
  std::snprintf(expected, sizeof expected, "_%06llx",
                static_cast<unsigned long long>(Fnv1a64("public." + std::string(100, 'x')) & 0xffffff));
  EXPECT_EQ(name.substr(name.size() - 7), expected);
  EXPECT_EQ(name.substr(0, 6), "query_");
}

TEST(ToolNamesTest, ExactlySixtyFourCharactersIsKept) {
  std::string table(64 - 6, 'y');
  std::vector<Table> tables = {MakeTable("public", table)};
  AssignToolNames(tables, "public");
  EXPECT_EQ(tables[0].tool_name, "query_" + table);
}

TEST(ToolNamesTest, CutNeverLeavesDoubleUnderscore) {
  // The cut lands right after a `_`: the suffix must not make a run of two.
  std::string table = std::string(50, 'a') + "_" + std::string(40, 'b');
  std::vector<Table> tables = {MakeTable("public", table)};
  AssignToolNames(tables, "public");
  EXPECT_TRUE(IsValidName(tables[0].tool_name)) << tables[0].tool_name;
}

TEST(ToolNamesTest, CollisionsKeepCanonicalNameAndHashTheOthers) {
  std::vector<Table> tables = {MakeTable("public", "Orders"), MakeTable("public", "orders"),
                               MakeTable("public", "ORDERS")};
  AssignToolNames(tables, "public");
  EXPECT_EQ(tables[1].tool_name, "query_orders");
  EXPECT_NE(tables[0].tool_name, "query_orders");
  EXPECT_NE(tables[2].tool_name, "query_orders");
  EXPECT_NE(tables[0].tool_name, tables[2].tool_name);
  for (const auto& t : tables) EXPECT_TRUE(IsValidName(t.tool_name)) << t.tool_name;
  EXPECT_EQ(tables[0].tool_name.rfind("query_orders_", 0), 0u);
}

TEST(ToolNamesTest, CollisionAcrossSchemasWithSchemaPrefix) {
  // public."sales orders" and sales.orders both sanitize to query_sales_orders.
  std::vector<Table> tables = {MakeTable("public", "sales orders"), MakeTable("sales", "orders")};
  AssignToolNames(tables, "public");
  EXPECT_EQ(tables[1].tool_name, "query_sales_orders");
  EXPECT_NE(tables[0].tool_name, "query_sales_orders");
}

TEST(ToolNamesTest, IndependentOfInputOrderAndUnique) {
  std::vector<Table> tables;
  for (const char* n : {"Orders", "orders", "ORDERS", "order items", "order_items", "Order_Items", "x"}) {
    tables.push_back(MakeTable("public", n));
  }
  for (int i = 0; i < 3; ++i) tables.push_back(MakeTable("public", std::string(80, 'z') + std::to_string(i)));
  AssignToolNames(tables, "public");
  std::map<std::string, std::string> first;
  for (const auto& t : tables) first[t.QualifiedName()] = t.tool_name;

  std::mt19937 rng(42);
  for (int round = 0; round < 20; ++round) {
    std::shuffle(tables.begin(), tables.end(), rng);
    AssignToolNames(tables, "public");
    std::set<std::string> seen;
    for (const auto& t : tables) {
      EXPECT_EQ(t.tool_name, first[t.QualifiedName()]);
      EXPECT_TRUE(IsValidName(t.tool_name)) << t.tool_name;
      EXPECT_TRUE(seen.insert(t.tool_name).second) << "duplicate " << t.tool_name;
    }
  }
}

}  // namespace
}  // namespace pgmcp::schema

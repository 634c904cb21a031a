// find_tables' directory: the names it gives tables, what it finds by those names, how it ranks
// (names, then columns, then comments) and how it pages.
#include "catalog/table_directory.h"

#include <gtest/gtest.h>

#include "schema/snapshot_builder.h"

namespace pgmcp::catalog {
namespace {

schema::Column Col(std::string name, std::string comment = "") {
  schema::Column c;
  c.name = std::move(name);
  c.comment = std::move(comment);
  c.type.sql_name = "text";
  c.type.cast_name = "text";
  c.type.category = schema::TypeCategory::kText;
  return c;
}

schema::Table Tab(std::string schema_name, std::string name, std::vector<schema::Column> columns,
                  std::string comment = "", double rows = -1) {
  schema::Table t;
  t.schema = std::move(schema_name);
  t.name = std::move(name);
  t.columns = std::move(columns);
  t.comment = std::move(comment);
  t.row_estimate = rows;
  return t;
}

// A small shop: the words "customer" and "invoice" are spread over names, columns and comments.
schema::SchemaSnapshot Shop() {
  schema::SchemaSnapshot s;
  s.tables = {
      Tab("public", "customers", {Col("id"), Col("email"), Col("plan")}, "Paying and free accounts.", 50000),
      Tab("public", "orders", {Col("id"), Col("customer_id"), Col("total")}, "One row per checkout."),
      Tab("public", "order_items", {Col("order_id"), Col("sku")}, "Lines of an order."),
      Tab("public", "audit_log", {Col("id"), Col("payload", "JSON sent by the customer portal")}),
      Tab("reporting", "monthly_revenue", {Col("month"), Col("revenue")}, "Revenue per month, for invoices."),
      Tab("public", "invoices", {Col("id"), Col("order_id"), Col("due")}, "Invoices sent."),
  };
  config::Settings settings;
  settings.schemas = {"public", "reporting"};
  schema::FinishSnapshot(s, settings);
  return s;
}

std::vector<std::string> Names(const TablePage& page) {
  std::vector<std::string> names;
  for (const auto* e : page.entries) names.push_back(e->table);
  return names;
}

TEST(TableDirectoryTest, NamesAreBareInTheFirstSchemaAndQualifiedElsewhere) {
  auto snapshot = Shop();
  TableDirectory directory(snapshot, "public");
  ASSERT_NE(directory.Find("customers"), nullptr);
  EXPECT_EQ(directory.Find("customers")->tool_name, "query_customers");
  EXPECT_EQ(directory.Find("customers")->description, "paying and free accounts");
  EXPECT_EQ(directory.Find("customers")->row_estimate, 50000);
  EXPECT_EQ(directory.Find("public.customers"), directory.Find("customers")) << "the qualified name works too";
  ASSERT_NE(directory.Find("reporting.monthly_revenue"), nullptr);
  EXPECT_EQ(directory.Find("reporting.monthly_revenue")->table, "reporting.monthly_revenue");
  EXPECT_EQ(directory.Find("monthly_revenue"), nullptr) << "outside the first schema the schema is part of the name";
  EXPECT_EQ(directory.Find("Customers"), nullptr);
  EXPECT_EQ(directory.Find(""), nullptr);
  EXPECT_EQ(directory.Find("customers; DROP TABLE customers"), nullptr);
  EXPECT_EQ(directory.Find("audit_log")->description, "Audit log") << "no comment: the title";
}

TEST(TableDirectoryTest, WithoutWordsEveryTableInNameOrder) {
  auto snapshot = Shop();
  TableDirectory directory(snapshot, "public");
  for (std::string_view query : {"", "   ", "';--"}) {
    TablePage page = directory.Search(query, 100, 0);
    EXPECT_EQ(Names(page), (std::vector<std::string>{"audit_log", "customers", "invoices", "order_items", "orders",
                                                     "reporting.monthly_revenue"}))
        << query;
    EXPECT_EQ(page.matched, 6u);
  }
}

TEST(TableDirectoryTest, NamesRankBeforeColumnsBeforeComments) {
  auto snapshot = Shop();
  TableDirectory directory(snapshot, "public");
  // customers: name; orders: column customer_id; audit_log: a column comment.
  EXPECT_EQ(Names(directory.Search("customer", 10, 0)),
            (std::vector<std::string>{"customers", "orders", "audit_log"}));
  // invoices: name; monthly_revenue: its comment ("invoices").
  EXPECT_EQ(Names(directory.Search("INVOICE", 10, 0)),
            (std::vector<std::string>{"invoices", "reporting.monthly_revenue"}))
      << "case-insensitive";
}

TEST(TableDirectoryTest, WordsMatchAsWordPrefixesNotInsideWords) {
  auto snapshot = Shop();
  TableDirectory directory(snapshot, "public");
  EXPECT_EQ(Names(directory.Search("rev", 10, 0)), (std::vector<std::string>{"reporting.monthly_revenue"}));
  EXPECT_EQ(Names(directory.Search("reporting", 10, 0)), (std::vector<std::string>{"reporting.monthly_revenue"}))
      << "the schema is part of the name";
  EXPECT_TRUE(directory.Search("evenue", 10, 0).entries.empty()) << "a prefix of a word, not any substring";
  EXPECT_TRUE(directory.Search("zebra", 10, 0).entries.empty());
  EXPECT_EQ(directory.Search("zebra", 10, 0).matched, 0u);
}

TEST(TableDirectoryTest, MoreWordsMatchedRankFirst) {
  auto snapshot = Shop();
  TableDirectory directory(snapshot, "public");
  // order_items matches both words in its name; orders and invoices match "order" only.
  auto names = Names(directory.Search("order items", 10, 0));
  ASSERT_GE(names.size(), 3u);
  EXPECT_EQ(names[0], "order_items");
  EXPECT_EQ(names[1], "orders") << "a name match before a column match (invoices.order_id)";
  EXPECT_EQ(names[2], "invoices");
}

TEST(TableDirectoryTest, PagesWithLimitAndOffsetAndCountsEveryMatch) {
  auto snapshot = Shop();
  TableDirectory directory(snapshot, "public");
  TablePage first = directory.Search("", 2, 0);
  EXPECT_EQ(Names(first), (std::vector<std::string>{"audit_log", "customers"}));
  EXPECT_EQ(first.matched, 6u);
  EXPECT_EQ(Names(directory.Search("", 2, 2)), (std::vector<std::string>{"invoices", "order_items"}));
  EXPECT_EQ(Names(directory.Search("", 2, 4)), (std::vector<std::string>{"orders", "reporting.monthly_revenue"}));
  EXPECT_TRUE(directory.Search("", 2, 6).entries.empty());
  EXPECT_TRUE(directory.Search("", 2, 1u << 30).entries.empty());
  EXPECT_EQ(Names(directory.Search("customer", 1, 1)), (std::vector<std::string>{"orders"}));
}

TEST(TableDirectoryTest, ABareNameThatReadsLikeAnotherTablesQualifiedNameIsQualified) {
  schema::SchemaSnapshot s;
  s.tables = {Tab("public", "reporting.x", {Col("id")}), Tab("reporting", "x", {Col("id")})};
  config::Settings settings;
  settings.schemas = {"public", "reporting"};
  schema::FinishSnapshot(s, settings);
  TableDirectory directory(s, "public");
  auto schema_of = [&](std::string_view name) { return s.FindTool(directory.Find(name)->tool_name)->schema; };
  ASSERT_NE(directory.Find("reporting.x"), nullptr);
  EXPECT_EQ(schema_of("reporting.x"), "reporting");
  ASSERT_NE(directory.Find("public.reporting.x"), nullptr);
  EXPECT_EQ(schema_of("public.reporting.x"), "public");
  EXPECT_EQ(Names(directory.Search("", 10, 0)), (std::vector<std::string>{"public.reporting.x", "reporting.x"}));
}

TEST(SearchWordsTest, LowerCaseRunsOfLettersAndDigits) {
  EXPECT_EQ(SearchWords("Monthly_Revenue.2024 für-Kunden"),
            (std::vector<std::string>{"monthly", "revenue", "2024", "für", "kunden"}));
  EXPECT_TRUE(SearchWords(" _.;'\"").empty());
}

}  // namespace
}  // namespace pgmcp::catalog

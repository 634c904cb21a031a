// find_tables, describe_table and query_table without a database: argument validation (null means
// absent), the result shapes, and the one sentence for a table that cannot be named.
#include "service/discovery_calls.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "schema/snapshot_builder.h"

namespace pgmcp::service {
namespace {

namespace json = boost::json;

schema::Column Col(std::string name, schema::TypeCategory category, std::string sql_name) {
  schema::Column c;
  c.name = std::move(name);
  c.type.sql_name = sql_name;
  c.type.cast_name = std::move(sql_name);
  c.type.category = category;
  if (category == schema::TypeCategory::kInteger) c.type.int_bytes = 4;
  return c;
}

class DiscoveryCallsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    schema::Table customers;
    customers.schema = "public";
    customers.name = "customers";
    customers.comment = "Paying accounts.";
    customers.row_estimate = 1234;
    customers.columns = {Col("id", schema::TypeCategory::kInteger, "integer"),
                         Col("plan", schema::TypeCategory::kText, "text")};
    customers.columns[1].comment = "Price plan.";
    customers.columns[1].allowed_values = {"free", "pro"};
    customers.columns[1].values_source = schema::Column::ValuesSource::kCheck;
    customers.primary_key = {"id"};
    schema::Table revenue;
    revenue.schema = "reporting";
    revenue.name = "monthly_revenue";
    revenue.columns = {Col("customer_id", schema::TypeCategory::kInteger, "integer")};
    revenue.foreign_keys.push_back(schema::ForeignKey{{"customer_id"}, "public", "customers", {"id"}});
    snapshot_.tables = {customers, revenue};
    config::Settings settings;
    settings.schemas = {"public", "reporting"};
    schema::FinishSnapshot(snapshot_, settings);
    catalog::CatalogOptions options;
    options.tool_mode = config::ToolMode::kDiscovery;
    catalog_ = catalog::BuildToolCatalog(snapshot_, query_options_, options);
  }

  Result<json::value> Find(std::string_view arguments) {
    auto found = FindTables(*catalog_.directory, json::parse(arguments));
    if (!found) return found.error();
    return json::parse(*found);
  }
  std::string FindError(std::string_view arguments) {
    auto found = FindTables(*catalog_.directory, json::parse(arguments));
    return found ? "(no error)" : found.error().message;
  }

  schema::SchemaSnapshot snapshot_;
  query::QueryOptions query_options_;
  catalog::ToolCatalog catalog_;
};

TEST_F(DiscoveryCallsTest, FindTablesAnswersInTheQueryResultShape) {
  auto result = Find(R"({"query": "customer"})");
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(json::serialize(*result),
            R"json({"columns":["table","description","rows_estimate"],)json"
            R"json("rows":[["customers","paying accounts",1234],)json"
            R"json(["reporting.monthly_revenue","Monthly revenue (reporting)",null]],)json"
            R"json("row_count":2,"truncated":false})json");
}

TEST_F(DiscoveryCallsTest, FindTablesPagesAndSaysWhenMoreMatched) {
  auto first = Find(R"({"limit": 1})");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->at("rows").at(0).at(0), "customers");
  EXPECT_EQ(first->at("truncated"), true);
  auto second = Find(R"({"limit": 1, "offset": 1})");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->at("rows").at(0).at(0), "reporting.monthly_revenue");
  EXPECT_EQ(second->at("truncated"), false);
  auto beyond = Find(R"({"offset": 5})");
  ASSERT_TRUE(beyond);
  EXPECT_EQ(beyond->at("row_count"), 0);
  EXPECT_EQ(beyond->at("truncated"), false);
}

TEST_F(DiscoveryCallsTest, NullMeansAbsent) {
  auto all = Find(R"({"query": null, "limit": null, "offset": null})");
  ASSERT_TRUE(all) << all.error().message;
  EXPECT_EQ(all->at("row_count"), 2);
  EXPECT_TRUE(Find("null"));
  EXPECT_TRUE(Find(R"({"limit": 100.0})")) << "a whole number written as a float is fine";
}

TEST_F(DiscoveryCallsTest, FindTablesArgumentsAreCheckedWithClearSentences) {
  EXPECT_EQ(FindError(R"({"limit": 0})"), "Argument \"limit\" must be a whole number from 1 to 100.");
  EXPECT_EQ(FindError(R"({"limit": 101})"), "Argument \"limit\" must be a whole number from 1 to 100.");
  EXPECT_EQ(FindError(R"({"limit": "5"})"), "Argument \"limit\" must be a whole number from 1 to 100.");
  EXPECT_EQ(FindError(R"({"limit": 2.5})"), "Argument \"limit\" must be a whole number from 1 to 100.");
  EXPECT_EQ(FindError(R"({"offset": -1})"), "Argument \"offset\" must be a whole number, 0 or more.");
  EXPECT_EQ(FindError(R"({"query": 7})"), "Argument \"query\" must be a string of words to look for.");
  EXPECT_EQ(FindError(R"({"query": ["a"]})"), "Argument \"query\" must be a string of words to look for.");
  EXPECT_EQ(FindError(R"({"table": "x"})"), "Unknown argument \"table\"; find_tables takes query, limit and offset.");
  EXPECT_EQ(FindError(R"([1])"), "The arguments of find_tables must be a JSON object with query, limit and offset.");
  EXPECT_EQ(FindError("{\"query\": \"" + std::string(501, 'a') + "\"}"),
            "Argument \"query\" must be at most 500 characters.");
  EXPECT_EQ(FindError("{\"query\": \"" + std::string(500, 'a') + "\"}"), "(no error)");
}

TEST_F(DiscoveryCallsTest, DescribeTableGivesTheToolDescriptionAndTheColumns) {
  auto described = DescribeTable(snapshot_, catalog_, json::parse(R"({"table": "customers"})"), query_options_);
  ASSERT_TRUE(described) << described.error().message;
  const schema::Table* customers = snapshot_.FindTool("query_customers");
  EXPECT_EQ(described->table, customers);
  EXPECT_EQ(described->text, customers->description);
  json::value s = json::parse(described->structured_json);
  EXPECT_EQ(s.at("table"), "customers");
  EXPECT_EQ(std::string(s.at("description").as_string()), customers->description);
  EXPECT_EQ(json::serialize(s.at("columns")),
            R"([{"name":"id","type":"integer","primary_key":true},)"
            R"({"name":"plan","type":"text","description":"Price plan.","values":["free","pro"]}])");
  EXPECT_EQ(s.at("input_schema"), json::value(query::InputSchema(*customers, query_options_)));

  auto revenue = DescribeTable(snapshot_, catalog_, json::parse(R"({"table": "reporting.monthly_revenue"})"),
                               query_options_);
  ASSERT_TRUE(revenue);
  EXPECT_EQ(json::parse(revenue->structured_json).at("columns").at(0).at("references"), "customers.id");
}

TEST_F(DiscoveryCallsTest, OneSentenceForEveryTableThatCannotBeNamed) {
  for (const char* args : {R"({"table": "nope"})", R"({"table": "monthly_revenue"})", R"({"table": "Customers"})",
                           R"({"table": ""})", R"({"table": "customers\"; DROP TABLE customers; --"})",
                           R"({"table": 42})", R"({"table": {"name": "customers"}})"}) {
    auto described = DescribeTable(snapshot_, catalog_, json::parse(args), query_options_);
    ASSERT_FALSE(described) << args;
    EXPECT_EQ(described.error().message, kUnknownTableSentence) << args;
    EXPECT_EQ(described.error().kind, ErrorKind::kInvalidArgument);
    auto queried = ResolveQueryTable(snapshot_, catalog_, json::parse(args));
    ASSERT_FALSE(queried) << args;
    EXPECT_EQ(queried.error().message, kUnknownTableSentence) << args;
  }
  EXPECT_NE(std::string(kUnknownTableSentence).find("find_tables"), std::string::npos);
}

TEST_F(DiscoveryCallsTest, TableIsRequired) {
  for (const char* args : {"{}", R"({"table": null})", R"({"where": {}})"}) {
    auto queried = ResolveQueryTable(snapshot_, catalog_, json::parse(args));
    ASSERT_FALSE(queried) << args;
    EXPECT_EQ(queried.error().message, "Argument \"table\" is required: a table name as find_tables lists it.");
  }
  auto described = DescribeTable(snapshot_, catalog_, json::parse(R"({"table": "customers", "where": {}})"),
                                  query_options_);
  ASSERT_FALSE(described);
  EXPECT_EQ(described.error().message, "Unknown argument \"where\"; describe_table takes table.");
}

TEST_F(DiscoveryCallsTest, QueryTablePassesEveryOtherArgumentToTheTablesOwnTool) {
  auto call = ResolveQueryTable(snapshot_, catalog_,
                                json::parse(R"({"table": "customers", "where": {"plan": "pro"}, "limit": 5})"));
  ASSERT_TRUE(call) << call.error().message;
  EXPECT_EQ(call->table, snapshot_.FindTool("query_customers"));
  EXPECT_EQ(call->arguments, json::parse(R"({"where":{"plan":"pro"},"limit":5})"));
  auto sql = query::BuildQuery(snapshot_, *call->table, call->arguments, query_options_);
  EXPECT_TRUE(sql) << "the arguments left are exactly what query_customers takes";
}

}  // namespace
}  // namespace pgmcp::service

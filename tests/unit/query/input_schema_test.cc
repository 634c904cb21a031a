// The tool schemas: compact, portable shapes that never forbid what the parser accepts.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "query/query.h"
#include "unit/query/portable_schema.h"
#include "unit/query/query_fixture.h"

namespace pgmcp::query {
namespace {

namespace json = boost::json;
using testing::PortabilityProblems;

std::string Joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += line + "\n";
  return out;
}

TEST(InputSchema, DescribesTheArgumentLanguage) {
  const auto table = testing::OrdersTable();
  const json::object s = InputSchema(table, QueryOptions{});
  EXPECT_EQ(s.at("type"), "object");
  EXPECT_EQ(s.at("additionalProperties"), false);
  const auto& props = s.at("properties").as_object();
  ASSERT_EQ(props.size(), 7U);
  for (const char* key : {"where", "select", "order_by", "limit", "offset", "group_by", "aggregates"}) {
    EXPECT_TRUE(props.contains(key)) << key;
  }
  // select names exactly the exposed columns (the excluded api_token is not one of them).
  const auto& names = props.at("select").at("items").at("enum").as_array();
  ASSERT_EQ(names.size(), table.columns.size());
  for (size_t i = 0; i < names.size(); ++i) EXPECT_EQ(names[i].as_string(), table.columns[i].name);
  // The filter is advertised in its operator-object form; the grammar is said once, naming
  // the text and array operators because this table has such columns.
  EXPECT_EQ(json::serialize(props.at("where").at("additionalProperties")), R"({"type":"object"})");
  EXPECT_EQ(props.at("where").at("description"),
            "column: {operator: value}, all must hold; eq neq in not_in gt gte lt lte is_null, "
            "text: contains starts_with ends_with search, arrays: contains");
  EXPECT_EQ(props.at("limit").at("description"), "1-1000, default 100.");
  EXPECT_EQ(props.at("group_by").at("description"), "{column, bucket?: hour|day|week|month|quarter|year}");
  EXPECT_EQ(props.at("aggregates").at("description"), "{fn: count|count_distinct|sum|avg|min|max, column?}");
}

TEST(InputSchema, NamesOnlyTheOperatorsAndBucketsTheTableHas) {
  // events: text, timestamptz, json and integer columns; no arrays, so no array operator.
  const json::object s = InputSchema(testing::EventsTable(), QueryOptions{});
  EXPECT_EQ(s.at("properties").at("where").at("description"),
            "column: {operator: value}, all must hold; eq neq in not_in gt gte lt lte is_null, "
            "text: contains starts_with ends_with search");
  schema::Table flags;
  flags.columns.push_back(testing::Col("on", testing::Type(16, "boolean", "boolean", schema::TypeCategory::kBoolean)));
  const json::object f = InputSchema(flags, QueryOptions{});
  EXPECT_EQ(f.at("properties").at("where").at("description"),
            "column: {operator: value}, all must hold; eq neq in not_in is_null");
  EXPECT_EQ(f.at("properties").at("group_by").at("description"), "{column}");
}

TEST(InputSchema, LimitsComeFromTheSettings) {
  QueryOptions options;
  options.limits.max_rows = 50;
  options.limits.default_limit = 20;
  const json::object s = InputSchema(testing::OrdersTable(), options);
  EXPECT_EQ(s.at("properties").at("limit").at("description"), "1-50, default 20.");
}

// Dotted foreign-key paths (customer_id.plan) must not be forbidden by the schema: column names
// are the enum of columns or a string starting with a single-column foreign key and a dot.
TEST(InputSchema, ColumnNamesAdmitPathsAlongSingleColumnForeignKeys) {
  auto table = testing::OrdersTable();
  table.foreign_keys.push_back({{"customer"}, "public", "customers", {"name"}});
  table.foreign_keys.push_back({{"qty", "big"}, "public", "pairs", {"a", "b"}});  // two columns: not followable
  table.foreign_keys.push_back({{"Weird \"Name\""}, "public", "odd", {"id"}});
  const json::object s = InputSchema(table, QueryOptions{});
  const auto& branches = s.at("properties").at("select").at("items").at("anyOf").as_array();
  ASSERT_EQ(branches.size(), 2U);
  EXPECT_EQ(branches[0].at("type"), "string");
  EXPECT_EQ(branches[0].at("enum").as_array().size(), table.columns.size());
  EXPECT_EQ(branches[1].at("type"), "string");
  const std::string pattern(branches[1].at("pattern").as_string());
  EXPECT_EQ(pattern, R"(^(customer|Weird "Name")\.)");
  const std::regex path(pattern, std::regex::ECMAScript);
  EXPECT_TRUE(std::regex_search("customer.plan", path));
  EXPECT_TRUE(std::regex_search("customer.account_manager_id.email", path));
  EXPECT_TRUE(std::regex_search("Weird \"Name\".id", path));
  EXPECT_FALSE(std::regex_search("qty.x", path));
  EXPECT_FALSE(std::regex_search("customerX.plan", path));
  EXPECT_TRUE(PortabilityProblems(s).empty()) << Joined(PortabilityProblems(s));
}

TEST(InputSchema, RegexCharactersInAKeyNameAreLiteral) {
  auto table = testing::EventsTable();
  table.columns.push_back(testing::Col("a.b|c(d)", testing::Type(23, "integer", "integer", schema::TypeCategory::kInteger, 4)));
  table.foreign_keys.push_back({{"a.b|c(d)"}, "public", "other", {"id"}});
  const json::object s = InputSchema(table, QueryOptions{});
  const std::string pattern(s.at("properties").at("select").at("items").at("anyOf").as_array()[1].at("pattern").as_string());
  const std::regex path(pattern, std::regex::ECMAScript);
  EXPECT_TRUE(std::regex_search("a.b|c(d).id", path));
  EXPECT_FALSE(std::regex_search("aXb.id", path));
  EXPECT_FALSE(std::regex_search("c(d).id", path));
}

TEST(InputSchema, EveryFixtureTableIsPortable) {
  for (const auto& table : {testing::OrdersTable(), testing::EventsTable()}) {
    const json::value s = InputSchema(table, QueryOptions{});
    const auto problems = PortabilityProblems(s);
    EXPECT_TRUE(problems.empty()) << table.name << ":\n" << Joined(problems);
  }
}

// The walk itself: each departure it exists to catch, at any depth, is caught.
TEST(PortabilityProblems, FindsEveryKindOfProblemAtAnyDepth) {
  const json::value bad = json::parse(R"({
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
      "a": {"type": ["integer", "string"]},
      "b": {"type": "array", "items": {"enum": ["x", "y"]}},
      "c": {"type": "integer", "default": 5},
      "d": {"anyOf": [{"type": "string"}, {"type": "array"}]},
      "e": {"type": "object", "additionalProperties": {"propertyNames": {"enum": ["k"]}}}
    },
    "$defs": {"f": {"type": ["number", "null"]}}
  })");
  const auto problems = PortabilityProblems(bad);
  EXPECT_EQ(Joined(problems),
            "#: $schema\n"
            "#/properties/a: type is not one string\n"
            "#/properties/b/items: enum without a type\n"
            "#/properties/c: default\n"
            "#/properties/d/anyOf/1: array without items\n"
            "#/properties/e/additionalProperties/propertyNames: enum without a type\n"
            "#/$defs/f: type is not one string\n");
}

TEST(OutputSchema, ListsTheResultFields) {
  const json::object s = OutputSchema(testing::OrdersTable());
  EXPECT_EQ(json::serialize(s.at("required")), R"(["columns","rows","row_count","truncated"])");
}

}  // namespace
}  // namespace pgmcp::query

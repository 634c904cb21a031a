// The tool schemas: valid JSON Schema shapes that list exactly what the parser accepts.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "query/query.h"
#include "unit/query/query_fixture.h"

namespace pgmcp::query {
namespace {

namespace json = boost::json;

TEST(InputSchema, DescribesTheArgumentLanguage) {
  const auto table = testing::OrdersTable();
  const json::object s = InputSchema(table, QueryOptions{});
  const std::string text = json::serialize(s);
  std::cout << "input schema bytes for " << table.columns.size() << " columns: " << text.size() << "\n";
  EXPECT_EQ(s.at("additionalProperties"), false);
  const auto& props = s.at("properties").as_object();
  for (const char* key : {"where", "select", "order_by", "limit", "offset", "group_by", "aggregates"}) {
    EXPECT_TRUE(props.contains(key)) << key;
  }
  EXPECT_EQ(props.at("limit").at("maximum"), 1000);
  EXPECT_EQ(props.at("limit").at("default"), 100);
  const auto& where = props.at("where").as_object();
  EXPECT_EQ(where.at("additionalProperties"), false);
  EXPECT_FALSE(where.at("properties").as_object().contains("api_token"));
  EXPECT_EQ(where.at("properties").as_object().size(), table.columns.size());
  // The enum column carries its labels; the integer column refers to a shared definition.
  EXPECT_NE(json::serialize(where.at("properties").at("status")).find("\"cancelled\""), std::string::npos);
  const std::string id_ref(where.at("properties").at("id").at("$ref").as_string());
  EXPECT_EQ(id_ref, "#/$defs/f_integer");
  const auto& int_ops = s.at("$defs").at("f_integer").at("anyOf").as_array()[1].at("properties").as_object();
  EXPECT_TRUE(int_ops.contains("gte"));
  EXPECT_FALSE(int_ops.contains("contains"));
  const auto& text_ops = s.at("$defs").at("f_text").at("anyOf").as_array()[1].at("properties").as_object();
  EXPECT_TRUE(text_ops.contains("search"));
  // json/jsonb/bytea: only is_null, no bare value.
  EXPECT_EQ(json::serialize(s.at("$defs").at("f_jsonb")),
            R"({"type":"object","additionalProperties":false,"properties":{"is_null":{"type":"boolean"}}})");
  EXPECT_EQ(s.at("$defs").at("column").at("enum").as_array().size(), table.columns.size());
  EXPECT_LT(text.size(), 7000U);  // 23 columns of 13 distinct types; a typical table is far smaller
}

// Every "$ref" anywhere in the schema, collected by walking the JSON (not by searching its text).
void CollectRefs(const json::value& v, std::vector<std::string>& refs) {
  if (const auto* o = v.if_object()) {
    for (const auto& [key, child] : *o) {
      if (key == "$ref" && child.is_string()) refs.emplace_back(child.as_string());
      CollectRefs(child, refs);
    }
  } else if (const auto* a = v.if_array()) {
    for (const auto& child : *a) CollectRefs(child, refs);
  }
}

TEST(InputSchema, EveryReferenceResolves) {
  const json::object s = InputSchema(testing::OrdersTable(), QueryOptions{});
  std::vector<std::string> refs;
  CollectRefs(s, refs);
  // The filter of every column but the enum (22 of 23), select's items and the aggregate column
  // refer to shared definitions: fewer references means the walk or the schema is broken.
  ASSERT_GE(refs.size(), testing::OrdersTable().columns.size());
  const auto& defs = s.at("$defs").as_object();
  for (const auto& ref : refs) {
    ASSERT_TRUE(ref.starts_with("#/$defs/")) << ref;
    EXPECT_TRUE(defs.contains(ref.substr(8))) << ref;
  }
}

TEST(OutputSchema, ListsTheResultFields) {
  const json::object s = OutputSchema(testing::OrdersTable());
  EXPECT_EQ(json::serialize(s.at("required")), R"(["columns","rows","row_count","truncated"])");
}

}  // namespace
}  // namespace pgmcp::query

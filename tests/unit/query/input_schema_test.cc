// The tool schemas: valid JSON Schema shapes that list exactly what the parser accepts.
#include <gtest/gtest.h>

#include <boost/json.hpp>

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

TEST(InputSchema, EveryReferenceResolves) {
  const json::object s = InputSchema(testing::OrdersTable(), QueryOptions{});
  const std::string text = json::serialize(s);
  for (size_t pos = text.find("\"#/$defs/"); pos != std::string::npos; pos = text.find("\"#/$defs/", pos + 1)) {
    const size_t end = text.find('"', pos + 1);
    const std::string name = text.substr(pos + 9, end - pos - 9);
    EXPECT_TRUE(s.at("$defs").as_object().contains(name)) << name;
  }
}

TEST(OutputSchema, ListsTheResultFields) {
  const json::object s = OutputSchema(testing::OrdersTable());
  EXPECT_EQ(json::serialize(s.at("required")), R"(["columns","rows","row_count","truncated"])");
}

}  // namespace
}  // namespace pgmcp::query

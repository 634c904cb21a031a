// Which foreign keys a path may follow, and the sentence that tells the model (schema/relationships.h).
#include "schema/relationships.h"

#include <gtest/gtest.h>

#include "schema/describe.h"
#include "schema/snapshot_builder.h"

namespace pgmcp::schema {
namespace {

Table MakeTable(std::string schema_name, std::string name, std::vector<std::string> columns,
                std::vector<ForeignKey> keys = {}) {
  Table t;
  t.schema = std::move(schema_name);
  t.name = std::move(name);
  for (auto& c : columns) {
    Column column;
    column.name = std::move(c);
    column.type.sql_name = "integer";
    column.type.cast_name = "integer";
    column.type.category = TypeCategory::kInteger;
    t.columns.push_back(std::move(column));
  }
  t.primary_key = {"id"};
  t.foreign_keys = std::move(keys);
  return t;
}

// orders -> customers -> segments; order_items -> orders, products; customers.referred_by is a
// key to itself, customers.region_id to a table the snapshot lacks, orders has a two-column key,
// customers.hidden_id's referenced column is not in the snapshot, and "twice" has two keys.
SchemaSnapshot Shop() {
  SchemaSnapshot s;
  s.tables = {
      MakeTable("public", "customers", {"id", "referred_by", "region_id", "segment_id", "hidden_id"},
                {{{"referred_by"}, "public", "customers", {"id"}},
                 {{"region_id"}, "public", "regions", {"id"}},
                 {{"segment_id"}, "sales", "segments", {"id"}},
                 {{"hidden_id"}, "public", "products", {"secret"}}}),
      MakeTable("sales", "segments", {"id"}),
      MakeTable("public", "orders", {"id", "customer_id", "wh_id", "wh_site", "twice"},
                {{{"customer_id"}, "public", "customers", {"id"}},
                 {{"wh_id", "wh_site"}, "public", "products", {"id", "id"}},
                 {{"twice"}, "public", "customers", {"id"}},
                 {{"twice"}, "public", "products", {"id"}}}),
      MakeTable("public", "products", {"id"}),
      MakeTable("public", "order_items", {"id", "order_id", "product_id", "assigned_to"},
                {{{"order_id"}, "public", "orders", {"id"}},
                 {{"product_id"}, "public", "products", {"id"}},
                 {{"assigned_to"}, "public", "customers", {"id"}}}),
  };
  return s;
}

std::vector<std::string> KeyNames(const SchemaSnapshot& s, std::string_view table) {
  std::vector<std::string> names;
  for (const auto& k : FollowableKeys(s, *FindTable(s, table == "segments" ? "sales" : "public", table))) {
    names.push_back(k.column->name + "->" + k.parent->name + "." + k.referenced->name);
  }
  return names;
}

TEST(RelationshipsTest, OnlySingleColumnKeysToOtherVisibleTablesAndColumnsAreFollowable) {
  const SchemaSnapshot s = Shop();
  // Not referred_by (itself), region_id (no such table), hidden_id (no such column).
  EXPECT_EQ(KeyNames(s, "customers"), std::vector<std::string>{"segment_id->segments.id"});
  // Not the two-column key, not "twice" (two parents).
  EXPECT_EQ(KeyNames(s, "orders"), std::vector<std::string>{"customer_id->customers.id"});
  EXPECT_TRUE(KeyNames(s, "products").empty());
}

TEST(RelationshipsTest, SentenceNamesEachKeyTheNounAndTwoKeyPaths) {
  const SchemaSnapshot s = Shop();
  EXPECT_EQ(RelationshipSentence(s, *FindTable(s, "public", "orders"), "public"),
            "\ncustomer_id → customers: use customer_id.<column> to filter, group or select by the customer. "
            "Two keys deep: customer_id.segment_id.<column>.");
  EXPECT_EQ(RelationshipSentence(s, *FindTable(s, "public", "order_items"), "public"),
            "\norder_id → orders, product_id → products, assigned_to → customers: use order_id.<column>, "
            "product_id.<column> or assigned_to.<column> to filter, group or select by the order, the product or "
            "the customers row. Two keys deep: order_id.customer_id.<column>, assigned_to.segment_id.<column>.");
  // Outside the first schema a parent is named with its schema.
  EXPECT_EQ(RelationshipSentence(s, *FindTable(s, "public", "customers"), "public"),
            "\nsegment_id → sales.segments: use segment_id.<column> to filter, group or select by the segment.");
  EXPECT_EQ(RelationshipSentence(s, *FindTable(s, "public", "products"), "public"), "");
}

TEST(RelationshipsTest, DescriptionsEndWithTheSentence) {
  SchemaSnapshot s = Shop();
  config::Settings settings;
  settings.schemas = {"public", "sales"};
  FinishSnapshot(s, settings);
  const Table* orders = FindTable(s, "public", "orders");
  ASSERT_NE(orders, nullptr);
  EXPECT_TRUE(orders->description.ends_with(
      "\ncustomer_id → customers: use customer_id.<column> to filter, group or select by the customer. "
      "Two keys deep: customer_id.segment_id.<column>."))
      << orders->description;
}

}  // namespace
}  // namespace pgmcp::schema

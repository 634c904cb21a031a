// The "shop" fixture of the path tests (docs/query-language.md, "Paths"): tables linked by foreign
// keys, as a snapshot built in C++ and as SQL for the database tests, plus the snapshot every
// query-layer test builds against (orders, events and the shop tables).
//
// What each key is for: orders.customer_id, customers.segment_id and order_items.order_id/product_id
// can be followed (order_items.order_id.customer_id.segment_id.name would be a third hop);
// customers.referred_by points back at customers (a cycle), customers.region_id at a table the
// snapshot does not hold (not visible), customers.last_order_id back at orders (a cycle two keys
// deep from orders), orders (warehouse_id, warehouse_site) is a two-column key; customers.api_secret
// is excluded, as a hidden column would be.
#pragma once

#include <algorithm>
#include <string_view>
#include <vector>

#include "unit/query/query_fixture.h"

namespace pgmcp::query::testing {

inline schema::ForeignKey Fk(std::vector<std::string> columns, std::string ref_table,
                             std::vector<std::string> ref_columns) {
  return schema::ForeignKey{std::move(columns), "shop", std::move(ref_table), std::move(ref_columns)};
}

inline schema::Table ShopTable(std::string name, std::vector<schema::Column> columns, std::vector<std::string> key,
                               std::vector<schema::ForeignKey> foreign_keys = {}) {
  schema::Table t;
  t.schema = "shop";
  t.name = std::move(name);
  t.tool_name = "query_shop_" + t.name;
  t.columns = std::move(columns);
  t.primary_key = std::move(key);
  t.foreign_keys = std::move(foreign_keys);
  return t;
}

inline std::vector<schema::Table> ShopTables() {
  using C = schema::TypeCategory;
  const auto integer = [] { return Type(23, "integer", "integer", C::kInteger, 4); };
  const auto text = [] { return Type(25, "text", "text", C::kText); };
  const auto money = [] { return Type(1700, "numeric(12,2)", "numeric", C::kNumeric); };
  const auto stamp = [] { return Type(1184, "timestamp with time zone", "timestamp with time zone", C::kTimestamptz); };
  return {
      ShopTable("customers",
                {Col("id", integer()), Col("email", text()), Col("plan", text(), {"free", "pro", "enterprise"}),
                 Col("country", text()), Col("mrr", money()), Col("created_at", stamp()), Col("referred_by", integer()),
                 Col("region_id", integer()), Col("last_order_id", integer()), Col("segment_id", integer())},
                {"id"},
                {Fk({"referred_by"}, "customers", {"id"}), Fk({"region_id"}, "regions", {"id"}),
                 Fk({"last_order_id"}, "orders", {"id"}), Fk({"segment_id"}, "segments", {"id"})}),
      ShopTable("segments", {Col("id", integer()), Col("name", text())}, {"id"}),
      ShopTable("orders",
                {Col("id", integer()), Col("customer_id", integer()), Col("total", money()), Col("placed_at", stamp()),
                 Col("status", text()), Col("warehouse_id", integer()), Col("warehouse_site", text())},
                {"id"},
                {Fk({"customer_id"}, "customers", {"id"}),
                 Fk({"warehouse_id", "warehouse_site"}, "warehouses", {"id", "site"})}),
      ShopTable("products", {Col("id", integer()), Col("name", text()), Col("Odd \"Name\".x", text())}, {"id"}),
      ShopTable("order_items",
                {Col("id", integer()), Col("order_id", integer()), Col("product_id", integer()), Col("qty", integer()),
                 Col("price", money())},
                {"id"}, {Fk({"order_id"}, "orders", {"id"}), Fk({"product_id"}, "products", {"id"})}),
      ShopTable("warehouses", {Col("id", integer()), Col("site", text()), Col("city", text())}, {"id", "site"}),
  };
}

// Every fixture table in one snapshot, indexed by tool name as the server's snapshot is.
inline schema::SchemaSnapshot FixtureSnapshot() {
  schema::SchemaSnapshot snapshot;
  snapshot.tables = {OrdersTable(), EventsTable()};
  for (auto& t : ShopTables()) snapshot.tables.push_back(std::move(t));
  std::sort(snapshot.tables.begin(), snapshot.tables.end(),
            [](const schema::Table& a, const schema::Table& b) { return a.tool_name < b.tool_name; });
  for (size_t i = 0; i < snapshot.tables.size(); ++i) snapshot.by_tool[snapshot.tables[i].tool_name] = i;
  return snapshot;
}

// A table of `snapshot` by name: "orders", "events", or "shop.<table>"; nullptr when absent.
inline const schema::Table* FixtureTable(const schema::SchemaSnapshot& snapshot, std::string_view name) {
  for (const auto& t : snapshot.tables) {
    if (name == t.name && t.schema == "public") return &t;
    if (name == t.QualifiedName() && t.schema != "public") return &t;
  }
  return nullptr;
}

// The shop tables in PostgreSQL, with rows that exercise null keys and missing parents' columns.
inline const char* kShopSql = R"sql(
CREATE SCHEMA shop;
CREATE TABLE shop.regions (id integer PRIMARY KEY, name text);
CREATE TABLE shop.segments (id integer PRIMARY KEY, name text);
CREATE TABLE shop.customers (
  id integer PRIMARY KEY, email text, plan text, country text, mrr numeric(12,2), created_at timestamptz,
  referred_by integer REFERENCES shop.customers (id), region_id integer REFERENCES shop.regions (id),
  last_order_id integer, segment_id integer REFERENCES shop.segments (id), api_secret text);
CREATE TABLE shop.warehouses (id integer, site text, city text, PRIMARY KEY (id, site));
CREATE TABLE shop.orders (
  id integer PRIMARY KEY, customer_id integer REFERENCES shop.customers (id), total numeric(12,2),
  placed_at timestamptz, status text, warehouse_id integer, warehouse_site text,
  FOREIGN KEY (warehouse_id, warehouse_site) REFERENCES shop.warehouses (id, site));
ALTER TABLE shop.customers ADD FOREIGN KEY (last_order_id) REFERENCES shop.orders (id);
CREATE TABLE shop.products (id integer PRIMARY KEY, name text, "Odd ""Name"".x" text);
CREATE TABLE shop.order_items (
  id integer PRIMARY KEY, order_id integer REFERENCES shop.orders (id),
  product_id integer REFERENCES shop.products (id), qty integer, price numeric(12,2));
INSERT INTO shop.regions VALUES (1, 'EMEA');
INSERT INTO shop.segments VALUES (1, 'smb'), (2, 'mid-market');
INSERT INTO shop.customers VALUES
  (1, 'a@acme.io', 'enterprise', 'DE', 1200.00, '2026-01-05 10:00:00+00', NULL, 1, NULL, 2, 's1'),
  (2, 'b@globex.com', 'pro', 'FR', 99.00, '2026-02-10 10:00:00+00', 1, NULL, NULL, 1, 's2'),
  (3, 'c@initech.com', 'enterprise', 'US', 5000.00, '2026-03-01 10:00:00+00', 1, 1, NULL, NULL, 's3'),
  (4, 'd@umbrella.com', 'free', 'DE', 0, '2026-03-20 10:00:00+00', NULL, NULL, NULL, 1, NULL),
  (5, 'e@nowhere.org', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO shop.warehouses VALUES (1, 'north', 'Hamburg'), (1, 'south', 'Munich');
INSERT INTO shop.orders VALUES
  (10, 1, 250.00, '2026-01-10 09:00:00+00', 'paid', 1, 'north'),
  (11, 1, 75.50, '2026-02-11 09:00:00+00', 'shipped', 1, 'south'),
  (12, 2, 19.99, '2026-02-12 09:00:00+00', 'paid', NULL, NULL),
  (13, 3, 990.00, '2026-03-02 09:00:00+00', 'cancelled', 1, 'north'),
  (14, NULL, 5.00, '2026-03-05 09:00:00+00', 'paid', NULL, NULL),
  (15, 4, 42.00, '2026-03-21 09:00:00+00', 'new', NULL, NULL),
  (16, 5, 12.00, '2026-03-22 09:00:00+00', 'paid', NULL, NULL),
  (17, 3, 310.00, '2026-04-01 09:00:00+00', 'paid', 1, 'south');
UPDATE shop.customers SET last_order_id = 11 WHERE id = 1;
UPDATE shop.customers SET last_order_id = 17 WHERE id = 3;
INSERT INTO shop.products VALUES (100, 'Widget', 'odd-1'), (101, 'Gadget', NULL), (102, 'Gizmo', 'odd-3');
INSERT INTO shop.order_items VALUES
  (1000, 10, 100, 2, 100.00), (1001, 10, 101, 1, 50.00), (1002, 11, 100, 1, 75.50),
  (1003, 12, 102, 1, 19.99), (1004, 13, 100, 9, 110.00), (1005, 14, 101, 1, 5.00),
  (1006, NULL, 100, 3, 10.00), (1007, 17, NULL, 2, 155.00), (1008, 16, 102, 1, 12.00);
)sql";

}  // namespace pgmcp::query::testing

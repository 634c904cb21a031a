// The fixture tables of the query-layer tests, as schema snapshots built in C++, and the SQL that
// creates the same tables in a test database (the pg tests run the built SQL against them).
#pragma once

#include <string>
#include <vector>

#include "schema/snapshot.h"

namespace pgmcp::query::testing {

inline schema::ColumnType Type(uint32_t oid, std::string sql_name, std::string cast_name, schema::TypeCategory category,
                               int16_t int_bytes = 0, bool is_array = false) {
  schema::ColumnType t;
  t.oid = oid;
  t.sql_name = std::move(sql_name);
  t.cast_name = std::move(cast_name);
  t.category = category;
  t.int_bytes = int_bytes;
  t.is_array = is_array;
  return t;
}

inline schema::Column Col(std::string name, schema::ColumnType type, std::vector<std::string> allowed = {}) {
  static int position = 0;
  schema::Column c;
  c.name = std::move(name);
  c.position = ++position;
  c.type = std::move(type);
  c.allowed_values = std::move(allowed);
  if (!c.allowed_values.empty()) c.values_source = schema::Column::ValuesSource::kEnum;
  return c;
}

// "orders": one column of every type the query layer distinguishes. An excluded column
// ("api_token") exists in the database but, as introspection would, not in the snapshot.
inline schema::Table OrdersTable() {
  using C = schema::TypeCategory;
  schema::Table t;
  t.oid = 16400;
  t.schema = "public";
  t.name = "orders";
  t.tool_name = "query_orders";
  t.primary_key = {"id"};
  t.columns = {
      Col("id", Type(23, "integer", "integer", C::kInteger, 4)),
      Col("customer", Type(25, "text", "text", C::kText)),
      Col("status", Type(16390, "order_status", "public.order_status", C::kEnum),
          {"new", "paid", "shipped", "cancelled"}),
      Col("amount", Type(1700, "numeric(12,2)", "numeric", C::kNumeric)),
      Col("created_at", Type(1184, "timestamp with time zone", "timestamp with time zone", C::kTimestamptz)),
      Col("due_date", Type(1082, "date", "date", C::kDate)),
      Col("paid", Type(16, "boolean", "boolean", C::kBoolean)),
      Col("ref", Type(2950, "uuid", "uuid", C::kUuid)),
      Col("meta", Type(3802, "jsonb", "jsonb", C::kJson)),
      Col("tags", Type(1009, "text[]", "text[]", C::kText, 0, true)),
      Col("qty", Type(21, "smallint", "smallint", C::kInteger, 2)),
      Col("big", Type(20, "bigint", "bigint", C::kInteger, 8)),
      Col("score", Type(701, "double precision", "double precision", C::kFloat)),
      Col("ratio", Type(700, "real", "real", C::kFloat)),
      Col("shipped_at", Type(1114, "timestamp without time zone", "timestamp without time zone", C::kTimestamp)),
      Col("lead_time", Type(1186, "interval", "interval", C::kInterval)),
      Col("ship_time", Type(1083, "time without time zone", "time without time zone", C::kTime)),
      Col("notes", Type(25, "text", "text", C::kText)),
      Col("doc", Type(114, "json", "json", C::kJson)),
      Col("photo", Type(17, "bytea", "bytea", C::kBytea)),
      Col("scores", Type(1007, "integer[]", "integer[]", C::kInteger, 4, true)),
      Col("code", Type(1043, "character varying(20)", "character varying", C::kText)),
      Col("Weird \"Name\"", Type(25, "text", "text", C::kText)),
  };
  return t;
}

// "events": no primary key, so default order is every selected column.
inline schema::Table EventsTable() {
  using C = schema::TypeCategory;
  schema::Table t;
  t.oid = 16500;
  t.schema = "public";
  t.name = "events";
  t.tool_name = "query_events";
  t.columns = {
      Col("kind", Type(25, "text", "text", C::kText)),
      Col("at", Type(1184, "timestamp with time zone", "timestamp with time zone", C::kTimestamptz)),
      Col("payload", Type(114, "json", "json", C::kJson)),
      Col("count", Type(23, "integer", "integer", C::kInteger, 4)),
  };
  return t;
}

// The same tables in PostgreSQL, with a few rows for the database tests.
inline const char* kFixtureSql = R"sql(
CREATE TYPE order_status AS ENUM ('new', 'paid', 'shipped', 'cancelled');
CREATE TABLE orders (
  id integer PRIMARY KEY,
  customer text,
  status order_status,
  amount numeric(12,2),
  created_at timestamptz,
  due_date date,
  paid boolean,
  ref uuid,
  meta jsonb,
  tags text[],
  qty smallint,
  big bigint,
  score double precision,
  ratio real,
  shipped_at timestamp,
  lead_time interval,
  ship_time time,
  notes text,
  doc json,
  photo bytea,
  scores integer[],
  code varchar(20),
  "Weird ""Name""" text,
  api_token text
);
CREATE TABLE events (kind text, at timestamptz, payload json, count integer);
INSERT INTO orders VALUES
 (1, 'Acme Corp', 'paid', 1200.00, '2026-01-05 10:00:00+00', '2026-02-01', true,
  'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"tier":"gold","n":1}', '{vip,"east coast"}', 3, 9007199254740993,
  1.5, 0.25, '2026-01-06 08:30:00', 'P1DT2H', '08:30:00', 'Refund delayed because of a shipping problem',
  '{"a": [1, 2]}', '\x00ff10', '{1,2,3}', 'A-100', 'x', 'secret-1'),
 (2, 'acme labs', 'new', 99.95, '2026-01-20 23:30:00+00', '2026-02-15', false,
  'b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12', '{"tier":"silver"}', '{east}', 1, -5,
  -2.25, 1.5, NULL, 'PT30M', '23:59:59', 'Customer asked about 50% discount_codes',
  '[]', '\x', '{}', 'B_200', NULL, 'secret-2'),
 (3, 'Globex', 'shipped', 45000.50, '2026-02-03 12:00:00+00', '2026-03-01', true,
  NULL, NULL, '{}', 7, 42, NULL, NULL, '2026-02-04 09:00:00', NULL, NULL, 'Shipped on time',
  NULL, NULL, NULL, 'C\100', 'y', NULL),
 (4, 'Initech', 'cancelled', NULL, '2026-03-15 00:00:00+00', NULL, NULL,
  'c0eebc99-9c0b-4ef8-bb6d-6bb9bd380a13', '{"tier":"gold","n":2}', NULL, NULL, NULL,
  3.75, 2.5, '2026-03-16 10:00:00', 'P2D', '12:00:00', NULL,
  '{"b": null}', NULL, '{4,NULL}', NULL, NULL, NULL),
 (5, 'Umbrella "Intl"', 'paid', 310.10, '2026-03-31 23:59:59.5+00', '2026-04-30', false,
  'd0eebc99-9c0b-4ef8-bb6d-6bb9bd380a14', '{"tier":"bronze"}', '{west,vip}', 2, 0,
  0, 0, '2026-04-01 00:00:00', 'PT1H', '00:00:00', 'Refund issued; customer happy',
  '{"c": "d"}', '\xdeadbeef', '{5}', 'D-%', 'z', NULL),
 (6, 'Acme Corp', 'paid', 75.00, '2026-04-02 09:15:00+00', '2026-05-01', true,
  'e0eebc99-9c0b-4ef8-bb6d-6bb9bd380a15', '{}', '{vip}', 5, 100,
  10.0, 3.5, '2026-04-03 11:00:00', 'P1D', '15:45:30.25', NULL,
  NULL, '\x01', '{1}', 'A-101', NULL, NULL);
INSERT INTO events VALUES ('click', '2026-01-01 00:00:00+00', '{"x":1}', 1),
 ('view', '2026-01-02 00:00:00+00', NULL, 2), ('click', '2026-01-03 00:00:00+00', '[1]', 3);
)sql";

}  // namespace pgmcp::query::testing

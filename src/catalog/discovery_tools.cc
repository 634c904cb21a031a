#include "catalog/discovery_tools.h"

#include <boost/json.hpp>

#include "catalog/tool_catalog.h"
#include "query/column_traits.h"

namespace pgmcp::catalog {
namespace {

namespace json = boost::json;

// Every schema node has exactly one `type` (or is an anyOf of single-typed branches), every enum
// is typed, and nothing carries `$schema` or `default`: what every model provider accepts.
json::object TypedEnum(json::array values) { return {{"type", "string"}, {"enum", std::move(values)}}; }

json::object Closed(json::object properties, json::array required = {}) {
  json::object o{{"type", "object"}, {"additionalProperties", false}};
  if (!required.empty()) o["required"] = std::move(required);
  o["properties"] = std::move(properties);
  return o;
}

json::object Entry(std::string_view name, std::string_view title, std::string description, json::object input,
                   bool query_result, const query::QueryOptions& options) {
  json::object o{{"name", name}, {"title", title}, {"description", std::move(description)}, {"inputSchema", std::move(input)}};
  // find_tables and query_table answer in the query-result shape, whatever the table.
  // Without structuredContent there is no outputSchema either ([query] structured_content).
  if (query_result && options.structured_content) o["outputSchema"] = query::OutputSchema(schema::Table{});
  o["annotations"] = ReadOnlyAnnotations();
  return o;
}

json::object FindTablesTool(const query::QueryOptions& options) {
  json::object input = Closed(
      {{"query", {{"type", "string"}, {"description", "Words to look for, e.g. \"invoice customer\"."}}},
       {"limit",
        {{"type", "integer"},
         {"minimum", 1},
         {"maximum", kMaxFindTablesLimit},
         {"description", "Default " + std::to_string(kDefaultFindTablesLimit) + "."}}},
       {"offset", {{"type", "integer"}, {"minimum", 0}}}});
  return Entry(kFindTables, "Find tables",
               "List the tables you can query, best match first: the words of query match table names, then "
               "column names, then comments; without query, every table by name. Columns: table (the name to "
               "pass to describe_table and query_table), description, rows_estimate. truncated: more matched, "
               "page with offset.",
               std::move(input), true, options);
}

json::object DescribeTableTool(const query::QueryOptions& options) {
  json::object input =
      Closed({{"table", {{"type", "string"}, {"description", "A table name from find_tables."}}}}, {"table"});
  return Entry(kDescribeTable, "Describe a table",
               "Describe one table before querying it: its purpose, every column with type, meaning, allowed "
               "values and keys, and the arguments query_table takes for it.",
               std::move(input), false, options);
}

json::object QueryTableTool(const query::QueryOptions& options) {
  json::object ops;
  for (query::FilterOp op : query::kAllFilterOps) {
    switch (op) {
      case query::FilterOp::kIsNull: ops[query::FilterOpName(op)] = {{"type", "boolean"}}; break;
      case query::FilterOp::kIn:
      case query::FilterOp::kNotIn:
        ops[query::FilterOpName(op)] = {{"type", "array"}, {"items", {{"$ref", "#/$defs/v"}}}};
        break;
      case query::FilterOp::kContains:
      case query::FilterOp::kStartsWith:
      case query::FilterOp::kEndsWith:
      case query::FilterOp::kSearch: ops[query::FilterOpName(op)] = {{"type", "string"}}; break;
      default: ops[query::FilterOpName(op)] = {{"$ref", "#/$defs/v"}}; break;
    }
  }
  json::array fns, buckets;
  for (query::AggregateFn fn : query::kAllAggregateFns) fns.emplace_back(query::AggregateFnName(fn));
  for (query::Bucket b : query::kAllBuckets) buckets.emplace_back(query::BucketName(b));
  json::object string{{"type", "string"}};

  json::object properties;
  properties["table"] = {{"type", "string"}, {"description", "A table name from find_tables."}};
  properties["where"] = {{"type", "object"},
                         {"description", "{column: {operator: value}}; all must hold. Text columns only: contains, "
                                         "starts_with, ends_with (case-insensitive), search (full text)."},
                         {"additionalProperties", Closed(std::move(ops))}};
  properties["select"] = {{"type", "array"}, {"items", string}};
  properties["order_by"] = {
      {"type", "array"},
      {"items", Closed({{"column", string}, {"direction", TypedEnum({"asc", "desc"})}}, {"column"})}};
  properties["limit"] = {{"type", "integer"},
                         {"minimum", 1},
                         {"maximum", options.limits.max_rows},
                         {"description", "Default " + std::to_string(options.limits.default_limit) + "."}};
  properties["offset"] = {{"type", "integer"}, {"minimum", 0}, {"maximum", options.max_offset}};
  properties["group_by"] = {
      {"type", "array"},
      {"items",
       {{"anyOf", json::array{string, Closed({{"column", string}, {"bucket", TypedEnum(std::move(buckets))}},
                                             {"column"})}}}}};
  properties["aggregates"] = {
      {"type", "array"},
      {"items", Closed({{"fn", TypedEnum(std::move(fns))}, {"column", string}}, {"fn"})}};

  json::object input = Closed(std::move(properties), {"table"});
  input["$defs"] = {
      {"v", {{"anyOf", json::array{{{"type", "string"}}, {{"type", "number"}}, {{"type", "boolean"}}}}}}};
  return Entry(kQueryTable, "Query a table",
               "Query one table, read-only, with the arguments describe_table shows for it. Result columns of "
               "aggregates: the group_by columns, then count, sum_<column>, avg_<column>...; order_by may name "
               "them. Without order_by, rows come in primary-key order.",
               std::move(input), true, options);
}

}  // namespace

bool IsDiscoveryTool(std::string_view name) {
  return name == kFindTables || name == kDescribeTable || name == kQueryTable;
}

json::array DiscoveryToolEntries(const query::QueryOptions& options) {
  // In tool-name order, like every tools/list.
  return {DescribeTableTool(options), FindTablesTool(options), QueryTableTool(options)};
}

}  // namespace pgmcp::catalog

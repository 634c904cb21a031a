// Tool schemas: the JSON Schema of a table's arguments, generated from the same rules
// (column_traits) the parser enforces. Every byte is a model's token on every turn, and every
// model provider and client adapter must accept it (docs/reference.md, "Tool schemas"): the
// argument grammar is said once, in short descriptions; column names are one enum; each node
// has one type; what the parser checks anyway (which operator suits which column) is not
// repeated per column.
#include <boost/json.hpp>
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "query/column_traits.h"
#include "query/query.h"

namespace pgmcp::query {
namespace {

namespace json = boost::json;
using schema::Table;
using schema::TypeCategory;

std::string Join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

// `text` as a regular-expression literal: the ECMAScript syntax characters escaped (each has a
// valid identity escape, also under the u flag), everything else kept as it is.
std::string RegexLiteral(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (std::string_view("^$\\.*+?()[]{}|/").find(c) != std::string_view::npos) out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

// The single-column foreign keys of the table, which dotted paths ("customer_id.plan") follow.
std::vector<std::string> FollowableKeys(const Table& table) {
  std::vector<std::string> keys;
  for (const auto& fk : table.foreign_keys) {
    if (fk.columns.size() != 1) continue;
    if (std::find(keys.begin(), keys.end(), fk.columns[0]) == keys.end()) keys.push_back(fk.columns[0]);
  }
  return keys;
}

// What names a column in any argument: one of the table's columns, or (when the table has
// single-column foreign keys) a dotted path starting at one of them.
json::object ColumnName(const Table& table) {
  json::array names;
  for (const auto& c : table.columns) names.emplace_back(c.name);
  json::object column{{"type", "string"}, {"enum", std::move(names)}};
  const std::vector<std::string> keys = FollowableKeys(table);
  if (keys.empty()) return column;
  std::vector<std::string> escaped;
  for (const auto& key : keys) escaped.push_back(RegexLiteral(key));
  json::object path{{"type", "string"}, {"pattern", "^(" + Join(escaped, "|") + ")\\."}};
  return {{"anyOf", json::array{std::move(column), std::move(path)}}};
}

// The where grammar, naming only the operators some column of this table takes.
std::string WhereDescription(const Table& table) {
  std::set<FilterOp> general, text, array;
  for (const auto& c : table.columns) {
    for (FilterOp op : AllowedOperators(c.type)) {
      const bool text_only = op == FilterOp::kContains || op == FilterOp::kStartsWith || op == FilterOp::kEndsWith ||
                             op == FilterOp::kSearch;
      if (c.type.is_array && op != FilterOp::kIsNull) {
        array.insert(op);
      } else if (text_only) {
        text.insert(op);
      } else {
        general.insert(op);
      }
    }
  }
  std::vector<std::string> names;
  for (FilterOp op : general) names.emplace_back(FilterOpName(op));
  std::string out = "column: {operator: value}, all must hold; " + Join(names, " ");
  if (!text.empty()) {
    names.clear();
    for (FilterOp op : text) names.emplace_back(FilterOpName(op));
    out += ", text: " + Join(names, " ");
  }
  if (array.contains(FilterOp::kContains)) out += ", arrays: contains";
  return out;
}

std::string GroupByDescription(const Table& table) {
  bool bucketable = false;
  for (const auto& c : table.columns) bucketable = bucketable || CanBucket(c.type, Bucket::kDay);
  if (!bucketable) return "{column}";
  std::vector<std::string> buckets;
  for (Bucket b : kAllBuckets) buckets.emplace_back(BucketName(b));
  return "{column, bucket?: " + Join(buckets, "|") + "}";
}

std::string AggregatesDescription() {
  std::vector<std::string> fns;
  for (AggregateFn fn : kAllAggregateFns) fns.emplace_back(AggregateFnName(fn));
  return "{fn: " + Join(fns, "|") + ", column?}";
}

// A list whose entries are objects described in words.
json::object ListOf(std::string description) {
  return {{"type", "array"}, {"description", std::move(description)}, {"items", {{"type", "object"}}}};
}

}  // namespace

json::object InputSchema(const schema::Table& table, const QueryOptions& options) {
  json::object properties;
  properties["where"] = {{"type", "object"},
                         {"description", WhereDescription(table)},
                         {"additionalProperties", {{"type", "object"}}}};
  properties["select"] = {{"type", "array"}, {"items", ColumnName(table)}};
  properties["order_by"] = ListOf("{column, direction?: asc|desc}; with aggregates also count, sum_<column>...");
  properties["limit"] = {{"type", "integer"},
                         {"description", "1-" + std::to_string(options.limits.max_rows) + ", default " +
                                             std::to_string(options.limits.default_limit) + "."}};
  properties["offset"] = {{"type", "integer"}};
  properties["group_by"] = ListOf(GroupByDescription(table));
  properties["aggregates"] = ListOf(AggregatesDescription());
  return {{"type", "object"}, {"additionalProperties", false}, {"properties", std::move(properties)}};
}

json::object OutputSchema(const schema::Table& /*table*/) {
  // Row values keep their JSON type per column, so items are left open.
  return {{"type", "object"},
          {"additionalProperties", false},
          {"required", json::array{"columns", "rows", "row_count", "truncated"}},
          {"properties",
           {{"columns", {{"type", "array"}, {"items", {{"type", "string"}}}}},
            {"rows", {{"type", "array"}, {"items", {{"type", "array"}}}}},
            {"row_count", {{"type", "integer"}, {"minimum", 0}}},
            {"truncated", {{"type", "boolean"}}}}}};
}

}  // namespace pgmcp::query

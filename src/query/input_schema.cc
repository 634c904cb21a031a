// Tool schemas: the JSON Schema (2020-12) of a table's arguments, generated from the same rules
// (column_traits) the parser enforces, and kept small because every byte is a model's token.
#include <boost/json.hpp>
#include <cctype>
#include <map>

#include "query/column_traits.h"
#include "query/query.h"

namespace pgmcp::query {
namespace {

namespace json = boost::json;
using schema::Column;
using schema::TypeCategory;

json::value ValueSchema(const Column& c) {
  switch (c.type.category) {
    case TypeCategory::kBoolean: return {{"type", "boolean"}};
    case TypeCategory::kInteger: return {{"type", json::array{"integer", "string"}}};
    case TypeCategory::kNumeric:
    case TypeCategory::kFloat: return {{"type", json::array{"number", "string"}}};
    case TypeCategory::kEnum:
      if (!c.allowed_values.empty()) {
        json::array values;
        for (const auto& v : c.allowed_values) values.emplace_back(v);
        return {{"enum", std::move(values)}};
      }
      return {{"type", "string"}};
    case TypeCategory::kUuid: return {{"type", "string"}, {"format", "uuid"}};
    case TypeCategory::kDate: return {{"type", "string"}, {"format", "date"}};
    default: return {{"type", "string"}};
  }
}

json::object FilterSchema(const Column& c) {
  const json::value value = ValueSchema(c);
  json::object ops;
  for (FilterOp op : AllowedOperators(c.type)) {
    const std::string name(FilterOpName(op));
    switch (op) {
      case FilterOp::kIsNull:
        ops[name] = {{"type", "boolean"}};
        break;
      case FilterOp::kIn:
      case FilterOp::kNotIn:
        // The cap on list length is left to the error sentence: it costs bytes in every table.
        ops[name] = {{"type", "array"}, {"items", value}};
        break;
      case FilterOp::kContains:
        if (c.type.is_array) {
          ops[name] = {{"anyOf", json::array{value, {{"type", "array"}, {"items", value}}}}};
          break;
        }
        [[fallthrough]];
      case FilterOp::kStartsWith:
      case FilterOp::kEndsWith:
      case FilterOp::kSearch:
        ops[name] = {{"type", "string"}};
        break;
      default:
        ops[name] = value;
        break;
    }
  }
  json::object object{{"type", "object"}, {"additionalProperties", false}, {"properties", std::move(ops)}};
  if (!OperatorAllowed(c.type, FilterOp::kEq)) return object;
  return {{"anyOf", json::array{value, std::move(object)}}};
}

json::array Names(const std::vector<std::string>& names) {
  json::array a;
  for (const auto& n : names) a.emplace_back(n);
  return a;
}

// An object that takes exactly `properties`, of which `required` must be present (the list
// entries of group_by, order_by and aggregates, and the result).
json::object ClosedObject(json::array required, json::object properties) {
  return {{"type", "object"},
          {"additionalProperties", false},
          {"required", std::move(required)},
          {"properties", std::move(properties)}};
}

}  // namespace

json::object InputSchema(const schema::Table& table, const QueryOptions& options) {
  json::object defs;
  std::vector<std::string> all, groupable, bucketable;
  for (const auto& c : table.columns) {
    all.push_back(c.name);
    if (CanGroupBy(c.type)) groupable.push_back(c.name);
    if (CanBucket(c.type, Bucket::kDay)) bucketable.push_back(c.name);
  }
  defs["column"] = {{"enum", Names(all)}};

  // Columns of the same type share one filter definition; enum columns carry their own values.
  json::object where_props;
  std::map<std::string, std::string> def_by_body;
  for (const auto& c : table.columns) {
    json::object filter = FilterSchema(c);
    if (c.type.category == TypeCategory::kEnum && !c.allowed_values.empty()) {
      where_props[c.name] = std::move(filter);
      continue;
    }
    const std::string body = json::serialize(filter);
    auto it = def_by_body.find(body);
    if (it == def_by_body.end()) {
      std::string name;
      for (char ch : TypeLabel(c.type)) name.push_back(std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_');
      name = "f_" + name;
      while (defs.contains(name)) name += "_";
      defs[name] = std::move(filter);
      it = def_by_body.emplace(body, name).first;
    }
    where_props[c.name] = {{"$ref", "#/$defs/" + it->second}};
  }

  json::array fns;
  for (AggregateFn fn : kAllAggregateFns) fns.emplace_back(AggregateFnName(fn));
  json::array buckets;
  for (Bucket b : kAllBuckets) buckets.emplace_back(BucketName(b));

  json::value group_item = groupable.size() == all.size() ? json::value{{"$ref", "#/$defs/column"}}
                                                          : json::value{{"enum", Names(groupable)}};
  if (!bucketable.empty()) {
    group_item = {{"anyOf", json::array{group_item,
                                        ClosedObject({"column"}, {{"column", {{"enum", Names(bucketable)}}},
                                                                  {"bucket", {{"enum", std::move(buckets)}}}})}}};
  }

  json::object properties;
  properties["where"] = {{"type", "object"},
                         {"description", "All conditions must hold. A bare value means eq."},
                         {"additionalProperties", false},
                         {"properties", std::move(where_props)}};
  properties["select"] = {{"type", "array"}, {"items", {{"$ref", "#/$defs/column"}}}};
  properties["order_by"] = {
      {"type", "array"},
      {"items",
       ClosedObject({"column"},
                    {{"column",
                      {{"type", "string"},
                       {"description", "A column; with aggregates a result column such as count or sum_<column>."}}},
                     {"direction", {{"enum", json::array{"asc", "desc"}}}}})}};
  properties["limit"] = {{"type", "integer"},
                         {"minimum", 1},
                         {"maximum", options.limits.max_rows},
                         {"default", options.limits.default_limit}};
  properties["offset"] = {{"type", "integer"}, {"minimum", 0}, {"maximum", options.max_offset}};
  properties["group_by"] = {{"type", "array"}, {"items", std::move(group_item)}};
  properties["aggregates"] = {
      {"type", "array"},
      {"items", ClosedObject({"fn"}, {{"fn", {{"enum", std::move(fns)}}}, {"column", {{"$ref", "#/$defs/column"}}}})}};

  return {{"$schema", "https://json-schema.org/draft/2020-12/schema"},
          {"type", "object"},
          {"additionalProperties", false},
          {"properties", std::move(properties)},
          {"$defs", std::move(defs)}};
}

json::object OutputSchema(const schema::Table& /*table*/) {
  // Row values keep their JSON type per column, so items are left open.
  return ClosedObject({"columns", "rows", "row_count", "truncated"},
                      {{"columns", {{"type", "array"}, {"items", {{"type", "string"}}}}},
                       {"rows", {{"type", "array"}, {"items", {{"type", "array"}}}}},
                       {"row_count", {{"type", "integer"}, {"minimum", 0}}},
                       {"truncated", {{"type", "boolean"}}}});
}

}  // namespace pgmcp::query

// What every model provider and client adapter accepts in a tool's inputSchema
// (docs/reference.md, "Tool schemas"): the walk that finds each departure from it, node by node.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <vector>

namespace pgmcp::query::testing {

// Every schema node under `node` (reached through properties, items, additionalProperties,
// propertyNames, anyOf/oneOf/allOf, $defs) that has a type array, an enum without a type, an
// array without items, a $schema or a default: one line per problem, naming the node's path.
inline void CollectPortabilityProblems(const boost::json::value& node, const std::string& path,
                                       std::vector<std::string>& problems) {
  const auto* schema = node.if_object();
  if (schema == nullptr) {
    if (!node.is_bool()) problems.push_back(path + ": not a schema");
    return;
  }
  const auto* type = schema->if_contains("type");
  if (type != nullptr && !type->is_string()) problems.push_back(path + ": type is not one string");
  if (schema->contains("enum") && type == nullptr) problems.push_back(path + ": enum without a type");
  if (type != nullptr && type->is_string() && type->get_string() == "array" && !schema->contains("items")) {
    problems.push_back(path + ": array without items");
  }
  if (schema->contains("$schema")) problems.push_back(path + ": $schema");
  if (schema->contains("default")) problems.push_back(path + ": default");

  for (const char* key : {"items", "additionalProperties", "propertyNames", "not"}) {
    if (const auto* child = schema->if_contains(key)) CollectPortabilityProblems(*child, path + "/" + key, problems);
  }
  for (const char* key : {"properties", "$defs"}) {
    const auto* children = schema->if_contains(key);
    if (children == nullptr) continue;
    if (!children->is_object()) {
      problems.push_back(path + "/" + key + ": not an object");
      continue;
    }
    for (const auto& [name, child] : children->get_object()) {
      CollectPortabilityProblems(child, path + "/" + key + "/" + std::string(name), problems);
    }
  }
  for (const char* key : {"anyOf", "oneOf", "allOf"}) {
    const auto* branches = schema->if_contains(key);
    if (branches == nullptr) continue;
    if (!branches->is_array()) {
      problems.push_back(path + "/" + key + ": not a list");
      continue;
    }
    for (size_t i = 0; i < branches->get_array().size(); ++i) {
      CollectPortabilityProblems(branches->get_array()[i], path + "/" + key + "/" + std::to_string(i), problems);
    }
  }
}

inline std::vector<std::string> PortabilityProblems(const boost::json::value& schema) {
  std::vector<std::string> problems;
  CollectPortabilityProblems(schema, "#", problems);
  return problems;
}

}  // namespace pgmcp::query::testing

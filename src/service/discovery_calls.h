// The calls of discovery mode (docs/reference.md, "Discovery mode"): find_tables and
// describe_table answered from the caller's catalog, and query_table turned into the call of the
// table's own tool. Pure functions of the snapshot and catalog a call was given; thread-safe.
#pragma once

#include <boost/json/value.hpp>
#include <string>

#include "catalog/tool_catalog.h"
#include "common/result.h"
#include "query/query.h"
#include "schema/snapshot.h"

namespace pgmcp::service {

// The one sentence for a table that does not exist, is not visible to the caller, or is no
// table name at all: the same in every case, so it tells nothing about what exists.
inline constexpr std::string_view kUnknownTableSentence =
    "No table of that name: call find_tables for the names of the tables you can query.";

// find_tables: the result JSON in the query-result shape ({"columns":["table","description",
// "rows_estimate"],"rows":[...],"row_count":N,"truncated":B}), or kInvalidArgument.
Result<std::string> FindTables(const catalog::TableDirectory& directory, const boost::json::value& arguments);

struct TableDescription {
  const schema::Table* table = nullptr;
  std::string text;             // the description the table's own tool carries
  std::string structured_json;  // {"table","description","columns":[...],"input_schema"}
};

// describe_table, or kInvalidArgument (kUnknownTableSentence for a table it cannot name).
Result<TableDescription> DescribeTable(const schema::SchemaSnapshot& snapshot, const catalog::ToolCatalog& catalog,
                                       const boost::json::value& arguments, const query::QueryOptions& options);

struct TableCall {
  const schema::Table* table = nullptr;
  boost::json::value arguments;  // the call's arguments without "table": what the table's own tool takes
};

// query_table: the table it names and the arguments for that table's tool, or kInvalidArgument.
Result<TableCall> ResolveQueryTable(const schema::SchemaSnapshot& snapshot, const catalog::ToolCatalog& catalog,
                                    boost::json::value arguments);

}  // namespace pgmcp::service

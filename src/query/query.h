// The query layer's public face: tool arguments (JSON, never SQL) in, one parameterized SELECT
// out; a PostgreSQL result in, the JSON rows of docs/reference.md, "Results", out. Pure functions, thread-safe.
#pragma once

#include <boost/json/fwd.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "config/settings.h"
#include "database/rows.h"
#include "schema/snapshot.h"

namespace pgmcp::query {

struct QueryOptions {
  config::Limits limits;
  std::string text_search_config = "english";
  config::SanitizeMode sanitize = config::SanitizeMode::kStrict;
  int64_t max_offset = 100000;  // deeper paging is a full scan per page; ask for a filter instead
  bool structured_content = true;  // query.structured_content: outputSchema and structuredContent at all
};

// One column of the result, in SELECT order.
struct OutputColumn {
  std::string name;         // a table column, a path ("customer_id.email"), or an aggregate name such as "sum_mrr"
  schema::ColumnType type;  // what the value is, for JSON encoding
};

struct SqlQuery {
  std::string sql;                                 // one SELECT; identifiers quoted; values only as $n
  std::vector<std::optional<std::string>> params;  // text-format bind values ($1 is params[0])
  std::vector<OutputColumn> columns;
  int64_t limit = 0;                               // rows asked for; the SQL fetches limit + 1
};

// Validates `arguments` (the tools/call "arguments" object, or null) against `table` and builds
// the SELECT. `table` is a table of `snapshot`, the caller's view of the schema: dotted paths
// follow foreign keys to the other tables it holds, and to no others. Every failure is
// ErrorKind::kInvalidArgument with one sentence a model can act on.
Result<SqlQuery> BuildQuery(const schema::SchemaSnapshot& snapshot, const schema::Table& table,
                            const boost::json::value& arguments, const QueryOptions& options);

struct EncodedRows {
  std::string json;  // {"columns":[...],"rows":[[...]],"row_count":N,"truncated":B}
  int64_t row_count = 0;
  bool truncated = false;
};

// Encodes the rows of a successful SELECT built by BuildQuery (text-format result), all at once
// (query/result_encoder.h encodes them one at a time as they arrive).
EncodedRows EncodeRows(const database::Rows& rows, const SqlQuery& query, const QueryOptions& options);

// JSON Schemas of a tool's arguments and result (docs/query-language.md).
boost::json::object InputSchema(const schema::Table& table, const QueryOptions& options);
boost::json::object OutputSchema(const schema::Table& table);

}  // namespace pgmcp::query

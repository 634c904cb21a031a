// The query layer's public face: tool arguments (JSON, never SQL) in, one parameterized SELECT
// out; a PostgreSQL result in, the JSON rows of docs/reference.md, "Results", out. Pure functions, thread-safe.
#pragma once

#include <boost/json/fwd.hpp>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
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

// The result columns of a query, in SELECT order: immutable once made, and shared by the calls of
// one query shape (query/sql_shape_cache.h) instead of copied per call. Reads like a vector.
class OutputColumns {
 public:
  OutputColumns() = default;
  OutputColumns(std::vector<OutputColumn> columns);  // NOLINT(google-explicit-constructor): a vector is one
  OutputColumns(std::initializer_list<OutputColumn> columns)  // NOLINT(google-explicit-constructor)
      : OutputColumns(std::vector<OutputColumn>(columns)) {}

  size_t size() const { return shared_ ? shared_->columns.size() : 0; }
  bool empty() const { return size() == 0; }
  const OutputColumn& operator[](size_t i) const { return shared_->columns[i]; }

  // The start of the result's JSON up to its first row: {"columns":[<the names>],"rows":[
  // Made once with the columns (defined with the result encoder, which writes it).
  std::string_view header_json() const;

 private:
  struct Shared {
    std::vector<OutputColumn> columns;
    std::string header_json;
  };
  std::shared_ptr<const Shared> shared_;
};

struct SqlQuery {
  std::string sql;                                 // one SELECT; identifiers quoted; values only as $n
  std::vector<std::optional<std::string>> params;  // text-format bind values ($1 is params[0])
  OutputColumns columns;
  int64_t limit = 0;                               // rows asked for; the SQL fetches limit + 1
};

class SqlShapeCache;

// Validates `arguments` (the tools/call "arguments" object, or null) against `table` and builds
// the SELECT. `table` is a table of `snapshot`, the caller's view of the schema: dotted paths
// follow foreign keys to the other tables it holds, and to no others. Every failure is
// ErrorKind::kInvalidArgument with one sentence a model can act on. With `shapes` (a cache that
// serves `snapshot` only), the SQL text of a shape seen before is reused and only the values are
// bound: the same SqlQuery either way.
Result<SqlQuery> BuildQuery(const schema::SchemaSnapshot& snapshot, const schema::Table& table,
                            const boost::json::value& arguments, const QueryOptions& options,
                            SqlShapeCache* shapes = nullptr);

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

// Result encoding, one row at a time: the text-format rows of a SELECT built by BuildQuery
// written straight to the JSON of docs/reference.md, "Results", with the row cap (limit + 1
// fetched) and the byte cap (cut at a row boundary) applied on the way. It holds the capped
// document and nothing else, so a call's memory follows max_result_bytes, not the result's size.
// Not thread-safe: one call's rows feed it in order.
#pragma once

#include <boost/container/small_vector.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "database/row_sink.h"
#include "query/query.h"
#include "query/value_encoder.h"

namespace pgmcp::query {

class ResultEncoder : public database::RowSink {
 public:
  // `query` and `options` must outlive the encoder.
  ResultEncoder(const SqlQuery& query, const QueryOptions& options);

  // Appends row `index` of `rows`; false once no more rows are wanted: the one past `limit`
  // arrived (more rows matched) or the row did not fit in max_result_bytes.
  bool Add(const database::Rows& rows, int index) override;

  // The finished document; call once, after the last row. Without rows, the columns are the
  // query's, or those `described` names when given.
  EncodedRows Finish(const database::Rows* described = nullptr);

 private:
  // One column of the result.
  struct Column {
    const schema::ColumnType* type;  // the query's column type, or TextColumn()
    FastPath fast;
  };

  // Column names from the query; a column the query does not describe (it cannot happen for
  // our own SQL) is written as text under the name `rows` gives it.
  void WriteHeader(const database::Rows* rows);
  // Appends the values of the current row's first `fields` columns, comma-separated.
  void AppendValues(size_t fields, std::string& out);

  const SqlQuery& query_;
  const QueryOptions& options_;
  ValueEncoder values_;
  boost::container::small_vector<Column, 16> columns_;  // no allocation for most results
  boost::container::small_vector<database::Cell, 16> cells_;  // the current row's values, one per column
  EncodedRows encoded_;
  bool header_written_ = false;
  bool done_ = false;
};

}  // namespace pgmcp::query

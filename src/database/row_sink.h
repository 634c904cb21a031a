// RowSink: where a statement's rows go one at a time as the database sends them, so that a
// large result is never held whole (docs/security.md, "Bounded memory"). Engine-neutral: the
// rows come as Rows. Not thread-safe: one statement feeds it, on the connection's executor.
#pragma once

#include "database/rows.h"

namespace pgmcp::database {

class RowSink {
 public:
  virtual ~RowSink() = default;
  // One row: row `row` of `rows` (which also names the columns; when streaming, `rows` holds
  // just that row, or every row of a small answer read whole). Returns whether more rows are wanted; after false, the statement's remaining
  // rows are read and dropped unseen.
  virtual bool Add(const Rows& rows, int row) = 0;
};

}  // namespace pgmcp::database

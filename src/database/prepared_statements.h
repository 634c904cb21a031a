// PreparedStatements: a pool's choice between named prepared statements and unnamed ones
// (docs/reference.md, pool.prepared_statements), and the one-way fall back from the first to the
// second when a transaction-mode pooler (PgBouncer before 1.21) loses statements between calls.
// Not thread-safe: the Pool's, used on its executor.
#pragma once

#include <cstddef>
#include <memory>

#include "common/result.h"
#include "database/connection.h"

namespace pgmcp::database {

enum class PreparedMode {
  kAuto,  // named, falling back to unnamed for good (logged once) on a pooler's error
  kOn,    // named always: a pooler's error is the call's
  kOff,   // unnamed always
};

class PreparedStatements {
 public:
  PreparedStatements(PreparedMode mode, size_t cache_size);

  // Sets `conn` up as the pool sends statements now (called as a connection is leased).
  void Apply(Connection& conn) const;
  // After a call on `conn` failed with `error`: true when the error is a pooler's loss of a named
  // statement, the mode is auto and `conn` is idle again, so the call may run once more, unnamed.
  // The first such error turns named statements off for the whole pool and logs why, once.
  bool FallBack(const Error& error, Connection& conn);
  bool named() const { return named_; }
  // What the statement caches of the pool's connections did, summed, since the start.
  const StatementCacheCounts& counts() const { return *counts_; }

 private:
  PreparedMode mode_;
  size_t cache_size_;
  bool named_;
  std::shared_ptr<StatementCacheCounts> counts_ = std::make_shared<StatementCacheCounts>();
};

// A pooler lost or mixed named statements between calls: invalid_sql_statement_name (26000, the
// statement is not prepared on this server connection) or duplicate_prepared_statement (42P05).
bool IsPoolerStatementError(const Error& error);

}  // namespace pgmcp::database

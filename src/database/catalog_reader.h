// CatalogReader: one blocking database connection for reading the catalog — introspection, the
// privilege audit, start-up checks. Blocking, but never without a deadline: use it before the event
// loop runs or on a worker thread, never on the loop. Not thread-safe: one thread at a time.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "database/deadline.h"
#include "database/rows.h"

namespace pgmcp::database {

// An interface, so that the layers above read a catalog without knowing the engine (and tests
// may hand them a reader of their own); ConnectCatalogReader opens PostgreSQL's.
class CatalogReader {
 public:
  virtual ~CatalogReader() = default;

  // Runs one statement with text bind values ($1 is params[0]; none is NULL) and returns its rows.
  // Fails with kUnavailable when the connection is gone, kTimeout past the reader's deadline, else
  // kInternal; the message is a plain "Reading the database catalog failed." (or "... timed
  // out."), the SQLSTATE and server message go to Error::code (for logs, never for clients).
  virtual Result<Rows> Query(const std::string& sql, const std::vector<std::string>& params = {}) = 0;

  // The server's version as one number, e.g. 160002 for 16.2.
  virtual int server_version() const = 0;
};

// Connects to `dsn` (a connection string or URI) and gives up at `deadline`, to the millisecond.
// Fails with kUnavailable "cannot connect to the database: <libpq's reason, on one line>".
// Each query then runs under `statement_timeout` (set for its own transaction, so nothing stays on
// the session), and the reader gives up on an answer kTimeoutGrace later, from when it was sent: a
// database that accepted the login and then never answers (a stalled network path) cannot hold a
// start-up or a reload forever. A query given up leaves the reader unusable (kUnavailable).
Result<std::unique_ptr<CatalogReader>> ConnectCatalogReader(const std::string& dsn, Deadline deadline,
                                                            std::chrono::milliseconds statement_timeout =
                                                                std::chrono::seconds(30));

}  // namespace pgmcp::database

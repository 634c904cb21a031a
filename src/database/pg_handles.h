// The libpq side of database/: RAII owners for every libpq handle, the one place connection
// parameters are built, and Rows over a PGresult. Only database/'s sources (and the tests and
// benchmarks, through these owners) include it; headers other layers use never do.
#pragma once

#include <libpq-fe.h>

#include <memory>
#include <string>

#include "common/result.h"
#include "database/host_lookup.h"
#include "database/pg_forward.h"
#include "database/rows.h"

namespace pgmcp::database {

// A Rows that owns `result` (text format). A null result reads as no rows and no columns.
Rows RowsFromResult(PgResultPtr result);

// Starts connecting with `params` (database/host_lookup.h): the one place the connection's
// parameters get pgmcp's own defaults. The caller drives PQconnectPoll; null only when out of
// memory. No step blocks when host names are already resolved (ResolveHostNames, for the event
// loop's Connection); with the DSN's own names (ConnectionParams) libpq looks them up, blocking:
// only for the blocking CatalogReader.
PgConnPtr StartConnect(const ConnectParams& params);

// libpq's last error on `conn` as one line (its multi-line, tab-indented text folded into single
// spaces); "out of memory" for a null connection.
std::string ConnectionErrorText(const PGconn* conn);

// Routes the server's NOTICE messages on `conn` to the debug log instead of libpq's stderr print.
void SilenceNotices(PGconn* conn);

// The Error for a failed result: kind and sentence from the SQLSTATE (database/errors.h), the
// SQLSTATE as code. The server's own message goes to the debug log only.
Error ErrorFromResult(const PGresult* result);

}  // namespace pgmcp::database

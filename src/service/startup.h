// Start-up steps shared by every command: one blocking connection for the catalog (before the
// event loop runs, or on a worker thread later) and the first schema snapshot.
#pragma once

#include <libpq-fe.h>

#include <memory>

#include "common/result.h"
#include "config/settings.h"
#include "database/pool.h"
#include "schema/snapshot.h"

namespace pgmcp::service {

struct PgConnCloser {
  void operator()(PGconn* c) const { PQfinish(c); }
};
using PgConnPtr = std::unique_ptr<PGconn, PgConnCloser>;

// Blocking connect with pool.connect_timeout_ms; kUnavailable with libpq's one-line reason.
Result<PgConnPtr> ConnectBlocking(const config::Settings& settings);

// Connects, introspects and logs the snapshot's warnings (e.g. skipped plain views).
Result<schema::SnapshotPtr> LoadSchema(const config::Settings& settings);

// Pool settings from the config; `max` overrides pool.max (one-shot commands need one connection).
database::PoolOptions PoolOptionsFrom(const config::Settings& settings, int max = 0);

// Prints a start-up failure as one line on stderr and returns its exit code (2 config/security, 1 else).
int ReportStartupError(const Error& error);

}  // namespace pgmcp::service

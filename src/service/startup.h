// Start-up steps shared by every command: one blocking connection for the catalog (before the
// event loop runs, or on a worker thread later) and the first schema snapshot.
#pragma once

#include <memory>
#include <string>

#include "common/result.h"
#include "config/settings.h"
#include "database/catalog_reader.h"
#include "database/pool.h"
#include "schema/snapshot.h"

namespace pgmcp::service {

// A blocking catalog connection to config::ListenDsn (schema.listen_dsn, else dsn), given up
// after pool.connect_timeout_ms; kUnavailable with the driver's one-line reason. Each of its
// queries runs under a statement_timeout of pool.connect_timeout_ms too (given up 2 s later): the
// budget for the database answering at all, not limits.statement_timeout_ms, which operators
// tighten for agents' calls (docs/decisions.md, "Catalog queries have a deadline").
Result<std::unique_ptr<database::CatalogReader>> ConnectBlocking(const config::Settings& settings);

// Connects, introspects and logs the snapshot's warnings (e.g. skipped plain views).
Result<schema::SnapshotPtr> LoadSchema(const config::Settings& settings);

// What start-up established for serve, tools and call: the first snapshot, audited, and the role
// pgmcp logs in as (session_user), the same through dsn and schema.listen_dsn (SharedLoginRole).
struct AuditedSchema {
  schema::SnapshotPtr snapshot;
  std::string login_role;
};

// LoadSchema plus SharedLoginRole and the start-up privilege audit (docs/security.md) on the same
// connection, for serve, tools and call. Unsafe roles: prints one line per problem on stderr and
// returns kSecurity (exit 2), unless security.allow_privileged_role, which logs a loud warning and
// goes on.
Result<AuditedSchema> LoadAuditedSchema(const config::Settings& settings);

// The audit reads the catalog through config::ListenDsn, but every tool call runs on the pool's
// dsn: both must log in as the same role, or the audit vouches for a role no call runs as. With
// schema.listen_dsn set (and not equal to dsn), connects to dsn too and compares its session_user
// and current_user with `catalog`'s: kConfig naming both when they differ (exit 2), kUnavailable
// when dsn cannot be reached (exit 1). Returns the login role (session_user) they share.
Result<std::string> SharedLoginRole(database::CatalogReader& catalog, const config::Settings& settings);

// The audit's verdict for an already introspected snapshot (what LoadAuditedSchema runs).
Status AuditOrRefuse(database::CatalogReader& reader, const config::Settings& settings,
                     const schema::SchemaSnapshot& snapshot);

// The role pgmcp logs in as (current_user of a fresh connection): never a caller's role.
Result<std::string> LoginRole(const config::Settings& settings);

// Pool settings from the config; `max` overrides pool.max (one-shot commands need one connection).
// `login_role`: the role every pooled connection must log in as (AuditedSchema::login_role);
// empty: not checked.
database::PoolOptions PoolOptionsFrom(const config::Settings& settings, int max = 0, std::string login_role = "");

// Prints a start-up failure as one line on stderr and returns its exit code (2 config/security, 1 else).
int ReportStartupError(const Error& error);

}  // namespace pgmcp::service

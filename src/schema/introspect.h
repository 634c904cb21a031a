// Introspection: reads the exposed part of the PostgreSQL catalog (docs/reference.md, "Tools") into a complete
// SchemaSnapshot in a few catalog queries. Blocking: call at start-up or on a worker thread.
#pragma once

#include <string>

#include "common/result.h"
#include "config/settings.h"
#include "database/catalog_reader.h"
#include "schema/snapshot.h"

namespace pgmcp::schema {

// Tables, views (security_invoker only; plain views become warnings), materialized views,
// partitioned parents and foreign tables of settings.schemas that the login role, a role of
// auth.allowed_roles or auth.anonymous_role can SELECT, minus the configured exclusions; with
// columns, keys, foreign keys between exposed tables, allowed values, row estimates, tool names,
// descriptions, and the privilege matrix of which of those roles reads what (privilege_matrix.h;
// VisibleTo cuts one role's view from it).
//
// Common values from pg_stats are used only for text columns of relations without row-level
// security (and not for materialized views reading such tables), when the statistics show
// between 1 and 20 distinct values, each value on average on at least two rows, and the
// most-common-values list covering at least 99% of the rows: an exhaustive, low-cardinality
// list ("status", "plan"), never a sample of free text or of one caller's rows.
Result<SchemaSnapshot> Introspect(database::CatalogReader& reader, const config::Settings& settings);

// An md5 (hex) of the exposed catalog: relations, their options, privileges as they matter for
// exposure, columns, types, domains, enum labels, constraints and comments. Row estimates and
// statistics are left out on purpose: ANALYZE must not look like a schema change. One query.
Result<std::string> SchemaVersion(database::CatalogReader& reader, const config::Settings& settings);

}  // namespace pgmcp::schema

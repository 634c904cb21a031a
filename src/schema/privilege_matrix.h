// The privilege matrix (docs/security.md, "What a caller sees"): which audited role may SELECT which
// exposed table and column, read in one catalog query at introspection. Blocking, like Introspect.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "config/settings.h"
#include "database/catalog_reader.h"
#include "schema/snapshot.h"

namespace pgmcp::schema {

// The roles callers run as, from the configuration: auth.allowed_roles, then auth.anonymous_role,
// each once, in that order.
std::vector<std::string> ConfiguredRoles(const config::Settings& settings);

// Sets snapshot.roles (the login role, then ConfiguredRoles not already listed) and fills
// Table::readers and Column::readers of snapshot.tables (matched by oid and column position):
// SELECT on the table grants every column, otherwise each column grant counts on its own, and a
// table readable only through column grants is read by that role with those columns. Roles that
// do not exist read nothing.
Status ReadPrivilegeMatrix(database::CatalogReader& reader, const config::Settings& settings,
                           SchemaSnapshot& snapshot);

}  // namespace pgmcp::schema

// One caller's view of a schema snapshot (docs/security.md, "What a caller sees"): only the tables
// and columns its role may SELECT, as if nothing else existed. Pure functions of an immutable
// snapshot; thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "config/settings.h"
#include "schema/snapshot.h"

namespace pgmcp::schema {

// The index of `role` in snapshot.roles: "" means the login role (index 0); nullopt for a role
// the privilege matrix is not about, which sees nothing.
std::optional<size_t> RoleIndex(const SchemaSnapshot& snapshot, std::string_view role);

// True when `role` may read every table and every column of the snapshot: its view is the
// snapshot itself, and callers may share it instead of cutting a copy.
bool SeesEverything(const SchemaSnapshot& snapshot, std::string_view role);

// The snapshot as `role` sees it: the tables it may read with only the columns it may read; the
// foreign keys and references whose other table and whose columns on both sides it sees (so a
// foreign key left in a table can be followed); primary and unique keys only when it sees every
// column of them; descriptions and titles written again from this view alone (they name no
// hidden table or column); tool names assigned among its tables alone (a table whose plain name a
// hidden table took in the full snapshot gets it back here), metric names kept; warnings left out.
SchemaSnapshot VisibleTo(const SchemaSnapshot& snapshot, std::string_view role, const config::Settings& settings);

}  // namespace pgmcp::schema

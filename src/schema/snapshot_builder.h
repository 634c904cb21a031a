// Completes a snapshot whose tables hold catalog facts only: tool names, order, lookup map,
// titles and descriptions. Introspect calls it; tests call it on hand-built tables.
#pragma once

#include "config/settings.h"
#include "schema/snapshot.h"

namespace pgmcp::schema {

// Assigns tool names (metric names too), sorts tables by tool name, fills by_tool, then titles and
// descriptions (which need every tool name, for the "Do NOT use" clauses).
void FinishSnapshot(SchemaSnapshot& snapshot, const config::Settings& settings);

// The same for one caller's view of a finished snapshot (VisibleTo): tool names are assigned among
// its tables alone, so that a name never shows that a table it cannot see took the plain one;
// metric names stay the full snapshot's.
void FinishView(SchemaSnapshot& view, const config::Settings& settings);

}  // namespace pgmcp::schema

// Completes a snapshot whose tables hold catalog facts only: tool names, order, lookup map,
// titles and descriptions. Introspect calls it; tests call it on hand-built tables.
#pragma once

#include "config/settings.h"
#include "schema/snapshot.h"

namespace pgmcp::schema {

// Assigns tool names, sorts tables by tool name, fills by_tool, then titles and descriptions
// (which need every tool name, for the "Do NOT use" clauses).
void FinishSnapshot(SchemaSnapshot& snapshot, const config::Settings& settings);

}  // namespace pgmcp::schema

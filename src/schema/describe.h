// Tool descriptions and titles (docs/reference.md, "Tools"): what a model reads to pick a tool, written from the
// configuration, comments, keys, allowed values, row estimates and similar table names. Tight on purpose.
#pragma once

#include <string>
#include <string_view>

#include "config/settings.h"
#include "schema/snapshot.h"

namespace pgmcp::schema {

// "~50,000 rows": below 1,000 exact, above two significant digits with thousands separators.
std::string FormatRowEstimate(double row_estimate);

// Whitespace collapsed, control characters dropped, cut at a UTF-8 boundary to at most
// max_bytes (ending in "…" when cut): comments are free text typed by anyone with COMMENT rights.
std::string CleanText(std::string_view text, size_t max_bytes);

// "Order items", or "Order items (sales)" outside the first exposed schema.
std::string TableTitle(const Table& table, std::string_view first_schema);

// Fills Table::title and Table::description of every table.
void DescribeAll(SchemaSnapshot& snapshot, const config::Settings& settings);

// The configured override of [tables.X] for this table ("schema.table" first, then a bare
// "table" for the first exposed schema), or nullptr.
const config::TableOverride* FindOverride(const Table& table, const config::Settings& settings);

}  // namespace pgmcp::schema

// Catalog text that reaches descriptions and resources is data too (docs/security.md, "Descriptions
// are data too"): anyone who can COMMENT ON or write rows can put hidden instructions there.
#pragma once

#include <vector>

#include "schema/snapshot.h"

namespace pgmcp::schema {

// Comments (of tables and columns) pass the strict sanitiser. A value list (enum labels, CHECK
// values, common values from statistics) that the strict sanitiser would change is dropped whole:
// its values become the input schema's enum and the validator's list, so an altered value would make
// a valid filter fail, and a partial list would claim to be exhaustive. The column then takes any
// string and the database decides.
void SanitizeCatalogText(std::vector<Table>& tables);

}  // namespace pgmcp::schema

// A json or jsonb value as it goes into a result: the document written compact, every string and
// key sanitised like any other text, and every number exactly as PostgreSQL wrote it.
#pragma once

#include <string>
#include <string_view>

#include "common/sanitize.h"

namespace pgmcp::query {

// Appends `text`, one JSON document, to `out` without insignificant whitespace, its strings and keys
// passed through AppendSanitized(`mode`) and escaped, its numbers copied character for character
// (a double would turn 1e400 into infinity, which JSON cannot write, and round digits that jsonb
// keeps), its duplicate keys kept as the text has them. Returns false, with `out` as it was, when
// `text` is not a JSON document of valid UTF-8 nested at most 10,000 deep.
bool AppendCompactJson(std::string_view text, SanitizeMode mode, std::string& out);

}  // namespace pgmcp::query

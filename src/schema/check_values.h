// Allowed values from CHECK constraints: reads the text of pg_get_constraintdef() for the shapes
// `col IN (...)`, `col = ANY (ARRAY[...])` and `col = 'x'`, optionally `OR col IS NULL`.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgmcp::schema {

// The listed values when `definition` (e.g. "CHECK ((plan = ANY (ARRAY['free'::text, ...])))")
// restricts exactly `column` (for a domain: "VALUE") to a list of constants; nullopt for any
// other expression. A miss only loses a hint, so anything unusual is refused rather than guessed.
std::optional<std::vector<std::string>> ParseCheckValues(std::string_view definition, std::string_view column);

}  // namespace pgmcp::schema

// The two places where pgmcp writes text that PostgreSQL parses: quoted identifiers (from the
// catalog or the config, never from callers) and array literals sent as bind parameters.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pgmcp {

// "name" with embedded double quotes doubled: safe for any identifier, keeps its case.
std::string QuoteIdentifier(std::string_view name);

// {"a","b \"c\""}: every element quoted and escaped, so no element text is special.
std::string ArrayLiteral(const std::vector<std::string>& values);

}  // namespace pgmcp

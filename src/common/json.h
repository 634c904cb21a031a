// Small helpers over Boost.JSON shared by every layer: bounded parsing (docs/security.md, guarantee 5: nesting depth)
// and lookups that do not throw.
#pragma once

#include <boost/json/value.hpp>
#include <string_view>

#include "common/result.h"

namespace pgmcp {

// Parses one JSON text; nesting deeper than max_depth is an error (never a stack overflow).
Result<boost::json::value> ParseJson(std::string_view text, size_t max_depth = 64);

// The member `key` of `v` when `v` is an object holding it, else nullptr.
const boost::json::value* Member(const boost::json::value& v, std::string_view key);

}  // namespace pgmcp

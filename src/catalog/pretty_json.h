// Deterministic, human-readable JSON: two-space indentation, members in insertion order, one
// element per line. For golden files and `pgmcp tools`; the wire format stays compact.
#pragma once

#include <boost/json/value.hpp>
#include <string>

namespace pgmcp::catalog {

// Pretty-prints `value`, ending with a newline. Scalars are serialized by Boost.JSON.
std::string PrettyJson(const boost::json::value& value);

}  // namespace pgmcp::catalog

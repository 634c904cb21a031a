// JSON text helpers shared by the result encoder and the error messages: string escaping and
// the short, quoted rendering of caller-supplied names inside error sentences.
#pragma once

#include <boost/json/fwd.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/json_string.h"  // the string writers the encoders use

namespace pgmcp::query {

// A caller-supplied name or value for an error sentence: JSON-quoted, cut to a few dozen
// characters so a hostile megabyte-long key does not come back in the error.
std::string QuoteForMessage(std::string_view text);

// A whole number as arguments may write it (7, 7.0; not 7.5, "7" or beyond int64): true and
// `out` set, or false.
bool AsInteger(const boost::json::value& v, int64_t& out);

}  // namespace pgmcp::query

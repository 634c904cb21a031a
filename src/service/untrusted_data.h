// The text content of a successful tool call: one notice that row values are untrusted data, and
// the result JSON inside a delimiter carrying a per-result random nonce (common/random.h), so data
// cannot close it.
#pragma once

#include <string>
#include <string_view>

namespace pgmcp::service {

// "<notice>\n<untrusted-data-NONCE>\n{json}\n</untrusted-data-NONCE>"
std::string WrapUntrustedData(std::string_view result_json, std::string_view nonce);

}  // namespace pgmcp::service

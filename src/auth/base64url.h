// Base64url (RFC 4648 §5) without padding, as JOSE uses it (RFC 7515 §2): strict decoding for
// untrusted token parts and JWK members, encoding for tests and tools. Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pgmcp::auth {

// The bytes `text` encodes, or nullopt when it holds a character outside [A-Za-z0-9_-] (padding
// '=' included), has an impossible length, or leaves non-zero bits in its last character: only the
// one canonical spelling of a byte string is accepted, so a token cannot be re-spelled.
std::optional<std::string> DecodeBase64Url(std::string_view text);

std::string EncodeBase64Url(std::string_view bytes);

}  // namespace pgmcp::auth

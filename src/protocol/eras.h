// The two protocol eras a dual-era server speaks (docs/protocol-eras.md): the session era
// (initialize, 2025-11-25 and earlier) and the stateless era (2026-07-28, _meta on every request).
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace pgmcp::protocol {

inline constexpr std::string_view kStatelessVersion = "2026-07-28";
inline constexpr std::string_view kMetaProtocolVersion = "io.modelcontextprotocol/protocolVersion";
inline constexpr std::string_view kMetaClientCapabilities = "io.modelcontextprotocol/clientCapabilities";
inline constexpr std::string_view kMetaLogLevel = "io.modelcontextprotocol/logLevel";
inline constexpr std::string_view kMetaServerInfo = "io.modelcontextprotocol/serverInfo";

// Every version pgmcp serves, newest first (server/discover and -32022 list the same).
boost::json::array SupportedVersions();

// The protocol version a request claims in params._meta: nullopt when it claims none (session
// era); an empty string when the key is present but not a string (malformed).
std::optional<std::string> StatelessClaim(const boost::json::value& params);

// An MCP-Protocol-Version header naming the stateless era or later.
inline bool IsStatelessHeader(std::string_view header) { return !header.empty() && header >= kStatelessVersion; }

// An Mcp-Method / Mcp-Name / Mcp-Param-* header value as the client meant it: OWS trimmed, and
// the "=?base64?<standard base64 of UTF-8>?=" form decoded. nullopt when that form is malformed.
std::optional<std::string> DecodeHeaderValue(std::string_view value);

// Adds the fields every stateless-era result carries to a serialized result object:
// resultType, the server's identity in _meta, and for cacheable results ttlMs and cacheScope.
std::string WithStatelessFields(std::string_view result_object, bool cacheable, std::string_view server_version);
// Appends those fields as an unclosed object: {"resultType":...,"_meta":{...} -- the caller appends
// the result's own members (after a comma) and the closing brace.
void AppendStatelessFields(std::string& out, bool cacheable, std::string_view server_version);

// How long a client may reuse a stateless list or read result (the schema rarely changes and a
// reload is announced to session-era clients; stateless clients re-list after this).
inline constexpr int64_t kListTtlMs = 30000;

}  // namespace pgmcp::protocol

// Pure checks on HTTP request headers for the MCP endpoint: Origin allow-list, Host against DNS
// rebinding, Accept. MCP headers are the protocol layer's (protocol/eras.h). Stateless and thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgmcp::http {

// A request without Origin is allowed (non-browser clients); one with Origin only if listed, or
// if it is the server's own loopback origin (http://localhost:PORT and the like): a page can only
// have that origin if pgmcp served it, and pgmcp serves no pages. `own_port` 0: no own origin.
bool OriginAllowed(std::string_view origin, bool has_origin, const std::vector<std::string>& allowed,
                   uint16_t own_port = 0);

// When the server listens on loopback, a browser tricked by DNS rebinding sends a foreign Host:
// only localhost, 127.0.0.1 and [::1] (any port) are accepted then. Non-loopback listeners accept
// any Host (the proxy in front decides).
bool HostAllowed(std::string_view host, bool listening_on_loopback);

// Accept lists `media_type` (or a wildcard covering it); an absent Accept accepts everything.
bool Accepts(std::string_view accept_header, std::string_view media_type);

// The media type of a Content-Type header, without parameters, is `media_type` (lower-case); the
// header's case does not matter.
bool HasMediaType(std::string_view content_type, std::string_view media_type);

}  // namespace pgmcp::http

// Every way the protocol layer refuses a message, in one table: its JSON-RPC error code and the
// HTTP status a stateless (or pre-session) HTTP answer carries. Domain failures (ErrorKind) map
// through common/error_kinds.h; ReplyFor() below joins both. Constant data; thread-safe.
#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <string_view>

#include "common/result.h"

namespace pgmcp::protocol {

namespace error_code {
constexpr int kParseError = -32700;
constexpr int kInvalidRequest = -32600;
constexpr int kMethodNotFound = -32601;
constexpr int kInvalidParams = -32602;
constexpr int kInternalError = -32603;
constexpr int kResourceNotFound = -32002;  // session era only; the stateless era says -32602
constexpr int kHeaderMismatch = -32020;
constexpr int kUnsupportedVersion = -32022;
}  // namespace error_code

enum class Fault {
  kParseError,            // the body is not JSON
  kInvalidRequest,        // not a JSON-RPC request we can serve (batch, bad id, duplicate id, ...)
  kMethodNotFound,        // unknown method, or one that does not exist in the request's era
  kInvalidParams,         // params or _meta do not have the required shape
  kInternalError,         // a handler failed; answered in-band
  kResourceNotFound,      // resources/read of an unknown URI in the session era
  kHeaderMismatch,        // an MCP header is missing or disagrees with the body (stateless era)
  kUnsupportedVersion,    // the _meta claim names a version pgmcp does not serve statelessly
  kSessionRequired,       // a session-era message without Mcp-Session-Id
  kSessionNotFound,       // Mcp-Session-Id names no session of this caller
  kTooManySessions,       // the owner's http.max_sessions_per_owner, or the whole table, are open: 429
  kTooManySubscriptions,  // the owner holds as many open subscriptions/listen streams as allowed: 429
  kUnsupportedMediaType,  // POST body not application/json
  kNotAcceptable,         // Accept allows neither JSON nor SSE
  kOriginNotAllowed,      // Origin not on http.allowed_origins
};

struct FaultInfo {
  Fault fault;
  int jsonrpc_code;
  int http_status;
};

const FaultInfo& Describe(Fault fault);

// One answer of the protocol layer to one HTTP request (or one stdio line): the JSON-RPC text
// and the HTTP status to send it with (transports without status ignore it).
struct Reply {
  std::string text;
  int http_status = 200;
  int jsonrpc_code = 0;  // 0 for a result
};

// Caller text as a refusal quotes it (a method, a tool name, a URI, a protocol version, an MCP
// header): cut after 64 code points, never inside a character, with "…" (docs/security.md), so
// no message grows with what the client sent.
std::string Echo(std::string_view caller_text);

Reply FaultReply(Fault fault, const boost::json::value& id, std::string_view message,
                 const boost::json::value& data = nullptr);
// A domain error answered as a JSON-RPC error (e.g. kNotFound for an unknown tool).
Reply ErrorReply(const Error& error, const boost::json::value& id);

}  // namespace pgmcp::protocol

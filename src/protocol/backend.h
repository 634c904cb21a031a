// Backend: what the MCP protocol layer asks of the rest of pgmcp (tools and resources), so that
// protocol code never sees SQL, libpq or the schema model. Implemented by service::ToolService.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace pgmcp::protocol {

// Who is calling: from the session (stdio) or the verified token (HTTP).
struct CallContext {
  std::string session_id;
  std::string role;         // PostgreSQL role for the call; empty = the login role
  std::string claims_json;  // request.jwt.claims
  std::string subject;      // the token's sub, for logs
  std::string claims_digest = {};  // without a sub, what names the caller instead (auth::Identity)
};

struct ToolOutcome {
  bool is_error = false;
  std::string text;             // the text content: a plain sentence on error
  std::string structured_json;  // serialized structuredContent; empty when there is none
};

// The tools/call result: {"content":[{"type":"text","text":...}],"structuredContent":...,"isError":...},
// with structured_json embedded as is (it may hold numbers beyond double precision).
std::string EncodeToolResult(const ToolOutcome& outcome);
// The same result's members and closing brace, without the opening one: a reply that wraps the
// result in more fields appends them straight into its own buffer.
void AppendToolResultMembers(std::string& out, const ToolOutcome& outcome);

// How every layer answers a call naming a tool that does not exist: kNotFound, answered as the
// JSON-RPC error -32602 "Unknown tool: <name>", the name cut like every echo (protocol::Echo;
// docs/decisions.md "Unknown tools").
Error UnknownTool(std::string_view name);

class Backend {
 public:
  virtual ~Backend() = default;
  // Every method acts for the caller `context` names: it lists, reads and calls only what that
  // caller may see, and answers anything else exactly like something that does not exist
  // (docs/security.md, "What a caller sees").
  //
  // Serialized tools/list (the page `cursor` names; nullptr for an unknown cursor) and
  // resources/list results; shared because they are served often.
  virtual std::shared_ptr<const std::string> ToolsList(std::string_view cursor, const CallContext& context) const = 0;
  // The outcome of one call (an isError outcome is still a result), or an error answered as a
  // JSON-RPC error instead: UnknownTool(name) for a tool that does not exist.
  virtual boost::asio::awaitable<Result<ToolOutcome>> CallTool(std::string name, boost::json::value arguments,
                                                               CallContext context) = 0;
  virtual std::shared_ptr<const std::string> ResourcesList(const CallContext& context) const = 0;
  // Serialized resources/read result, or nullopt for an unknown URI.
  virtual std::optional<std::string> ReadResource(std::string_view uri, const CallContext& context) const = 0;
};

}  // namespace pgmcp::protocol

// MethodHandlers: the MCP methods both protocol eras share (tools/list, tools/call, resources/*,
// server/discover) and the stateless era's _meta checks, used by Session (a conversation) and by
// StatelessServer (one request, no session). Immutable after construction; thread-safe as the
// Backend is.
#pragma once

#include <boost/json/value.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "common/result.h"
#include "protocol/backend.h"
#include "protocol/errors.h"
#include "protocol/jsonrpc.h"

namespace pgmcp::protocol {

enum class Era { kSession, kStateless };

// A tools/call whose params were valid: what to run.
struct ToolCall {
  std::string name;
  boost::json::value arguments;  // null when absent
};

class MethodHandlers {
 public:
  MethodHandlers(std::shared_ptr<Backend> backend, std::string server_version);

  // A stateless-era request's _meta (docs/protocol-eras.md §2.1), given the version it claims:
  // an error reply, or nullopt when it may be served.
  std::optional<Reply> CheckStatelessMeta(const Request& request, const std::string& claimed_version) const;

  // Serves a method that answers at once (server/discover in the stateless era, tools/list,
  // resources/list, resources/templates/list, resources/read). nullopt: not one of them.
  // Lists and reads are those of the caller `context` names.
  std::optional<Reply> ServeImmediate(const Request& request, Era era, const CallContext& context) const;

  // tools/call params: the call to run, or the error reply. The arguments are moved out of
  // `request` (its caller keeps only the id), not copied.
  std::variant<ToolCall, Reply> ParseToolCall(Request& request) const;
  // The reply to a finished tool call: its result, or the JSON-RPC error of a refused one
  // (kNotFound: unknown tool).
  Reply ToolCallReply(const boost::json::value& id, const Result<ToolOutcome>& outcome, Era era) const;

  Reply ResultReply(const boost::json::value& id, std::string_view result_object, bool cacheable, Era era) const;
  Backend& backend() const { return *backend_; }
  const std::shared_ptr<Backend>& shared_backend() const { return backend_; }
  const std::string& server_version() const { return server_version_; }

 private:
  std::shared_ptr<Backend> backend_;
  std::string server_version_;
};

// The server's instructions, the same in initialize and server/discover.
extern const char* const kInstructions;

}  // namespace pgmcp::protocol

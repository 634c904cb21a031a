// The protocol side of MCP over HTTP (docs/protocol-eras.md §1.1, §2.5): what a POST to the MCP
// endpoint is (a stateless-era request, a session-era message, or something answered at once),
// and the serving of stateless requests without a session. The http layer only translates: it
// passes the body and MCP headers in and writes the Reply's status and text out. Thread-safe as
// the Backend is; StatelessServer::Serve runs on the caller's executor.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "protocol/backend.h"
#include "protocol/errors.h"
#include "protocol/jsonrpc.h"
#include "protocol/methods.h"
#include "protocol/subscriptions.h"

namespace pgmcp::protocol {

// A POST's body and the request headers the protocol reads; header values as received ("" when absent).
struct PostedMessage {
  std::string_view body;
  std::string_view protocol_version;  // MCP-Protocol-Version
  std::string_view method;            // Mcp-Method
  std::string_view name;              // Mcp-Name
  std::string_view session_id;        // Mcp-Session-Id
};

// Answered at once: an error, or 202 for a message that needs no answer (text empty).
struct Immediate {
  Reply reply;
};
// A stateless-era request whose headers and _meta were checked: StatelessServer::Serve it.
struct StatelessRequest {
  Request request;
};
// A session-era message: initialize opens a session, anything else goes to the session named by
// Mcp-Session-Id (present: checked here).
struct SessionMessage {
  Message message;
  bool opens_session = false;
  const Request* request() const { return std::get_if<Request>(&message); }
};

using Route = std::variant<Immediate, StatelessRequest, SessionMessage>;

// Classifies one POST, evaluated once (docs/protocol-eras.md §1.1 rows 2-8 and §2.5).
Route RoutePost(const PostedMessage& posted, size_t max_json_depth);

// The JSON-RPC id of a session-era message, for errors about it (null for notifications).
boost::json::value ReplyId(const SessionMessage& message);

// Serves stateless-era requests: no Session, no state between requests.
class StatelessServer {
 public:
  StatelessServer(std::shared_ptr<Backend> backend, std::string server_version);
  // Every stateless request but subscriptions/listen, which the transport streams (Listen).
  // `request` is a StatelessRequest's, as RoutePost made it (its _meta claims a version).
  boost::asio::awaitable<Reply> Serve(Request request, CallContext context) const;
  // A subscriptions/listen request: the subscription to open, or the error reply (_meta, filter).
  std::variant<Subscription, Reply> Listen(const Request& request) const;
  const std::string& server_version() const { return handlers_.server_version(); }

 private:
  MethodHandlers handlers_;
};

}  // namespace pgmcp::protocol

// Session: one MCP conversation (a stdio process, later an HTTP session): negotiates the protocol
// version, dispatches requests concurrently, honours cancellation. Not thread-safe: one executor.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "protocol/backend.h"
#include "protocol/jsonrpc.h"

namespace pgmcp::protocol {

inline constexpr const char* kLatestProtocolVersion = "2025-11-25";
bool IsSupportedProtocolVersion(std::string_view version);

struct SessionOptions {
  size_t max_json_depth = 64;
  std::string server_version;
  CallContext context;  // identity used for every call of this session
};

// One message for the client. Responses name the request they answer (its serialized id), so a
// transport that answers each request on its own channel (HTTP POST) can route them.
struct Outgoing {
  std::string text;
  std::optional<std::string> reply_to;
  int error_code = 0;  // the JSON-RPC error code when this is an error response
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  using Sink = std::function<void(Outgoing message)>;

  static std::shared_ptr<Session> Create(boost::asio::any_io_executor executor, std::shared_ptr<Backend> backend,
                                         SessionOptions options, Sink sink);

  // Handles one incoming message; replies go to the sink, possibly later (tool calls run concurrently).
  // `context`, when given, is the caller's identity for this message (HTTP: from its token).
  void Receive(std::string_view text, const CallContext* context = nullptr);
  // The same for a message the transport has parsed already (HTTP routes on its kind first).
  void Dispatch(Message message, const CallContext* context = nullptr);
  // The serialized id of a request, as Outgoing::reply_to names it.
  static std::string IdKey(const boost::json::value& id);
  // Sends a notification (e.g. notifications/tools/list_changed) once the session is initialized.
  void Notify(std::string_view method, const boost::json::value& params = nullptr);
  // Cancels every call in flight; their replies are never sent.
  void CancelAll();
  size_t in_flight() const { return in_flight_.size(); }
  const std::string& protocol_version() const { return protocol_version_; }

 private:
  Session(boost::asio::any_io_executor executor, std::shared_ptr<Backend> backend, SessionOptions options, Sink sink);
  void HandleRequest(Request request, const CallContext& context);
  // A request carrying the stateless era's _meta: validated and served without a session.
  void HandleStateless(Request request, const CallContext& context, const std::string& version);
  // The methods both eras share; false when `request.method` is not one of them.
  bool ServeCommon(Request& request, const CallContext& context, bool stateless);
  void Reply(const boost::json::value& id, std::string text);
  void ReplyResult(const boost::json::value& id, std::string_view result_object, bool cacheable, bool stateless);
  void ReplyError(const boost::json::value& id, int code, std::string_view message,
                  const boost::json::value& data = nullptr);
  void HandleNotification(const Notification& notification);
  void StartToolCall(Request request, const CallContext& context, bool stateless);
  boost::json::value Initialize(const boost::json::value& params);

  boost::asio::any_io_executor executor_;
  std::shared_ptr<Backend> backend_;
  SessionOptions options_;
  Sink sink_;
  bool initialized_ = false;
  std::string protocol_version_;
  // In-flight requests by serialized id, with the signal that cancels them.
  std::map<std::string, std::shared_ptr<boost::asio::cancellation_signal>> in_flight_;
};

}  // namespace pgmcp::protocol

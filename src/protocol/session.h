// Session: one MCP conversation of the session era (a stdio process, an HTTP session): negotiates
// the protocol version, dispatches requests concurrently, honours cancellation. A stdio process may
// also send stateless-era requests; the session serves them with the same handlers as
// StatelessServer. Not thread-safe: one executor.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "config/settings_source.h"
#include "protocol/backend.h"
#include "protocol/jsonrpc.h"
#include "protocol/methods.h"
#include "protocol/subscriptions.h"

namespace pgmcp::protocol {

inline constexpr const char* kLatestProtocolVersion = "2025-11-25";
// Open subscriptions/listen streams one conversation (a stdio process) may hold; one more is
// refused with 429's JSON-RPC error (docs/decisions.md, "Subscription limits").
inline constexpr size_t kMaxSubscriptionsPerSession = 100;
bool IsSupportedProtocolVersion(std::string_view version);

struct SessionOptions {
  size_t max_json_depth = 64;  // used when `settings` is null (tests)
  std::string server_version;
  CallContext context;  // identity used for every call of this session
  // When set, limits.max_json_depth is read from the current settings for every message.
  std::shared_ptr<const config::SettingsSource> settings;
};

// The JSON nesting limit in force now: the current settings' limits.max_json_depth, or `fallback`.
size_t CurrentMaxJsonDepth(const config::SettingsSource* settings, size_t fallback);

// One message for the client. Responses name the request they answer (its serialized id), so a
// transport that answers each request on its own channel (HTTP POST) can route them.
struct Outgoing {
  std::string text;
  std::optional<std::string> reply_to;
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
  // Sends a notification (e.g. notifications/tools/list_changed) once the session is initialized,
  // and to every stateless-era subscription that asked for `method`.
  void Notify(std::string_view method, const boost::json::value& params = nullptr);
  // Ends every open subscription gracefully (the server stops): each gets its listen result.
  void EndSubscriptions();
  size_t subscriptions() const { return subscriptions_.size(); }
  // Cancels every call in flight; their replies are never sent.
  void CancelAll();
  size_t in_flight() const { return in_flight_.size(); }
  // The identity the session was opened with (its role decides what it is listed).
  const CallContext& context() const { return options_.context; }

 private:
  Session(boost::asio::any_io_executor executor, std::shared_ptr<Backend> backend, SessionOptions options, Sink sink);
  void HandleRequest(Request request, const CallContext& context);
  // The methods both eras share; false when `request.method` is not one of them.
  bool ServeCommon(Request& request, const CallContext& context, Era era);
  void Send(const boost::json::value& id, Reply reply);
  void HandleNotification(const Notification& notification);
  void StartToolCall(Request request, const CallContext& context, Era era);
  // subscriptions/listen from a stateless-era client on this conversation (stdio).
  void Listen(const Request& request);
  boost::json::value Initialize(const boost::json::value& params);

  boost::asio::any_io_executor executor_;
  MethodHandlers handlers_;
  SessionOptions options_;
  Sink sink_;
  bool initialized_ = false;
  // In-flight requests by serialized id, with the signal that cancels them.
  std::map<std::string, std::shared_ptr<boost::asio::cancellation_signal>> in_flight_;
  // Open subscriptions by serialized listen request id; they are not calls in flight.
  std::map<std::string, Subscription> subscriptions_;
};

}  // namespace pgmcp::protocol

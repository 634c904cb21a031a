// Session: one MCP conversation (a stdio process, later an HTTP session): negotiates the protocol
// version, dispatches requests concurrently, honours cancellation. Not thread-safe: one executor.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <functional>
#include <map>
#include <memory>
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

class Session : public std::enable_shared_from_this<Session> {
 public:
  using Sink = std::function<void(std::string message)>;

  static std::shared_ptr<Session> Create(boost::asio::any_io_executor executor, std::shared_ptr<Backend> backend,
                                         SessionOptions options, Sink sink);

  // Handles one incoming message; replies go to the sink, possibly later (tool calls run concurrently).
  void Receive(std::string_view text);
  // Sends a notification (e.g. notifications/tools/list_changed) once the session is initialized.
  void Notify(std::string_view method, const boost::json::value& params = nullptr);
  // Cancels every call in flight; their replies are never sent.
  void CancelAll();
  size_t in_flight() const { return in_flight_.size(); }
  const std::string& protocol_version() const { return protocol_version_; }

 private:
  Session(boost::asio::any_io_executor executor, std::shared_ptr<Backend> backend, SessionOptions options, Sink sink);
  void HandleRequest(Request request);
  void HandleNotification(const Notification& notification);
  void StartToolCall(Request request);
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

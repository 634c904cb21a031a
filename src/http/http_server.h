// HttpServer: Streamable HTTP for MCP on /mcp plus the operational endpoints, with Boost.Beast on
// the server's event loop: one coroutine per connection, no thread per session or stream.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json/value.hpp>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "config/settings_source.h"
#include "http/client_connections.h"
#include "http/session_registry.h"
#include "http/subscription_registry.h"
#include "protocol/backend.h"
#include "protocol/http_pipeline.h"

namespace pgmcp::http {

// A verified caller: the identity calls run as, and when its token expires.
struct Caller {
  protocol::CallContext context;
  int64_t expires_at = 0;  // the token's exp, Unix seconds; 0 = never (auth.mode none). Ends GET streams.
};

// The caller's identity from an Authorization header value, or kUnauthenticated (401) /
// kForbidden (403) with the client sentence in Error::message and the metric's reason label in
// Error::code. A coroutine: it may wait for the identity provider's keys (a rotation), never blocking the loop.
using Authenticator = std::function<boost::asio::awaitable<Result<Caller>>(std::string authorization)>;

struct Hooks {
  Authenticator authenticate;             // empty: no authentication (auth.mode = "none")
  std::function<boost::asio::awaitable<bool>()> ready;  // /readyz: database answers, schema loaded
  std::function<std::string()> metrics;   // /metrics: Prometheus text exposition
  std::function<void(const std::string& reason)> on_auth_failure;
  std::function<void(int status)> on_response;  // every response written (metrics)
  // A connection closed unread at a cap: "max_connections" or "max_connections_per_client" (metrics).
  std::function<void(std::string_view cap)> on_connection_refused;
};

struct HttpOptions {
  std::string listen = "127.0.0.1:8808";
  // auth.mode = "none": Start refuses a listen address that does not resolve to loopback.
  bool loopback_only = false;
  std::vector<std::string> authorization_servers;
  protocol::SessionOptions session;  // defaults for every session; context = anonymous identity
  size_t max_sessions = 10000;
  size_t max_sessions_per_owner = 100;  // http.max_sessions_per_owner: beyond it initialize gets 429
  size_t max_connections = 1024;        // http.max_connections: beyond it a new connection is closed at once
  // http.max_connections_per_client: beyond it a client's new connection is closed at once; 0: no
  // limit. Peers in trusted_proxies are not counted (a proxy carries every client's connections).
  size_t max_connections_per_client = 64;
  // A new connection's first request head must have arrived by then, or the connection is
  // closed; later requests on it wait the keep-alive idle time (docs/decisions.md, "HTTP bounds").
  std::chrono::milliseconds first_request_timeout{10000};
  // http.trusted_proxies: peers whose X-Forwarded-Proto/-Host are believed (the metadata URL).
  std::vector<std::string> trusted_proxies = {"127.0.0.1", "::1"};
  std::string replica_id;  // http.replica_id: session ids are "<replica_id>-<random>" when set
  std::chrono::seconds session_idle_timeout{3600};
  // The reloadable limits, read for every request: http.max_body_bytes, http.allowed_origins and
  // limits.max_json_depth of settings->current(). Without a source (tests), the three fields
  // below stand for them.
  std::shared_ptr<const config::SettingsSource> settings;
  size_t max_body_bytes = 1048576;
  std::vector<std::string> allowed_origins;
  size_t max_json_depth = 64;
};

class HttpServer : public std::enable_shared_from_this<HttpServer> {
 public:
  static std::shared_ptr<HttpServer> Create(boost::asio::io_context& io, HttpOptions options,
                                            std::shared_ptr<protocol::Backend> backend, Hooks hooks);

  // Binds the listener (port 0 picks a free one) and starts accepting. Returns the bound port.
  Result<uint16_t> Start();
  // Stops accepting and closes idle keep-alive connections and SSE streams; calls in flight go on.
  void StopAccepting();
  // Cancels what is still running and forgets every session.
  void CloseSessions();
  // Once StopAccepting() has run, an open subscription is a stream still writing its last result
  // (its graceful close): the drain waits for it as for a call.
  size_t in_flight() const {
    return registry_.in_flight() + requests_in_flight_ + (stopping_ ? subscriptions_.size() : 0);
  }
  size_t sessions() const { return registry_.size(); }
  size_t stateless_in_flight() const { return stateless_in_flight_; }
  size_t subscriptions() const { return subscriptions_.size(); }
  // The connections the server keeps track of: those open now.
  size_t connections() const { return connections_.size(); }
  // notifications/tools/list_changed (and resources) to every session and every subscription
  // that can receive it.
  void NotifyAll(std::string_view method, const std::function<bool(const protocol::CallContext&)>& affected) {
    registry_.NotifyAll(method, affected);
    subscriptions_.NotifyAll(method, affected);
  }

 private:
  struct Connection;
  struct Exchange;   // one request and its response (Beast types stay out of this header)
  struct Admission;  // a request being admitted, and where its refusal goes
  HttpServer(boost::asio::io_context& io, HttpOptions options, std::shared_ptr<protocol::Backend> backend, Hooks hooks);
  boost::asio::awaitable<void> AcceptLoop();
  boost::asio::awaitable<void> ExpireLoop();
  // One connection's requests, in turn; spawned with its cancellation slot bound to conn->cancel.
  boost::asio::awaitable<void> ServeConnection(std::shared_ptr<Connection> conn);
  // What can be decided from the request line and headers alone, before any body byte is read:
  // the Host check, a body sent outside /mcp, and for /mcp the Origin check and the token. A
  // response when refused.
  boost::asio::awaitable<bool> Admit(const Connection& conn, Admission admission, Caller& caller);
  bool IsTrustedProxy(const boost::asio::ip::address& peer) const;
  // Fills ex.response, or streams SSE on the connection itself and leaves it empty.
  boost::asio::awaitable<void> Handle(Connection& conn, Exchange& ex, const Caller& caller);
  boost::asio::awaitable<void> HandleMcpPost(Connection& conn, Exchange& ex, const Caller& caller);
  // subscriptions/listen: answered with an event stream that carries the caller's list changes
  // until the client hangs up, its token expires or the server stops (http/listen_endpoint.cc).
  boost::asio::awaitable<void> ServeListen(Connection& conn, Exchange& ex, protocol::Request request,
                                           const Caller& caller);
  boost::asio::awaitable<void> ServeInSession(Exchange& ex, protocol::SessionMessage message,
                                              const protocol::CallContext& context);
  // While a POST waits for its reply: a client that hangs up gets its call cancelled and the POST
  // ended, so the connection closes instead of waiting in CLOSE-WAIT for an answer nobody reads.
  boost::asio::awaitable<void> WatchForHangUp(std::shared_ptr<Connection> conn, std::shared_ptr<HttpSession> session,
                                              std::shared_ptr<PendingReply> pending, std::string key,
                                              boost::json::value id);
  // A stateless-era request, run on the connection's own coroutine and cancelled when its client
  // hangs up (as a session's call is).
  boost::asio::awaitable<protocol::Reply> ServeStateless(Exchange& ex, protocol::Request request,
                                                         const protocol::CallContext& context);
  // While stateless call number `call` runs on `conn`: a hang-up emits conn->cancel.
  static void WatchCall(std::shared_ptr<Connection> conn, uint64_t call);
  boost::asio::awaitable<void> HandleMcpGet(Connection& conn, Exchange& ex, const Caller& caller);
  void HandleMcpDelete(Exchange& ex, const protocol::CallContext& context);
  void HandleProtectedResource(const Connection& conn, Exchange& ex);
  void Unauthorized(const Connection& conn, Admission admission, const Error& rejection);

  boost::asio::io_context& io_;
  HttpOptions options_;
  std::shared_ptr<const config::SettingsSource> settings_;  // options_.settings, or one made of its fields
  std::shared_ptr<protocol::Backend> backend_;
  protocol::StatelessServer stateless_;
  Hooks hooks_;
  SessionRegistry registry_;
  SubscriptionRegistry subscriptions_;
  boost::asio::ip::tcp::acceptor acceptor_;
  bool loopback_ = true;
  uint16_t port_ = 0;
  bool stopping_ = false;
  size_t requests_in_flight_ = 0;
  size_t stateless_in_flight_ = 0;
  // The open connections, each taken out by its own coroutine as it ends (StopAccepting closes
  // the idle ones): their number is what http.max_connections bounds.
  std::list<std::weak_ptr<Connection>> connections_;
  ClientConnections client_connections_;  // open connections of each client that is not a trusted proxy
  std::vector<boost::asio::ip::address> trusted_proxies_;
};

}  // namespace pgmcp::http

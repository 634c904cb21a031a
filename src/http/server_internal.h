// Internals shared by the HTTP server's translation units (http_server.cc: connections and
// operational endpoints; mcp_endpoint.cc: /mcp in both protocol eras). Not a public header.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "http/http_server.h"
#include "protocol/errors.h"

namespace pgmcp::http::internal {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace json = boost::json;

inline constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
// How long a connection that has been served waits for its next request (nginx's default
// keepalive_timeout); a new one has HttpOptions::first_request_timeout for its first.
inline constexpr std::chrono::seconds kKeepAliveIdle{75};
inline constexpr std::chrono::seconds kWriteTimeout{30};
inline constexpr std::chrono::seconds kSseKeepAlive{15};
inline constexpr size_t kMaxHeaderBytes = 16 * 1024;
inline constexpr const char* kProtectedResourcePath = "/.well-known/oauth-protected-resource";
// The 401's last sentence when auth.authorization_servers is empty.
inline constexpr const char* kOperatorTokenNeeded =
    "This server names no OAuth authorization server, so a client cannot sign in by itself: "
    "send a bearer token issued by the server's operator (Authorization: Bearer <JWT>).";

using Request = bhttp::request<bhttp::string_body>;
using Response = bhttp::response<bhttp::string_body>;

Response MakeResponse(const Request& req, bhttp::status status, std::string body = {},
                      std::string_view content_type = "text/plain; charset=utf-8");
Response JsonResponse(const Request& req, bhttp::status status, std::string body);
// A protocol answer as an HTTP response: its status, its JSON-RPC text.
Response ReplyResponse(const Request& req, protocol::Reply reply);
std::string Header(const Request& req, bhttp::field f);
std::string Header(const Request& req, std::string_view name);
// The public base URL (scheme://host) as the client sees it: behind a trusted proxy, from its
// X-Forwarded-Proto/-Host; from any other peer, from Host alone.
std::string BaseUrl(const Request& req, bool from_trusted_proxy);
// One SSE event; a JSON text with newlines needs one data line per line.
std::string SseEvent(std::string_view text);

}  // namespace pgmcp::http::internal

namespace pgmcp::http {

struct HttpServer::Exchange {
  internal::Request request;
  std::optional<internal::Response> response;
  std::shared_ptr<Connection> connection;  // the connection it came on (null while only its header is read)
};

// Admit reads the request where it is (the parser's, while only its header is read: no copy of
// the fields) and writes a refusal into `refusal`.
struct HttpServer::Admission {
  const internal::Request& request;
  std::optional<internal::Response>& refusal;
  bool body_to_come = false;  // only the header is read, and a body follows it
};

struct HttpServer::Connection {
  explicit Connection(boost::asio::ip::tcp::socket s) : stream(std::move(s)) {}
  boost::beast::tcp_stream stream;
  bool busy = false;
  boost::asio::ip::address peer;
  std::list<std::weak_ptr<Connection>>::iterator entry;  // its place in HttpServer::connections_
  bool trusted_proxy = false;  // the peer is one of http.trusted_proxies, so not counted as a client
  // Bound to the connection's coroutine (ServeConnection): emitted when the client hangs up
  // during a stateless call, which runs on that coroutine, so the call's current wait ends.
  boost::asio::cancellation_signal cancel;
  uint64_t calls = 0;        // stateless calls begun: tells a hang-up watch whether its call still runs
  bool in_call = false;      // a stateless call runs now
  char watch_byte = 0;       // where the hang-up watch peeks (WatchCall)
};

}  // namespace pgmcp::http

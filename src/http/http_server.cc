#include "http/http_server.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/serialize.hpp>

#include "http/request_checks.h"
#include "protocol/eras.h"
#include "logging/log.h"

namespace pgmcp::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::chrono::seconds kKeepAliveIdle{75};
constexpr std::chrono::seconds kWriteTimeout{30};
constexpr std::chrono::seconds kSseKeepAlive{15};
constexpr size_t kMaxHeaderBytes = 16 * 1024;
constexpr const char* kProtectedResourcePath = "/.well-known/oauth-protected-resource";

using Request = bhttp::request<bhttp::string_body>;
using Response = bhttp::response<bhttp::string_body>;

Response MakeResponse(const Request& req, bhttp::status status, std::string body = {},
                      std::string_view content_type = "text/plain; charset=utf-8") {
  Response res{status, req.version()};
  res.set(bhttp::field::server, "pgmcp");
  if (!body.empty() || status != bhttp::status::accepted) res.set(bhttp::field::content_type, content_type);
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

Response JsonResponse(const Request& req, bhttp::status status, std::string body) {
  return MakeResponse(req, status, std::move(body), "application/json");
}

Response RpcError(const Request& req, bhttp::status status, int code, std::string_view message,
                  const json::value& id = nullptr) {
  return JsonResponse(req, status, protocol::EncodeError(id, code, message));
}

std::string Header(const Request& req, bhttp::field f) { return std::string(req[f]); }
std::string Header(const Request& req, std::string_view name) { return std::string(req[name]); }

std::string BaseUrl(const Request& req) {
  std::string scheme = Header(req, "X-Forwarded-Proto");
  if (scheme != "https") scheme = "http";
  std::string host = Header(req, "X-Forwarded-Host");
  if (host.empty()) host = Header(req, bhttp::field::host);
  return scheme + "://" + host;
}

// SSE "data:" lines: a JSON text with newlines needs one data line per line.
std::string SseEvent(std::string_view text) {
  std::string out = "event: message\n";
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    out += "data: ";
    out.append(text.substr(start, nl - start));
    out += '\n';
    start = nl + 1;
  }
  out += '\n';
  return out;
}

}  // namespace

struct HttpServer::Exchange {
  Request request;
  std::optional<Response> response;
};

struct HttpServer::Connection {
  explicit Connection(tcp::socket s) : stream(std::move(s)) {}
  beast::tcp_stream stream;
  bool busy = false;
};

std::shared_ptr<HttpServer> HttpServer::Create(asio::io_context& io, HttpOptions options,
                                               std::shared_ptr<protocol::Backend> backend, Hooks hooks) {
  return std::shared_ptr<HttpServer>(new HttpServer(io, std::move(options), std::move(backend), std::move(hooks)));
}

HttpServer::HttpServer(asio::io_context& io, HttpOptions options, std::shared_ptr<protocol::Backend> backend,
                       Hooks hooks)
    : io_(io), options_(std::move(options)), backend_(backend), hooks_(std::move(hooks)),
      registry_(io.get_executor(), backend, options_.session, options_.max_sessions), acceptor_(io) {}

Result<uint16_t> HttpServer::Start() {
  std::string host = options_.listen.substr(0, options_.listen.rfind(':'));
  std::string port = options_.listen.substr(options_.listen.rfind(':') + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  boost::system::error_code ec;
  tcp::resolver resolver(io_);
  auto endpoints = resolver.resolve(host, port, tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || endpoints.empty()) {
    return MakeError(ErrorKind::kConfig, "option '--listen' (" + options_.listen + "): cannot resolve: " + ec.message());
  }
  tcp::endpoint endpoint = endpoints.begin()->endpoint();
  loopback_ = endpoint.address().is_loopback();
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return MakeError(ErrorKind::kConfig, "option '--listen' (" + options_.listen + "): " + ec.message());
  }
  auto self = shared_from_this();
  asio::co_spawn(io_, [self]() { return self->AcceptLoop(); }, asio::detached);
  asio::co_spawn(io_, [self]() { return self->ExpireLoop(); }, asio::detached);
  port_ = acceptor_.local_endpoint().port();
  return port_;
}

void HttpServer::StopAccepting() {
  stopping_ = true;
  boost::system::error_code ec;
  acceptor_.close(ec);
  for (auto& weak : connections_) {
    if (auto c = weak.lock(); c && !c->busy) c->stream.socket().close(ec);
  }
  registry_.WakeStreams();  // open SSE streams see stopping_ and end
}

void HttpServer::CloseSessions() { registry_.CloseAll(); }

asio::awaitable<void> HttpServer::AcceptLoop() {
  auto self = shared_from_this();
  asio::steady_timer backoff(io_);
  while (!stopping_) {
    auto [ec, socket] = co_await acceptor_.async_accept(kTuple);
    if (ec) {
      if (stopping_ || ec == asio::error::operation_aborted) break;
      // Out of file descriptors (EMFILE) and the like: back off instead of spinning on accept.
      logging::Warn("http_accept_failed", {{"reason", ec.message()}});
      backoff.expires_after(std::chrono::milliseconds(100));
      co_await backoff.async_wait(kTuple);
      continue;
    }
    asio::co_spawn(io_, [self, s = std::move(socket)]() mutable { return self->ServeConnection(std::move(s)); },
                   asio::detached);
  }
}

asio::awaitable<void> HttpServer::ExpireLoop() {
  auto self = shared_from_this();
  asio::steady_timer timer(io_);
  while (!stopping_) {
    timer.expires_after(std::chrono::seconds(30));
    co_await timer.async_wait(kTuple);
    registry_.Expire(options_.session_idle_timeout);
    std::erase_if(connections_, [](const std::weak_ptr<Connection>& w) { return w.expired(); });
  }
}

asio::awaitable<void> HttpServer::ServeConnection(tcp::socket socket) {
  auto self = shared_from_this();
  auto conn = std::make_shared<Connection>(std::move(socket));
  connections_.push_back(conn);
  beast::flat_buffer buffer;
  while (!stopping_) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(kMaxHeaderBytes);
    parser.body_limit(options_.max_body_bytes);
    conn->stream.expires_after(kKeepAliveIdle);
    auto [ec, n] = co_await bhttp::async_read(conn->stream, buffer, parser, kTuple);
    if (ec == bhttp::error::body_limit) {
      Request req = parser.release();
      auto res = MakeResponse(req, bhttp::status::payload_too_large,
                              "Request body larger than " + std::to_string(options_.max_body_bytes) + " bytes.\n");
      res.keep_alive(false);
      conn->stream.expires_after(kWriteTimeout);
      co_await bhttp::async_write(conn->stream, res, kTuple);
      break;
    }
    if (ec) {
      if (ec != bhttp::error::end_of_stream && ec != asio::error::operation_aborted && ec != beast::error::timeout &&
          ec != asio::error::eof && ec != asio::error::connection_reset) {
        // A malformed request line or headers: answer 400 and close, as any HTTP server would.
        Request empty;
        auto res = MakeResponse(empty, bhttp::status::bad_request, "Malformed HTTP request.\n");
        res.keep_alive(false);
        conn->stream.expires_after(kWriteTimeout);
        co_await bhttp::async_write(conn->stream, res, kTuple);
      }
      break;
    }
    conn->busy = true;
    ++requests_in_flight_;
    Exchange ex{parser.release(), std::nullopt};
    conn->stream.expires_never();
    // Handle() may take over the stream for an SSE response; then it leaves no response.
    auto handled = Handle(*conn, ex);
    co_await std::move(handled);
    --requests_in_flight_;
    conn->busy = false;
    if (!ex.response) break;
    auto& res = ex.response;
    if (stopping_) res->keep_alive(false);
    if (hooks_.on_response) hooks_.on_response(static_cast<int>(res->result_int()));
    bool keep = res->keep_alive();
    conn->stream.expires_after(kWriteTimeout);
    auto [wec, wn] = co_await bhttp::async_write(conn->stream, *res, kTuple);
    if (wec || !keep) break;
  }
  boost::system::error_code ignored;
  conn->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  conn->stream.close();
}

void HttpServer::Unauthorized(Exchange& ex, const AuthRejection& rejection) {
  if (hooks_.on_auth_failure) hooks_.on_auth_failure(rejection.reason);
  logging::Info("auth_failure", {{"reason", rejection.reason}, {"status", rejection.status}});
  bool forbidden = rejection.status == 403;
  auto res = JsonResponse(ex.request, forbidden ? bhttp::status::forbidden : bhttp::status::unauthorized,
                          protocol::EncodeError(nullptr, protocol::error_code::kInvalidRequest, rejection.message));
  std::string challenge = "Bearer resource_metadata=\"" + BaseUrl(ex.request) + kProtectedResourcePath + "\"";
  if (forbidden) {
    challenge += ", error=\"insufficient_scope\"";
  } else if (!Header(ex.request, bhttp::field::authorization).empty()) {
    challenge += ", error=\"invalid_token\"";
  }
  res.set(bhttp::field::www_authenticate, challenge);
  ex.response = std::move(res);
}

void HttpServer::HandleProtectedResource(Exchange& ex) {
  // RFC 9728: where the MCP resource is and which authorization servers issue tokens for it.
  json::array servers;
  for (const auto& a : options_.authorization_servers) servers.emplace_back(a);
  json::object doc{{"resource", BaseUrl(ex.request) + "/mcp"},
                   {"authorization_servers", std::move(servers)},
                   {"bearer_methods_supported", json::array{"header"}},
                   {"resource_name", "pgmcp"}};
  ex.response = JsonResponse(ex.request, bhttp::status::ok, json::serialize(doc));
}

asio::awaitable<void> HttpServer::Handle(Connection& conn, Exchange& ex) {
  const Request& req = ex.request;
  std::string_view target = req.target();
  std::string_view path = target.substr(0, target.find('?'));

  if (!HostAllowed(req[bhttp::field::host], loopback_)) {
    ex.response = MakeResponse(req, bhttp::status::forbidden, "Host not allowed.\n");
    co_return;
  }
  if (path == "/healthz" && (req.method() == bhttp::verb::get || req.method() == bhttp::verb::head)) {
    ex.response = MakeResponse(req, bhttp::status::ok, "ok\n");
    co_return;
  }
  if (path == "/readyz" && (req.method() == bhttp::verb::get || req.method() == bhttp::verb::head)) {
    bool ready = !stopping_;
    if (ready && hooks_.ready) {
      auto check = hooks_.ready();
      ready = co_await std::move(check);
    }
    ex.response = MakeResponse(req, ready ? bhttp::status::ok : bhttp::status::service_unavailable,
                               ready ? "ready\n" : "not ready\n");
    co_return;
  }
  if (path == "/metrics" && req.method() == bhttp::verb::get) {
    ex.response = MakeResponse(req, bhttp::status::ok, hooks_.metrics ? hooks_.metrics() : std::string(),
                               "text/plain; version=0.0.4; charset=utf-8");  // Prometheus text format 0.0.4
    co_return;
  }
  if (path == kProtectedResourcePath && req.method() == bhttp::verb::get) {
    HandleProtectedResource(ex);
    co_return;
  }
  if (path != "/mcp") {
    ex.response = MakeResponse(req, bhttp::status::not_found, "Not found.\n");
    co_return;
  }

  // /mcp: Origin first (a browser page must not reach the database), then credentials.
  auto origin = req.find(bhttp::field::origin);
  if (!OriginAllowed(origin != req.end() ? origin->value() : "", origin != req.end(), options_.allowed_origins,
                     loopback_ ? port_ : 0)) {
    ex.response = RpcError(req, bhttp::status::forbidden, protocol::error_code::kInvalidRequest, "Origin not allowed.");
    co_return;
  }
  protocol::CallContext context = options_.session.context;
  if (hooks_.authenticate) {
    auto verdict = hooks_.authenticate(req[bhttp::field::authorization]);
    if (auto* rejection = std::get_if<AuthRejection>(&verdict)) {
      Unauthorized(ex, *rejection);
      co_return;
    }
    context = std::get<protocol::CallContext>(std::move(verdict));
  }
  switch (req.method()) {
    case bhttp::verb::post: {
      auto post = HandleMcpPost(ex, context);
      co_await std::move(post);
      break;
    }
    case bhttp::verb::get: {
      auto get = HandleMcpGet(conn, ex, context);
      co_await std::move(get);
      break;
    }
    case bhttp::verb::delete_:
      HandleMcpDelete(ex, context);
      break;
    default: {
      auto res = MakeResponse(req, bhttp::status::method_not_allowed, "Method not allowed.\n");
      res.set(bhttp::field::allow, "GET, POST, DELETE");
      ex.response = std::move(res);
    }
  }
}

asio::awaitable<void> HttpServer::HandleMcpPost(Exchange& ex, const protocol::CallContext& context) {
  const Request& req = ex.request;
  if (MediaType(req[bhttp::field::content_type]) != "application/json") {
    ex.response = RpcError(req, bhttp::status::unsupported_media_type, protocol::error_code::kInvalidRequest,
                           "Content-Type must be application/json.");
    co_return;
  }
  if (!Accepts(req[bhttp::field::accept], "application/json") && !Accepts(req[bhttp::field::accept], "text/event-stream")) {
    ex.response = RpcError(req, bhttp::status::not_acceptable, protocol::error_code::kInvalidRequest,
                           "Accept must allow application/json or text/event-stream.");
    co_return;
  }
  protocol::Message message = protocol::ParseMessage(req.body(), options_.session.max_json_depth);
  if (auto* bad = std::get_if<protocol::Malformed>(&message)) {
    ex.response = RpcError(req, bhttp::status::bad_request, bad->code, bad->message, bad->id);
    co_return;
  }
  auto* request = std::get_if<protocol::Request>(&message);
  std::string session_id = Header(req, "Mcp-Session-Id");

  // Which era (docs/protocol-eras.md §1.1): a request claiming a version in _meta is stateless;
  // initialize opens a session; the rest belongs to a session.
  std::string version_header = Header(req, "MCP-Protocol-Version");
  bool stateless_header = protocol::IsStatelessHeader(version_header);
  if (request != nullptr) {
    auto claim = protocol::StatelessClaim(request->params);
    if (request->method == "initialize" && claim && protocol::IsStatelessHeader(*claim)) {
      ex.response = RpcError(req, bhttp::status::not_found, protocol::error_code::kMethodNotFound,
                             "Method not found: initialize does not exist in protocol version " + *claim + ".",
                             request->id);
      co_return;
    }
    if (request->method == "initialize" && !claim && stateless_header) {
      ex.response = RpcError(req, bhttp::status::bad_request, protocol::error_code::kHeaderMismatch,
                             "Header mismatch: MCP-Protocol-Version names the stateless era but the body is "
                             "a session-era initialize.", request->id);
      co_return;
    }
    if (claim) {
      auto stateless = HandleStatelessPost(ex, std::move(*request), context);
      co_await std::move(stateless);
      co_return;
    }
    if (stateless_header) {
      ex.response = RpcError(req, bhttp::status::bad_request, protocol::error_code::kInvalidParams,
                             "Invalid params: a " + version_header + " request must carry _meta with "
                             "\"io.modelcontextprotocol/protocolVersion\" and \"io.modelcontextprotocol/clientCapabilities\".",
                             request->id);
      co_return;
    }
  } else if (stateless_header && session_id.empty()) {
    ex.response = MakeResponse(req, bhttp::status::accepted);  // the stateless era defines no such notification
    co_return;
  }
  if (!version_header.empty() && !protocol::IsSupportedProtocolVersion(version_header)) {
    ex.response = RpcError(req, bhttp::status::bad_request, protocol::error_code::kInvalidRequest,
                           "Unsupported MCP-Protocol-Version: " + version_header + ".",
                           request != nullptr ? request->id : json::value(nullptr));
    co_return;
  }
  std::shared_ptr<HttpSession> session;
  if (request != nullptr && request->method == "initialize") {
    session = registry_.Create(context);
    if (!session) {
      ex.response = RpcError(req, bhttp::status::service_unavailable, protocol::error_code::kInternalError,
                             "Too many open sessions; try again later.", request->id);
      co_return;
    }
  } else if (session_id.empty()) {
    ex.response = RpcError(req, bhttp::status::bad_request, protocol::error_code::kInvalidRequest,
                           "Bad Request: Mcp-Session-Id header is required (send initialize first).",
                           request != nullptr ? request->id : json::value(nullptr));
    co_return;
  } else {
    session = registry_.Find(session_id, SessionRegistry::Owner(context));
    if (!session) {
      ex.response = RpcError(req, bhttp::status::not_found, protocol::error_code::kInvalidRequest,
                             "Session not found; initialize a new one.",
                             request != nullptr ? request->id : json::value(nullptr));
      co_return;
    }
  }

  if (request == nullptr) {  // a notification or a response: accepted, nothing to return
    session->session->Dispatch(std::move(message), &context);
    auto res = MakeResponse(req, bhttp::status::accepted);
    ex.response = std::move(res);
    co_return;
  }
  auto pending = std::make_shared<PendingReply>(io_.get_executor());
  pending->wake.expires_at(std::chrono::steady_clock::time_point::max());
  std::string key = protocol::Session::IdKey(request->id);
  session->pending[key] = pending;
  protocol::CallContext call_context = context;
  call_context.session_id = session->id;
  session->session->Dispatch(std::move(message), &call_context);
  if (!pending->text) co_await pending->wake.async_wait(kTuple);
  if (!pending->text) {  // the session was closed or cancelled the call: no reply will come
    ex.response = MakeResponse(req, bhttp::status::accepted);
    co_return;
  }
  auto res = JsonResponse(req, bhttp::status::ok, std::move(*pending->text));
  res.set("Mcp-Session-Id", session->id);
  ex.response = std::move(res);
}

asio::awaitable<void> HttpServer::HandleStatelessPost(Exchange& ex, protocol::Request request,
                                                      const protocol::CallContext& context) {
  const Request& req = ex.request;
  auto mismatch = [&](const std::string& message) {
    ex.response = RpcError(req, bhttp::status::bad_request, protocol::error_code::kHeaderMismatch,
                           "Header mismatch: " + message, request.id);
  };
  // Headers must repeat the body (proxies and load balancers route on them), checked before the
  // version itself so a mismatch is reported as one.
  const json::object& meta = request.params.get_object().at("_meta").get_object();
  const json::value& claimed = meta.at(protocol::kMetaProtocolVersion);
  std::string version_header = Header(req, "MCP-Protocol-Version");
  if (!claimed.is_string() || version_header != claimed.get_string()) {
    mismatch("MCP-Protocol-Version header '" + version_header + "' does not match the _meta protocol version.");
    co_return;
  }
  auto method_header = DecodeHeaderValue(Header(req, "Mcp-Method"));
  if (!method_header || *method_header != request.method) {
    mismatch("Mcp-Method header does not match the body method '" + request.method + "'.");
    co_return;
  }
  std::string_view name_key = request.method == "tools/call" ? "name" : request.method == "resources/read" ? "uri" : "";
  if (!name_key.empty()) {
    const json::value* name = request.params.get_object().if_contains(name_key);
    auto name_header = DecodeHeaderValue(Header(req, "Mcp-Name"));
    if (name == nullptr || !name->is_string() || !name_header || *name_header != name->get_string()) {
      mismatch("Mcp-Name header does not match the body " + std::string(name_key) + ".");
      co_return;
    }
  }

  // No session: a Session of its own for this one request, answered on this response.
  auto pending = std::make_shared<PendingReply>(io_.get_executor());
  pending->wake.expires_at(std::chrono::steady_clock::time_point::max());
  protocol::SessionOptions options = options_.session;
  options.context = context;
  auto session = protocol::Session::Create(io_.get_executor(), backend_, options,
                                           [pending](protocol::Outgoing message) {
                                             if (!message.reply_to || pending->text) return;
                                             pending->error_code = message.error_code;
                                             pending->text = std::move(message.text);
                                             pending->wake.cancel();
                                           });
  json::value id = request.id;
  ++stateless_in_flight_;
  session->Dispatch(std::move(request), &context);
  if (!pending->text) co_await pending->wake.async_wait(kTuple);
  --stateless_in_flight_;
  if (!pending->text) {
    ex.response = RpcError(req, bhttp::status::service_unavailable, protocol::error_code::kInternalError,
                           "The server is shutting down.", id);
    co_return;
  }
  bhttp::status status = bhttp::status::ok;
  const int error_code = pending->error_code;
  if (error_code == protocol::error_code::kMethodNotFound) {
    status = bhttp::status::not_found;
  } else if (error_code == protocol::error_code::kInvalidParams || error_code == protocol::error_code::kInvalidRequest ||
             error_code == protocol::error_code::kParseError || error_code == protocol::error_code::kHeaderMismatch ||
             error_code == protocol::error_code::kMissingCapability ||
             error_code == protocol::error_code::kUnsupportedVersion) {
    status = bhttp::status::bad_request;
  }
  ex.response = JsonResponse(req, status, std::move(*pending->text));
}

asio::awaitable<void> HttpServer::HandleMcpGet(Connection& conn, Exchange& ex, const protocol::CallContext& context) {
  const Request& req = ex.request;
  if (!Accepts(req[bhttp::field::accept], "text/event-stream")) {
    auto res = MakeResponse(req, bhttp::status::method_not_allowed, "GET /mcp serves text/event-stream only.\n");
    res.set(bhttp::field::allow, "GET, POST, DELETE");
    ex.response = std::move(res);
    co_return;
  }
  std::string session_id = Header(req, "Mcp-Session-Id");
  if (session_id.empty()) {
    ex.response = RpcError(req, bhttp::status::bad_request, protocol::error_code::kInvalidRequest,
                           "Bad Request: Mcp-Session-Id header is required.");
    co_return;
  }
  auto session = registry_.Find(session_id, SessionRegistry::Owner(context));
  if (!session) {
    ex.response = RpcError(req, bhttp::status::not_found, protocol::error_code::kInvalidRequest, "Session not found.");
    co_return;
  }
  if (session->events_ready) {
    ex.response = RpcError(req, bhttp::status::conflict, protocol::error_code::kInvalidRequest,
                           "This session already has an open event stream.");
    co_return;
  }
  bhttp::response<bhttp::empty_body> head{bhttp::status::ok, req.version()};
  head.set(bhttp::field::server, "pgmcp");
  head.set(bhttp::field::content_type, "text/event-stream");
  head.set(bhttp::field::cache_control, "no-cache");
  head.set("X-Accel-Buffering", "no");  // nginx must not buffer the stream
  head.set("Mcp-Session-Id", session->id);
  head.chunked(true);
  head.keep_alive(true);
  bhttp::response_serializer<bhttp::empty_body> serializer{head};
  conn.stream.expires_after(kWriteTimeout);
  auto [hec, hn] = co_await bhttp::async_write_header(conn.stream, serializer, kTuple);
  if (hec) co_return;
  auto ready = std::make_shared<asio::steady_timer>(io_);
  session->events_ready = ready;
  --requests_in_flight_;  // an open stream is not a call in flight: it must not hold up a drain
  while (!session->closed && !stopping_) {
    std::string chunk;
    while (!session->events.empty()) {
      chunk += SseEvent(session->events.front());
      session->events.pop_front();
    }
    if (chunk.empty()) {
      ready->expires_after(kSseKeepAlive);
      auto [wec] = co_await ready->async_wait(kTuple);
      if (!wec) chunk = ": keep-alive\n\n";  // also finds clients that went away
      else continue;
    }
    conn.stream.expires_after(kWriteTimeout);
    auto [ec, n] = co_await asio::async_write(conn.stream, bhttp::make_chunk(asio::buffer(chunk)), kTuple);
    if (ec) break;
  }
  ++requests_in_flight_;
  if (session->events_ready == ready) session->events_ready.reset();
  conn.stream.expires_after(kWriteTimeout);
  co_await asio::async_write(conn.stream, bhttp::make_chunk_last(), kTuple);
}

void HttpServer::HandleMcpDelete(Exchange& ex, const protocol::CallContext& context) {
  const Request& req = ex.request;
  std::string session_id = Header(req, "Mcp-Session-Id");
  if (session_id.empty()) {
    ex.response = RpcError(req, bhttp::status::bad_request, protocol::error_code::kInvalidRequest,
                           "Bad Request: Mcp-Session-Id header is required.");
    return;
  }
  if (!registry_.Remove(session_id, SessionRegistry::Owner(context))) {
    ex.response = RpcError(req, bhttp::status::not_found, protocol::error_code::kInvalidRequest, "Session not found.");
    return;
  }
  ex.response = MakeResponse(req, bhttp::status::no_content);
}

}  // namespace pgmcp::http

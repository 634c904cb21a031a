#include "http/http_server.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/serialize.hpp>

#include "common/error_kinds.h"
#include "common/listen_address.h"
#include "http/request_checks.h"
#include "http/response_write.h"
#include "http/server_internal.h"
#include "logging/log.h"

namespace pgmcp::http {
namespace internal {

Response MakeResponse(const Request& req, bhttp::status status, std::string body,
                      std::string_view content_type) {
  Response res{status, req.version()};
  // insert, not set: a new response has no field to replace, so no lookup first. The same goes
  // for the fields keep_alive() and prepare_payload() would write: Connection only where the
  // version's default differs, then Content-Length (every status, 204 included, as Beast writes it).
  res.insert(bhttp::field::server, "pgmcp");
  if (!body.empty() || status != bhttp::status::accepted) res.insert(bhttp::field::content_type, content_type);
  if (const bool keep = req.keep_alive(); keep != (req.version() >= 11)) {
    res.insert(bhttp::field::connection, keep ? "keep-alive" : "close");
  }
  char length[24];
  res.insert(bhttp::field::content_length,
             std::string_view(length, std::to_chars(length, length + sizeof length, body.size()).ptr));
  res.body() = std::move(body);
  return res;
}

Response JsonResponse(const Request& req, bhttp::status status, std::string body) {
  return MakeResponse(req, status, std::move(body), "application/json");
}

Response ReplyResponse(const Request& req, protocol::Reply reply) {
  return JsonResponse(req, static_cast<bhttp::status>(reply.http_status), std::move(reply.text));
}

std::string Header(const Request& req, bhttp::field f) { return std::string(req[f]); }
std::string Header(const Request& req, std::string_view name) { return std::string(req[name]); }

std::string BaseUrl(const Request& req, bool from_trusted_proxy) {
  std::string scheme = from_trusted_proxy ? Header(req, "X-Forwarded-Proto") : std::string();
  if (scheme != "https") scheme = "http";
  std::string host = from_trusted_proxy ? Header(req, "X-Forwarded-Host") : std::string();
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


}  // namespace internal

using namespace internal;
using tcp = asio::ip::tcp;

std::shared_ptr<HttpServer> HttpServer::Create(asio::io_context& io, HttpOptions options,
                                               std::shared_ptr<protocol::Backend> backend, Hooks hooks) {
  return std::shared_ptr<HttpServer>(new HttpServer(io, std::move(options), std::move(backend), std::move(hooks)));
}

namespace {

// Every request reads its limits from a settings source: without one (tests), one holding the
// options' own limits. Sessions read limits.max_json_depth from the same source.
HttpOptions WithSettingsSource(HttpOptions options) {
  if (!options.settings) {
    auto settings = std::make_shared<config::Settings>();
    settings->http.max_body_bytes = static_cast<int64_t>(options.max_body_bytes);
    settings->http.allowed_origins = options.allowed_origins;
    settings->limits.max_json_depth = static_cast<int64_t>(options.max_json_depth);
    options.settings = std::make_shared<const config::SettingsSource>(std::move(settings));
  }
  if (!options.session.settings) options.session.settings = options.settings;
  return options;
}

}  // namespace

HttpServer::HttpServer(asio::io_context& io, HttpOptions options, std::shared_ptr<protocol::Backend> backend,
                       Hooks hooks)
    : io_(io),
      options_(WithSettingsSource(std::move(options))),
      settings_(options_.settings),
      backend_(backend),
      stateless_(backend, options_.session.server_version),
      hooks_(std::move(hooks)),
      registry_(io.get_executor(), backend, options_.session, options_.max_sessions, options_.max_sessions_per_owner,
                options_.replica_id),
      subscriptions_(options_.max_sessions_per_owner),
      acceptor_(io),
      client_connections_(options_.max_connections_per_client) {}

Result<uint16_t> HttpServer::Start() {
  auto address = ParseListenAddress(options_.listen);
  if (!address) return address.error();
  boost::system::error_code ec;
  for (const auto& text : options_.trusted_proxies) {
    auto proxy = asio::ip::make_address(text, ec);
    if (ec) return MakeError(ErrorKind::kConfig, "config key 'http.trusted_proxies': '" + text + "' is not an IP address");
    trusted_proxies_.push_back(proxy);
  }
  tcp::resolver resolver(io_);
  auto endpoints =
      resolver.resolve(address->host, address->port, tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || endpoints.empty()) {
    return MakeError(ErrorKind::kConfig, "option '--listen' (" + options_.listen + "): cannot resolve: " + ec.message());
  }
  tcp::endpoint endpoint = endpoints.begin()->endpoint();
  loopback_ = endpoint.address().is_loopback();
  if (options_.loopback_only && !loopback_) {
    // Judged by the address bound, not the text: "127.internal.example.com" may resolve anywhere.
    return MakeError(ErrorKind::kConfig, "config key 'auth.mode' = \"none\" is only allowed on a loopback --listen address (" +
                                             options_.listen + " is " + endpoint.address().to_string() + ")");
  }
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
  subscriptions_.WakeAll();
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
    // Beyond http.max_connections, or beyond http.max_connections_per_client for its client (a
    // trusted proxy is not one), a connection is closed at once, before a byte of it is read.
    boost::system::error_code pec;
    const auto peer = socket.remote_endpoint(pec);
    boost::system::error_code ignored;
    if (pec) {  // the client is gone already
      socket.close(ignored);
      continue;
    }
    const bool trusted_proxy = IsTrustedProxy(peer.address());
    std::string_view cap;
    if (connections_.size() >= options_.max_connections) {
      cap = "max_connections";
    } else if (!trusted_proxy && !client_connections_.Add(peer.address())) {
      cap = "max_connections_per_client";
    }
    if (!cap.empty()) {
      // Counted before the close, so that whoever sees the close finds it counted.
      if (hooks_.on_connection_refused) hooks_.on_connection_refused(cap);
      socket.close(ignored);
      continue;
    }
    auto conn = std::make_shared<Connection>(std::move(socket));
    conn->peer = peer.address();
    conn->trusted_proxy = trusted_proxy;
    // Counted here, not when the coroutine starts, so a burst cannot overshoot.
    conn->entry = connections_.insert(connections_.end(), conn);
    asio::co_spawn(io_, [self, conn]() { return self->ServeConnection(conn); },
                   // The handler owns the connection: its signal outlives the coroutine bound to it.
                   asio::bind_cancellation_slot(conn->cancel.slot(), [conn](std::exception_ptr) {}));
  }
}

asio::awaitable<void> HttpServer::ExpireLoop() {
  auto self = shared_from_this();
  asio::steady_timer timer(io_);
  while (!stopping_) {
    timer.expires_after(std::chrono::seconds(30));
    co_await timer.async_wait(kTuple);
    registry_.Expire(options_.session_idle_timeout);
  }
}

namespace {

// After refusing a request whose input is still arriving: stop sending, then read and drop what
// the client still sends, for a bounded while. Closing with unread input makes the kernel send a
// reset, which can destroy the refusal before the client reads it.
asio::awaitable<void> LingeringClose(beast::tcp_stream& stream) {
  constexpr size_t kMaxLingerBytes = 64 * 1024;
  boost::system::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  stream.expires_after(std::chrono::seconds(2));
  std::array<char, 4096> sink;
  for (size_t drained = 0; drained < kMaxLingerBytes;) {
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(sink), kTuple);
    if (ec) break;
    drained += n;
  }
}

// Answers with `res` and closes the connection: its last response, then LingeringClose. `head`:
// the request was a HEAD (the head of the response only).
asio::awaitable<void> AnswerAndClose(beast::tcp_stream& stream, Response& res, bool head) {
  res.keep_alive(false);
  auto write = WriteResponse(stream, res, head);
  co_await std::move(write);
  auto linger = LingeringClose(stream);
  co_await std::move(linger);
}

using Parser = bhttp::request_parser<bhttp::string_body>;

// Feeds `parser` what `buffer` already holds, as Beast's read would before reading more; "need
// more" is no error here, the read that follows gets the rest. Returns the bytes parsed.
size_t ParseBuffered(Parser& parser, beast::flat_buffer& buffer, boost::system::error_code& ec) {
  size_t parsed = 0;
  while (!parser.is_done() && buffer.size() > 0) {
    const size_t used = parser.put(buffer.data(), ec);
    buffer.consume(used);
    parsed += used;
    if (ec == bhttp::error::need_more) {
      ec = {};
      break;
    }
    if (ec || used == 0) break;
  }
  return parsed;
}

// Reads the rest of an admitted request's body into `parser`, whose header took `parsed` bytes.
// What the parser takes besides the body's own bytes (the request line and headers, then each
// chunk's size line, extensions and line ends) shares one budget of kMaxHeaderBytes: counted as
// sent, leading zeros of a size included, as the bytes parsed less the body's. A chunked body
// of many small chunks costs a few bytes of it per chunk.
asio::awaitable<boost::system::error_code> ReadBody(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                                                    Parser& parser, size_t parsed) {
  boost::system::error_code ec;
  // The body usually came in the header's read: parsed from the buffer, it needs no second one.
  parsed += ParseBuffered(parser, buffer, ec);
  const auto over_budget = [&] { return parsed - parser.get().body().size() > kMaxHeaderBytes; };
  while (!ec && !parser.is_done() && !over_budget()) {
    auto [rec, n] = co_await bhttp::async_read_some(stream, buffer, parser, kTuple);
    ec = rec;
    parsed += n;
  }
  if (!ec && over_budget()) ec = bhttp::error::header_limit;
  co_return ec;
}

// The headers Admit reads, found in one pass over the request's fields instead of one lookup each
// in Beast's field set (a tree ordered by case-insensitive name); as with req[name], the first of a
// repeated header counts.
struct AdmissionHeaders {
  std::string_view host, origin, authorization;
  bool has_origin = false;
};

AdmissionHeaders ReadAdmissionHeaders(const Request& req) {
  AdmissionHeaders h;
  bool has_host = false, has_authorization = false;
  for (const auto& field : req) {
    switch (field.name()) {
      case bhttp::field::host:
        if (!has_host) h.host = field.value();
        has_host = true;
        break;
      case bhttp::field::origin:
        if (!h.has_origin) h.origin = field.value();
        h.has_origin = true;
        break;
      case bhttp::field::authorization:
        if (!has_authorization) h.authorization = field.value();
        has_authorization = true;
        break;
      default: break;
    }
  }
  return h;
}

// RFC 9112 §6.3: a request with Transfer-Encoding whose last coding is not chunked has a body
// of unknown length. Beast 1.81 reads it as having none (or, with Content-Length beside it, the
// declared length), so bytes that a proxy framed otherwise would be read as the next request:
// request smuggling. Such a request gets 400 and the connection closes.
bool BodyLengthUnknown(const Parser& parser) {
  return !parser.chunked() && parser.get().find(bhttp::field::transfer_encoding) != parser.get().end();
}

bool QuietReadError(const boost::system::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == asio::error::operation_aborted || ec == beast::error::timeout ||
         ec == asio::error::eof || ec == asio::error::connection_reset;
}

}  // namespace

// GCC 12 at -O2 takes the coroutine frame's allocation (Asio's aligned_alloc) and its class
// operator delete for a mismatched pair and warns at the closing brace; they are Asio's own pair.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
asio::awaitable<void> HttpServer::ServeConnection(std::shared_ptr<Connection> conn) {
  auto self = shared_from_this();
  struct Slot {  // one of http.max_connections and one of its client's, taken by AcceptLoop
    HttpServer& server;
    const Connection& conn;
    ~Slot() {
      server.connections_.erase(conn.entry);
      if (!conn.trusted_proxy) server.client_connections_.Remove(conn.peer);
    }
  } slot{*this, *conn};
  // Before authentication nothing is unbounded: the request line, the headers and every chunk's
  // size line and extensions share one budget of kMaxHeaderBytes (ReadBody). The buffer never
  // holds more unparsed input than that, so an endless line or chunk extension is refused once it
  // is full.
  beast::flat_buffer buffer(kMaxHeaderBytes);
  // Room for a whole typical request from the first read: Beast reads what the free space allows
  // (512 bytes at least), so a buffer that starts empty costs one read per 512 bytes.
  buffer.reserve(kMaxHeaderBytes);
  for (bool first = true; !stopping_; first = false) {
    auto max_body_bytes = static_cast<size_t>(settings_->current()->http.max_body_bytes);
    Parser parser;
    parser.header_limit(kMaxHeaderBytes);
    parser.body_limit(max_body_bytes);
    // A connection that has sent nothing yet costs its client nothing to keep open: it has a
    // short while for its first request head, so silent sockets cannot hold the slots of
    // http.max_connections for the keep-alive time.
    conn->stream.expires_after(first ? options_.first_request_timeout : kKeepAliveIdle);
    auto [ec, header_bytes] = co_await bhttp::async_read_header(conn->stream, buffer, parser, kTuple);
    if (!ec && BodyLengthUnknown(parser)) ec = bhttp::error::bad_transfer_encoding;
    if (!ec) {
      // The limit in force when the request arrived, not when the connection began to wait for
      // it: a reload while a keep-alive connection is idle applies to its next request.
      max_body_bytes = static_cast<size_t>(settings_->current()->http.max_body_bytes);
      parser.body_limit(max_body_bytes);
      if (parser.content_length() && *parser.content_length() > max_body_bytes) ec = bhttp::error::body_limit;
    }
    Caller caller{options_.session.context, 0};
    bool admitted = false;
    if (!ec && !parser.is_done()) {
      // The body is read only once the request is admitted: an unauthenticated POST gets its 401
      // with its body still unsent, and the connection is closed.
      std::optional<Response> refusal;
      auto admit = Admit(*conn, Admission{parser.get(), refusal, true}, caller);
      admitted = co_await std::move(admit);
      if (!admitted) {
        if (hooks_.on_response) hooks_.on_response(static_cast<int>(refusal->result_int()));
        auto close = AnswerAndClose(conn->stream, *refusal, parser.get().method() == bhttp::verb::head);
        co_await std::move(close);
        break;
      }
      // An admitted body has the keep-alive time, not what is left of the first request's.
      conn->stream.expires_after(kKeepAliveIdle);
      auto read = ReadBody(conn->stream, buffer, parser, header_bytes);
      ec = co_await std::move(read);
    }
    if (ec == bhttp::error::body_limit) {
      auto res = MakeResponse(parser.get(), bhttp::status::payload_too_large,
                              "Request body larger than " + std::to_string(max_body_bytes) + " bytes.\n");
      auto close = AnswerAndClose(conn->stream, res, false);
      co_await std::move(close);
      break;
    }
    if (ec) {
      if (!QuietReadError(ec)) {
        // A malformed or oversized request line, headers or chunk metadata, or a body of unknown
        // length: answer 400 and close.
        Request empty;
        auto res = MakeResponse(empty, bhttp::status::bad_request, "Malformed HTTP request.\n");
        auto close = AnswerAndClose(conn->stream, res, false);
        co_await std::move(close);
      }
      break;
    }
    Exchange ex{parser.release(), std::nullopt, conn};
    if (!admitted) {
      auto admit = Admit(*conn, Admission{ex.request, ex.response}, caller);
      admitted = co_await std::move(admit);
    }
    if (admitted) {
      conn->busy = true;
      ++requests_in_flight_;
      conn->stream.expires_never();
      // Handle() may take over the stream for an SSE response; then it leaves no response.
      auto handled = Handle(*conn, ex, caller);
      co_await std::move(handled);
      --requests_in_flight_;
      conn->busy = false;
    }
    if (!ex.response) break;
    auto& res = ex.response;
    if (stopping_) res->keep_alive(false);
    if (hooks_.on_response) hooks_.on_response(static_cast<int>(res->result_int()));
    bool keep = res->keep_alive();
    auto write = WriteResponse(conn->stream, *res, ex.request.method() == bhttp::verb::head);
    auto wec = co_await std::move(write);
    if (wec || !keep) break;
  }
  boost::system::error_code ignored;
  conn->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  conn->stream.close();
}
#pragma GCC diagnostic pop

bool HttpServer::IsTrustedProxy(const asio::ip::address& peer) const {
  return std::find(trusted_proxies_.begin(), trusted_proxies_.end(), Unmapped(peer)) != trusted_proxies_.end();
}

asio::awaitable<bool> HttpServer::Admit(const Connection& conn, Admission admission, Caller& caller) {
  const Request& req = admission.request;
  const AdmissionHeaders headers = ReadAdmissionHeaders(req);
  if (!HostAllowed(headers.host, loopback_)) {
    admission.refusal = MakeResponse(req, bhttp::status::forbidden, "Host not allowed.\n");
    co_return false;
  }
  std::string_view target = req.target();
  if (target.substr(0, target.find('?')) != "/mcp") {
    // No endpoint but /mcp takes a body, and none of them asks for a token: a body sent to one
    // is refused unread, or any client could make pgmcp hold http.max_body_bytes per connection.
    if (!admission.body_to_come) co_return true;
    admission.refusal = MakeResponse(req, bhttp::status::payload_too_large, "This endpoint takes no request body.\n");
    co_return false;
  }
  // /mcp: Origin first (a browser page must not reach the database), then credentials.
  if (!OriginAllowed(headers.origin, headers.has_origin, settings_->current()->http.allowed_origins,
                     loopback_ ? port_ : 0)) {
    admission.refusal =
        ReplyResponse(req, protocol::FaultReply(protocol::Fault::kOriginNotAllowed, nullptr, "Origin not allowed."));
    co_return false;
  }
  if (hooks_.authenticate) {
    auto check = hooks_.authenticate(std::string(headers.authorization));
    auto verdict = co_await std::move(check);
    if (!verdict) {
      Unauthorized(conn, admission, verdict.error());
      co_return false;
    }
    caller = std::move(*verdict);
  }
  co_return true;
}

void HttpServer::Unauthorized(const Connection& conn, Admission admission, const Error& rejection) {
  const Request& req = admission.request;
  const int status = pgmcp::Describe(rejection.kind).http_status;  // 401 or 403
  if (hooks_.on_auth_failure) hooks_.on_auth_failure(rejection.code);
  logging::Info("auth_failure", {{"reason", rejection.code}, {"status", status}});
  bool forbidden = rejection.kind == ErrorKind::kForbidden;
  Error reply = rejection;
  if (rejection.kind == ErrorKind::kUnauthenticated && options_.authorization_servers.empty()) {
    // No authorization server to announce: an OAuth client cannot sign in by itself (docs/auth.md).
    reply.message += std::string(" ") + kOperatorTokenNeeded;
  }
  auto res = ReplyResponse(req, protocol::ErrorReply(reply, nullptr));
  std::string challenge = "Bearer resource_metadata=\"" + BaseUrl(req, conn.trusted_proxy) + kProtectedResourcePath + "\"";
  if (forbidden) {
    challenge += ", error=\"insufficient_scope\"";
  } else if (rejection.kind == ErrorKind::kUnavailable) {
    // 503: the token could not be checked yet (no keys fetched from the identity provider).
    res.set(bhttp::field::retry_after, "5");
  } else if (!req[bhttp::field::authorization].empty()) {
    challenge += ", error=\"invalid_token\"";
  }
  res.set(bhttp::field::www_authenticate, challenge);
  admission.refusal = std::move(res);
}

void HttpServer::HandleProtectedResource(const Connection& conn, Exchange& ex) {
  // RFC 9728: where the MCP resource is and which authorization servers issue tokens for it.
  json::array servers;
  for (const auto& a : options_.authorization_servers) servers.emplace_back(a);
  json::object doc{{"resource", BaseUrl(ex.request, conn.trusted_proxy) + "/mcp"},
                   {"authorization_servers", std::move(servers)},
                   {"bearer_methods_supported", json::array{"header"}},
                   {"resource_name", "pgmcp"}};
  ex.response = JsonResponse(ex.request, bhttp::status::ok, json::serialize(doc));
}

asio::awaitable<void> HttpServer::Handle(Connection& conn, Exchange& ex, const Caller& caller) {
  const protocol::CallContext& context = caller.context;
  const Request& req = ex.request;
  std::string_view target = req.target();
  std::string_view path = target.substr(0, target.find('?'));

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
    HandleProtectedResource(conn, ex);
    co_return;
  }
  if (path != "/mcp") {
    ex.response = MakeResponse(req, bhttp::status::not_found, "Not found.\n");
    co_return;
  }

  switch (req.method()) {
    case bhttp::verb::post: {
      auto post = HandleMcpPost(conn, ex, caller);
      co_await std::move(post);
      break;
    }
    case bhttp::verb::get: {
      auto get = HandleMcpGet(conn, ex, caller);
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

}  // namespace pgmcp::http

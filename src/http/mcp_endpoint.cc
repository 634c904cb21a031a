// /mcp: the MCP endpoint in both protocol eras — session-era POST/GET/DELETE and stateless POSTs.
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "http/request_checks.h"
#include "http/server_internal.h"
#include "protocol/eras.h"

namespace pgmcp::http {
using namespace internal;

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

// /mcp: the MCP endpoint in both protocol eras. The protocol layer classifies each POST
// (protocol/http_pipeline.h); this file carries bodies, headers and statuses, and the sessions' streams.
#include <algorithm>
#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/write.hpp>
#include <boost/json/object.hpp>
#include <functional>

#include "http/event_stream.h"
#include "http/request_checks.h"
#include "http/server_internal.h"
#include "protocol/http_pipeline.h"

namespace pgmcp::http {
using namespace internal;

namespace {

// The request a notifications/cancelled names, as Session::IdKey serializes it; empty for any
// other message.
std::string CancelledRequestKey(const protocol::Message& message) {
  const auto* n = std::get_if<protocol::Notification>(&message);
  if (n == nullptr || n->method != "notifications/cancelled" || !n->params.is_object()) return {};
  const json::value* id = n->params.get_object().if_contains("requestId");
  return id == nullptr ? std::string() : protocol::Session::IdKey(*id);
}

// The headers a POST to /mcp reads, found in one pass over the request's fields instead of one
// lookup each in Beast's field set; as with req[name], the first of a repeated header counts.
struct PostHeaders {
  std::string_view content_type, accept, protocol_version, method, name, session_id;
};

PostHeaders ReadPostHeaders(const Request& req) {
  PostHeaders h;
  std::array<bool, 6> seen{};
  auto take = [&seen](size_t slot, std::string_view& into, std::string_view value) {
    if (!seen[slot]) into = value;
    seen[slot] = true;
  };
  for (const auto& field : req) {
    switch (field.name()) {
      case bhttp::field::content_type: take(0, h.content_type, field.value()); break;
      case bhttp::field::accept: take(1, h.accept, field.value()); break;
      default: {  // the MCP headers, by name (Beast has no enumerator for them)
        const std::string_view name = field.name_string();
        if (beast::iequals(name, "MCP-Protocol-Version")) take(2, h.protocol_version, field.value());
        else if (beast::iequals(name, "Mcp-Method")) take(3, h.method, field.value());
        else if (beast::iequals(name, "Mcp-Name")) take(4, h.name, field.value());
        else if (beast::iequals(name, "Mcp-Session-Id")) take(5, h.session_id, field.value());
      }
    }
  }
  return h;
}

}  // namespace

asio::awaitable<void> HttpServer::HandleMcpPost(Connection& conn, Exchange& ex, const Caller& caller) {
  const Request& req = ex.request;
  const protocol::CallContext& context = caller.context;
  const PostHeaders headers = ReadPostHeaders(req);
  if (!HasMediaType(headers.content_type, "application/json")) {
    ex.response = ReplyResponse(req, protocol::FaultReply(protocol::Fault::kUnsupportedMediaType, nullptr,
                                                          "Content-Type must be application/json."));
    co_return;
  }
  if (!Accepts(headers.accept, "application/json") && !Accepts(headers.accept, "text/event-stream")) {
    ex.response = ReplyResponse(req, protocol::FaultReply(protocol::Fault::kNotAcceptable, nullptr,
                                                          "Accept must allow application/json or text/event-stream."));
    co_return;
  }
  // The protocol layer decides what this POST is; this layer only carries it.
  protocol::PostedMessage posted{req.body(), headers.protocol_version, headers.method, headers.name,
                                 headers.session_id};
  auto route = protocol::RoutePost(posted, static_cast<size_t>(settings_->current()->limits.max_json_depth));
  if (auto* immediate = std::get_if<protocol::Immediate>(&route)) {
    if (immediate->reply.text.empty()) {
      ex.response = MakeResponse(req, static_cast<bhttp::status>(immediate->reply.http_status));
    } else {
      ex.response = ReplyResponse(req, std::move(immediate->reply));
    }
    co_return;
  }
  if (auto* stateless = std::get_if<protocol::StatelessRequest>(&route)) {
    if (stateless->request.method == protocol::kListenMethod) {
      auto listen = ServeListen(conn, ex, std::move(stateless->request), caller);
      co_await std::move(listen);
      co_return;
    }
    ++stateless_in_flight_;
    auto serve = ServeStateless(ex, std::move(stateless->request), context);
    protocol::Reply reply = co_await std::move(serve);
    --stateless_in_flight_;
    ex.response = ReplyResponse(req, std::move(reply));
    co_return;
  }
  auto serve = ServeInSession(ex, std::get<protocol::SessionMessage>(std::move(route)), context);
  co_await std::move(serve);
}

asio::awaitable<void> HttpServer::ServeInSession(Exchange& ex, protocol::SessionMessage message,
                                                 const protocol::CallContext& context) {
  const Request& req = ex.request;
  const json::value id = protocol::ReplyId(message);
  std::shared_ptr<HttpSession> session;
  if (message.opens_session) {
    auto created = registry_.Create(context);
    if (!created) {
      ex.response = ReplyResponse(req, protocol::ErrorReply(created.error(), id));
      co_return;
    }
    session = std::move(*created);
    if (!session) {
      ex.response = ReplyResponse(
          req, protocol::FaultReply(protocol::Fault::kTooManySessions, id, "Too many open sessions; try again later."));
      co_return;
    }
  } else {
    session = registry_.Find(Header(req, "Mcp-Session-Id"), SessionRegistry::Owner(context));
    if (!session) {
      ex.response = ReplyResponse(
          req, protocol::FaultReply(protocol::Fault::kSessionNotFound, id, "Session not found; initialize a new one."));
      co_return;
    }
  }

  if (message.request() == nullptr) {  // a notification or a response: accepted, nothing to return
    const std::string cancelled = CancelledRequestKey(message.message);
    session->session->Dispatch(std::move(message.message), &context);
    // The session sends no reply to a cancelled request, so the POST carrying it ends here.
    if (!cancelled.empty()) EndPending(*session, cancelled);
    ex.response = MakeResponse(req, bhttp::status::accepted);
    co_return;
  }
  const std::string key = protocol::Session::IdKey(id);
  if (session->pending.contains(key)) {
    // The id of a request still in flight: refused here, so the first keeps its reply slot.
    ex.response = ReplyResponse(
        req, protocol::FaultReply(protocol::Fault::kInvalidRequest, id, "Invalid Request: this id is already in use."));
    co_return;
  }
  auto pending = std::make_shared<PendingReply>(io_.get_executor());
  pending->wake.expires_at(std::chrono::steady_clock::time_point::max());
  session->pending[key] = pending;
  protocol::CallContext call_context = context;
  call_context.session_id = session->id;
  session->session->Dispatch(std::move(message.message), &call_context);
  if (!pending->text) {
    if (ex.connection) asio::co_spawn(io_, WatchForHangUp(ex.connection, session, pending, key, id), asio::detached);
    co_await pending->wake.async_wait(kTuple);
    if (ex.connection) {  // stops the watch: nothing else waits on the socket during a call
      boost::system::error_code ignored;
      ex.connection->stream.socket().cancel(ignored);
    }
  }
  if (!pending->text) {  // cancelled, its session deleted or closed, or its client gone: no reply will come
    ex.response = MakeResponse(req, bhttp::status::accepted);
    co_return;
  }
  // Session-era answers, errors included, travel in-band on 200.
  auto res = JsonResponse(req, bhttp::status::ok, std::move(*pending->text));
  res.set("Mcp-Session-Id", session->id);
  ex.response = std::move(res);
}

asio::awaitable<void> HttpServer::WatchForHangUp(std::shared_ptr<Connection> conn,
                                                std::shared_ptr<HttpSession> session,
                                                std::shared_ptr<PendingReply> pending, std::string key, json::value id) {
  auto still_pending = [session, pending, key] {  // false once the call ended first
    auto it = session->pending.find(key);
    return it != session->pending.end() && it->second == pending;
  };
  auto watch = ClientHangsUp(conn->stream.socket(), still_pending);
  if (!co_await std::move(watch)) co_return;
  session->session->Dispatch(protocol::Notification{"notifications/cancelled", json::object{{"requestId", id}}});
  EndPending(*session, key);
}

asio::awaitable<protocol::Reply> HttpServer::ServeStateless(Exchange& ex, protocol::Request request,
                                                           const protocol::CallContext& context) {
  // Run on the connection's own coroutine, not spawned: no second coroutine, timer or handoff per
  // call. Its client's hang-up cancels it through the connection's cancellation slot.
  Connection* conn = ex.connection.get();
  if (conn != nullptr) {
    conn->in_call = true;
    WatchCall(ex.connection, ++conn->calls);
  }
  std::optional<protocol::Reply> reply;
  try {
    auto serve = stateless_.Serve(std::move(request), context);
    reply = co_await std::move(serve);
  } catch (const std::exception&) {
    // A bug below, or a wait that threw once the call was cancelled: the client gets no detail.
  }
  if (conn != nullptr) {
    conn->in_call = false;
    boost::system::error_code ignored;
    conn->stream.socket().cancel(ignored);  // ends the watch: nothing else waits on the socket during a call
    // After a hang-up, a fresh state: the connection's coroutine still writes its (unread) answer.
    if ((co_await asio::this_coro::cancellation_state).cancelled() != asio::cancellation_type::none) {
      co_await asio::this_coro::reset_cancellation_state();
    }
  }
  if (!reply) co_return protocol::FaultReply(protocol::Fault::kInternalError, nullptr, "Internal error.");
  co_return std::move(*reply);
}

void HttpServer::WatchCall(std::shared_ptr<Connection> conn, uint64_t call) {
  // Not ClientHangsUp: a handler, not a spawned coroutine, per call (internal::PeekSaysGone).
  auto& socket = conn->stream.socket();
  const auto peek = asio::buffer(&conn->watch_byte, 1);  // before the handler takes conn
  socket.async_receive(peek, asio::socket_base::message_peek,
                       [conn = std::move(conn), call](boost::system::error_code ec, size_t) {
                         if (!conn->in_call || conn->calls != call) return;  // the call ended first
                         if (PeekSaysGone(ec)) conn->cancel.emit(asio::cancellation_type::terminal);
                       });
}

asio::awaitable<void> HttpServer::HandleMcpGet(Connection& conn, Exchange& ex, const Caller& caller) {
  const Request& req = ex.request;
  const protocol::CallContext& context = caller.context;
  if (!Accepts(req[bhttp::field::accept], "text/event-stream")) {
    auto res = MakeResponse(req, bhttp::status::method_not_allowed, "GET /mcp serves text/event-stream only.\n");
    res.set(bhttp::field::allow, "GET, POST, DELETE");
    ex.response = std::move(res);
    co_return;
  }
  std::string session_id = Header(req, "Mcp-Session-Id");
  if (session_id.empty()) {
    ex.response = ReplyResponse(req, protocol::FaultReply(protocol::Fault::kSessionRequired, nullptr,
                                                          "Bad Request: Mcp-Session-Id header is required."));
    co_return;
  }
  auto session = registry_.Find(session_id, SessionRegistry::Owner(context));
  if (!session) {
    ex.response = ReplyResponse(req, protocol::FaultReply(protocol::Fault::kSessionNotFound, nullptr, "Session not found."));
    co_return;
  }
  auto head = WriteEventStreamHead(conn.stream, req, session->id);
  if (bool written = co_await std::move(head); !written) co_return;
  auto stream = std::make_shared<EventStream>(io_.get_executor());
  if (session->streams.size() >= kMaxStreamsPerSession) {
    // The oldest is most likely a connection its client has already given up on.
    session->streams.front()->superseded = true;
    session->streams.front()->ready.cancel();
    session->streams.erase(session->streams.begin());
  }
  session->streams.push_back(stream);
  --requests_in_flight_;  // an open stream is not a call in flight: it must not hold up a drain
  // The stream lives no longer than the token that opened it: the client reconnects with a fresh one.
  auto pump = PumpEvents(
      conn.stream, stream->ready, TokenDeadline(caller.expires_at),
      [this, session, stream] { return !session->closed && !stopping_ && !stream->superseded; },
      [session, stream] {
        std::string chunk;
        while (!session->streams.empty() && session->streams.back() == stream && !session->events.empty()) {
          chunk += SseEvent(session->events.front());
          session->events.pop_front();
        }
        return chunk;
      });
  co_await std::move(pump);
  ++requests_in_flight_;
  if (auto it = std::find(session->streams.begin(), session->streams.end(), stream); it != session->streams.end()) {
    session->streams.erase(it);
    // Events queued for this stream go to the next newest one.
    if (!session->streams.empty() && !session->events.empty()) session->streams.back()->ready.cancel();
  }
  conn.stream.expires_after(kWriteTimeout);
  co_await asio::async_write(conn.stream, bhttp::make_chunk_last(), kTuple);
}

void HttpServer::HandleMcpDelete(Exchange& ex, const protocol::CallContext& context) {
  const Request& req = ex.request;
  std::string session_id = Header(req, "Mcp-Session-Id");
  if (session_id.empty()) {
    ex.response = ReplyResponse(req, protocol::FaultReply(protocol::Fault::kSessionRequired, nullptr,
                                                          "Bad Request: Mcp-Session-Id header is required."));
    return;
  }
  if (!registry_.Remove(session_id, SessionRegistry::Owner(context))) {
    ex.response = ReplyResponse(req, protocol::FaultReply(protocol::Fault::kSessionNotFound, nullptr, "Session not found."));
    return;
  }
  ex.response = MakeResponse(req, bhttp::status::no_content);
}

}  // namespace pgmcp::http

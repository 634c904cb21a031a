// subscriptions/listen over Streamable HTTP (docs/reference.md, "Subscriptions"): the POST is
// answered with an event stream that starts with the acknowledgement and carries the caller's
// list changes. It ends when the client hangs up, when the token that opened it expires (the
// client listens again with a fresh one), and when the server stops (then with the listen
// request's result, the graceful close).
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/write.hpp>

#include "http/event_stream.h"
#include "http/request_checks.h"
#include "http/server_internal.h"
#include "logging/log.h"

namespace pgmcp::http {
using namespace internal;

asio::awaitable<void> HttpServer::ServeListen(Connection& conn, Exchange& ex, protocol::Request request,
                                              const Caller& caller) {
  const Request& req = ex.request;
  auto opened = stateless_.Listen(request);
  if (auto* refused = std::get_if<protocol::Reply>(&opened)) {
    ex.response = ReplyResponse(req, std::move(*refused));
    co_return;
  }
  if (!Accepts(req[bhttp::field::accept], "text/event-stream")) {
    ex.response = ReplyResponse(
        req, protocol::FaultReply(protocol::Fault::kNotAcceptable, request.id,
                                  "subscriptions/listen is answered with an event stream: Accept must allow "
                                  "text/event-stream."));
    co_return;
  }
  auto stream = subscriptions_.Open(io_.get_executor(), std::get<protocol::Subscription>(std::move(opened)),
                                    caller.context);
  if (!stream) {
    ex.response = ReplyResponse(
        req, protocol::FaultReply(protocol::Fault::kTooManySubscriptions, request.id,
                                  "Too many open subscriptions for this caller (" +
                                      std::to_string(options_.max_sessions_per_owner) + "); close one first."));
    co_return;
  }
  struct Registered {  // however this coroutine ends, the stream leaves the registry
    SubscriptionRegistry& registry;
    std::shared_ptr<ListenStream> stream;
    ~Registered() { registry.Close(stream); }
  } registered{subscriptions_, stream};

  auto head = WriteEventStreamHead(conn.stream, req, "");
  if (bool written = co_await std::move(head); !written) co_return;
  logging::Debug("subscription_opened", {{"role", caller.context.role}, {"subscriptions", subscriptions_.size()}});
  --requests_in_flight_;  // an open stream is not a call in flight: it must not hold up a drain
  // A client that closes its stream ends its subscription at once, not at the next keep-alive,
  // so that it can listen again without meeting its own stale stream in the per-caller limit.
  std::shared_ptr<Connection> watched = ex.connection;
  if (watched) {
    asio::co_spawn(
        io_,
        [](std::shared_ptr<Connection> c, std::shared_ptr<ListenStream> s) -> asio::awaitable<void> {
          auto watch = ClientHangsUp(c->stream.socket(), [s] { return !s->hung_up; });
          if (co_await std::move(watch)) {
            s->hung_up = true;
            s->ready.cancel();
          }
        }(watched, stream),
        asio::detached);
  }
  auto pump = PumpEvents(
      conn.stream, stream->ready, TokenDeadline(caller.expires_at),
      [this, stream] { return !stopping_ && !stream->hung_up; },
      [stream] {
        std::string chunk;
        for (; !stream->events.empty(); stream->events.pop_front()) chunk += SseEvent(stream->events.front());
        return chunk;
      });
  const bool client_present = co_await std::move(pump) && !stream->hung_up;
  ++requests_in_flight_;
  const bool hung_up = stream->hung_up;
  stream->hung_up = true;  // the watch, woken below, ends
  boost::system::error_code ignored;
  conn.stream.socket().cancel(ignored);
  if (!client_present || hung_up) co_return;
  std::string last;
  if (stopping_) {
    last = SseEvent(protocol::EncodeSubscriptionClosed(stream->subscription, stateless_.server_version()));
  }
  conn.stream.expires_after(kWriteTimeout);
  if (!last.empty()) co_await asio::async_write(conn.stream, bhttp::make_chunk(asio::buffer(last)), kTuple);
  co_await asio::async_write(conn.stream, bhttp::make_chunk_last(), kTuple);
}

}  // namespace pgmcp::http

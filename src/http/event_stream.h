// Server-sent event streams of /mcp (a session's GET stream, a subscriptions/listen POST): the
// response head, and the loop that writes queued events, keep-alive comments while idle, and
// ends with the token that opened the stream. Not a public header; event-loop only.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "http/server_internal.h"

namespace pgmcp::http::internal {

// Writes the head of a text/event-stream response: chunked, kept open, not buffered by nginx
// (X-Accel-Buffering: no), with Mcp-Session-Id when `session_id` is not empty. False when the
// client is gone.
asio::awaitable<bool> WriteEventStreamHead(beast::tcp_stream& stream, const Request& req, std::string_view session_id);

// When a stream opened with a token whose exp is `expires_at` (Unix seconds; 0 = never) must end:
// never, too, for an exp later than the system clock can hold.
std::chrono::system_clock::time_point TokenDeadline(int64_t expires_at);

// Writes what `take()` returns (SSE text; empty: nothing to send) for as long as `open()` holds
// and `deadline` has not passed. While there is nothing to send it waits on `ready` (cancel it to
// wake the loop), writing a keep-alive comment every kSseKeepAlive, which also finds clients that
// went away. Returns false when a write failed (the client is gone).
asio::awaitable<bool> PumpEvents(beast::tcp_stream& stream, asio::steady_timer& ready,
                                 std::chrono::system_clock::time_point deadline, std::function<bool()> open,
                                 std::function<std::string()> take);

// Whether the end of a one-byte MSG_PEEK receive on a client's socket says the client is gone:
// the end of stream or a reset. Bytes there (a pipelined request) mean it is still present, as
// does a receive cancelled because the exchange ended. (One peek receive, where a readiness wait
// then a peek took two steps and had spurious wake-ups to wait out.)
bool PeekSaysGone(const boost::system::error_code& ec);

// Waits until the client of `socket` hangs up (true) or `waiting()` stops holding (false).
asio::awaitable<bool> ClientHangsUp(asio::ip::tcp::socket& socket, std::function<bool()> waiting);

}  // namespace pgmcp::http::internal

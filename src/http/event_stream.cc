#include "http/event_stream.h"

#include <algorithm>
#include <boost/asio/write.hpp>

namespace pgmcp::http::internal {

asio::awaitable<bool> WriteEventStreamHead(beast::tcp_stream& stream, const Request& req, std::string_view session_id) {
  bhttp::response<bhttp::empty_body> head{bhttp::status::ok, req.version()};
  head.set(bhttp::field::server, "pgmcp");
  head.set(bhttp::field::content_type, "text/event-stream");
  head.set(bhttp::field::cache_control, "no-cache");
  head.set("X-Accel-Buffering", "no");  // nginx must not buffer the stream
  if (!session_id.empty()) head.set("Mcp-Session-Id", session_id);
  head.chunked(true);
  head.keep_alive(true);
  bhttp::response_serializer<bhttp::empty_body> serializer{head};
  stream.expires_after(kWriteTimeout);
  auto [ec, n] = co_await bhttp::async_write_header(stream, serializer, kTuple);
  co_return !ec;
}

std::chrono::system_clock::time_point TokenDeadline(int64_t expires_at) {
  using std::chrono::system_clock;
  // The clock counts nanoseconds in 64 bits, so it ends in 2262: a later exp (9999999999 is a
  // common "never expires") would overflow into the past and end the stream at once.
  constexpr int64_t kLatest =
      std::chrono::duration_cast<std::chrono::seconds>(system_clock::time_point::max().time_since_epoch()).count();
  if (expires_at <= 0 || expires_at >= kLatest) return system_clock::time_point::max();
  return system_clock::time_point(std::chrono::seconds(expires_at));
}

asio::awaitable<bool> PumpEvents(beast::tcp_stream& stream, asio::steady_timer& ready,
                                 std::chrono::system_clock::time_point deadline, std::function<bool()> open,
                                 std::function<std::string()> take) {
  while (open() && std::chrono::system_clock::now() < deadline) {
    std::string chunk = take();
    if (chunk.empty()) {
      auto wait = std::chrono::duration_cast<std::chrono::steady_clock::duration>(kSseKeepAlive);
      if (deadline != std::chrono::system_clock::time_point::max()) {
        wait = std::min(wait, std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                  deadline - std::chrono::system_clock::now()) +
                                  std::chrono::milliseconds(1));
      }
      ready.expires_after(wait);
      auto [wec] = co_await ready.async_wait(kTuple);
      if (wec || std::chrono::system_clock::now() >= deadline) continue;
      chunk = ": keep-alive\n\n";
    }
    stream.expires_after(kWriteTimeout);
    auto [ec, n] = co_await asio::async_write(stream, bhttp::make_chunk(asio::buffer(chunk)), kTuple);
    if (ec) co_return false;
  }
  co_return true;
}

bool PeekSaysGone(const boost::system::error_code& ec) { return ec && ec != asio::error::operation_aborted; }

asio::awaitable<bool> ClientHangsUp(asio::ip::tcp::socket& socket, std::function<bool()> waiting) {
  char byte = 0;
  auto [ec, n] = co_await socket.async_receive(asio::buffer(&byte, 1), asio::socket_base::message_peek, kTuple);
  co_return waiting() && PeekSaysGone(ec);
}

}  // namespace pgmcp::http::internal

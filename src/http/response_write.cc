#include "http/response_write.h"

#include <sys/socket.h>
#include <sys/uio.h>

#include <array>
#include <boost/asio/write.hpp>
#include <cerrno>

namespace pgmcp::http::internal {

std::string SerializeHead(const Response& res) {
  const unsigned version = res.version();
  const unsigned code = res.result_int();
  const std::string_view reason = res.reason();
  size_t size = 13 + reason.size() + 4;
  for (const auto& field : res) size += field.name_string().size() + field.value().size() + 4;
  std::string out;
  out.reserve(size);
  const char line[] = {'H', 'T', 'T', 'P', '/', static_cast<char>('0' + version / 10), '.',
                       static_cast<char>('0' + version % 10), ' ', static_cast<char>('0' + code / 100),
                       static_cast<char>('0' + (code / 10) % 10), static_cast<char>('0' + code % 10), ' '};
  out.append(line, sizeof line);
  out += reason;
  out += "\r\n";
  for (const auto& field : res) {
    out += field.name_string();
    out += ": ";
    out += field.value();
    out += "\r\n";
  }
  out += "\r\n";
  return out;
}

namespace {

// Sends what the socket takes now, without waiting: the bytes sent, or the error.
size_t SendNow(asio::ip::tcp::socket& socket, std::array<asio::const_buffer, 2> buffers,
               boost::system::error_code& ec) {
  std::array<iovec, 2> iov{};
  for (size_t i = 0; i < buffers.size(); ++i) {
    iov[i].iov_base = const_cast<void*>(buffers[i].data());
    iov[i].iov_len = buffers[i].size();
  }
  msghdr msg{};
  msg.msg_iov = iov.data();
  msg.msg_iovlen = iov.size();
  while (true) {
    ssize_t n = ::sendmsg(socket.native_handle(), &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n >= 0) return static_cast<size_t>(n);
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) ec.assign(errno, boost::system::system_category());
    return 0;
  }
}

}  // namespace

asio::awaitable<boost::system::error_code> WriteResponse(beast::tcp_stream& stream, const Response& res,
                                                         bool head) {
  const std::string serialized_head = SerializeHead(res);
  std::array<asio::const_buffer, 2> buffers{asio::buffer(serialized_head),
                                            head ? asio::const_buffer() : asio::buffer(res.body())};
  boost::system::error_code ec;
  size_t sent = SendNow(stream.socket(), buffers, ec);
  if (ec) co_return ec;
  for (auto& buffer : buffers) {
    size_t skip = std::min(sent, buffer.size());
    buffer += skip;
    sent -= skip;
  }
  if (buffers[0].size() + buffers[1].size() == 0) co_return ec;
  stream.expires_after(kWriteTimeout);
  auto [wec, n] = co_await asio::async_write(stream, buffers, kTuple);
  co_return wec;
}

}  // namespace pgmcp::http::internal

#include "transport/stdio_transport.h"

#include <poll.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <cerrno>

namespace pgmcp::transport {
namespace asio = boost::asio;

StdioTransport::StdioTransport(asio::any_io_executor executor, LineLimit max_line_bytes, int in_fd, int out_fd)
    : executor_(std::move(executor)), max_line_bytes_(std::move(max_line_bytes)), in_fd_(in_fd), out_fd_(out_fd) {
  if (::pipe(wake_pipe_) != 0) wake_pipe_[0] = wake_pipe_[1] = -1;
}

StdioTransport::~StdioTransport() {
  Stop();
  if (wake_pipe_[0] >= 0) ::close(wake_pipe_[0]);
  if (wake_pipe_[1] >= 0) ::close(wake_pipe_[1]);
}

void StdioTransport::Start(Handlers handlers) {
  handlers_ = std::move(handlers);
  reader_ = std::thread([this] { ReadLoop(); });
  writer_ = std::thread([this] { WriteLoop(); });
}

void StdioTransport::Send(std::string message) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ && !writer_.joinable()) return;
    message.push_back('\n');
    queue_.push_back(std::move(message));
  }
  cv_.notify_one();
}

void StdioTransport::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;  // a second Stop() only joins what is left
  }
  cv_.notify_all();
  if (wake_pipe_[1] >= 0) {
    char b = 1;
    [[maybe_unused]] auto n = ::write(wake_pipe_[1], &b, 1);
  }
  if (reader_.joinable()) reader_.join();
  if (writer_.joinable()) writer_.join();
}

void StdioTransport::ReadLoop() {
  std::string line;
  bool skipping = false;  // inside a line that exceeded the limit
  char buf[65536];
  while (true) {
    pollfd fds[2] = {{in_fd_, POLLIN, 0}, {wake_pipe_[0], POLLIN, 0}};
    int n = ::poll(fds, wake_pipe_[0] >= 0 ? 2 : 1, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[1].revents != 0) return;  // Stop(): no EOF callback, the owner is shutting down
    ssize_t got = ::read(in_fd_, buf, sizeof buf);
    if (got < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      break;
    }
    if (got == 0) break;
    const size_t limit = max_line_bytes_();
    size_t start = 0;
    for (size_t i = 0; i < static_cast<size_t>(got); ++i) {
      if (buf[i] != '\n') continue;
      if (!skipping) {
        line.append(buf + start, i - start);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.size() > limit) {
          asio::post(executor_, [this, limit] { handlers_.on_oversize(limit); });
        } else if (!line.empty()) {
          asio::post(executor_, [this, l = std::move(line)]() mutable { handlers_.on_line(std::move(l)); });
        }
      }
      line.clear();
      skipping = false;
      start = i + 1;
    }
    if (!skipping) {
      line.append(buf + start, static_cast<size_t>(got) - start);
      if (line.size() > limit) {
        line.clear();
        line.shrink_to_fit();
        skipping = true;
        asio::post(executor_, [this, limit] { handlers_.on_oversize(limit); });
      }
    }
  }
  if (!skipping && !line.empty()) {
    asio::post(executor_, [this, l = std::move(line)]() mutable { handlers_.on_line(std::move(l)); });
  }
  asio::post(executor_, [this] { handlers_.on_eof(); });
}

void StdioTransport::WriteLoop() {
  while (true) {
    std::string message;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and everything written
      message = std::move(queue_.front());
      queue_.pop_front();
    }
    const char* p = message.data();
    size_t left = message.size();
    while (left > 0) {
      ssize_t n = ::write(out_fd_, p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;  // the client went away (EPIPE): nothing more can be delivered
      p += n;
      left -= static_cast<size_t>(n);
    }
  }
}

}  // namespace pgmcp::transport

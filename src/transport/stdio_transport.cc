#include "transport/stdio_transport.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>

namespace pgmcp::transport {
namespace asio = boost::asio;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr size_t kReadChunk = 65536;

bool SameFile(const struct stat& a, const struct stat& b) { return a.st_dev == b.st_dev && a.st_ino == b.st_ino; }

// The event loop can serve stdin and stdout when epoll can wait on both (pipes, sockets) and
// making stdout non-blocking changes nothing else: not stdin (one socket both ways) and not
// stderr (`2>&1` shares the open file, and the log's writes must block, not fail).
bool EventLoopCanServe(int in_fd, int out_fd) {
  struct stat in {}, out {}, err {};
  if (::fstat(in_fd, &in) != 0 || ::fstat(out_fd, &out) != 0) return false;
  auto pollable = [](const struct stat& s) { return S_ISFIFO(s.st_mode) || S_ISSOCK(s.st_mode); };
  if (!pollable(in) || !pollable(out) || SameFile(in, out)) return false;
  return !(::fstat(STDERR_FILENO, &err) == 0 && SameFile(out, err));
}

enum class Wrote { kAll, kBlocked, kBroken };

// Writes from the front of `bytes` what the descriptor takes now, erasing it.
Wrote WriteSome(int fd, std::string& bytes) {
  size_t done = 0;
  Wrote result = Wrote::kAll;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n > 0) {
      done += static_cast<size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      result = Wrote::kBlocked;
      break;
    } else {
      return Wrote::kBroken;  // the client went away (EPIPE): nothing more can be delivered
    }
  }
  bytes.erase(0, done);
  return result;
}

}  // namespace

StdioTransport::StdioTransport(asio::any_io_executor executor, LineLimit max_line_bytes, int in_fd, int out_fd)
    : executor_(std::move(executor)),
      max_line_bytes_(std::move(max_line_bytes)),
      in_fd_(in_fd),
      out_fd_(out_fd),
      in_(executor_),
      out_(executor_) {}

StdioTransport::~StdioTransport() {
  Stop();
  if (wake_pipe_[0] >= 0) ::close(wake_pipe_[0]);
  if (wake_pipe_[1] >= 0) ::close(wake_pipe_[1]);
}

void StdioTransport::Start(Handlers handlers) {
  handlers_ = std::move(handlers);
  if (EventLoopCanServe(in_fd_, out_fd_)) {
    in_flags_ = ::fcntl(in_fd_, F_GETFL);
    out_flags_ = ::fcntl(out_fd_, F_GETFL);
    boost::system::error_code in_ec, out_ec;
    in_.assign(in_fd_, in_ec);
    out_.assign(out_fd_, out_ec);
    if (!in_ec && !out_ec && in_flags_ >= 0 && out_flags_ >= 0 && ::fcntl(out_fd_, F_SETFL, out_flags_ | O_NONBLOCK) == 0) {
      on_loop_ = true;
      asio::co_spawn(executor_, ReadOnLoop(), asio::detached);
      return;
    }
    if (in_.is_open()) in_.release();
    if (out_.is_open()) out_.release();
  }
  if (::pipe(wake_pipe_) != 0) wake_pipe_[0] = wake_pipe_[1] = -1;
  reader_ = std::thread([this] { ReadLoop(); });
  writer_ = std::thread([this] { WriteLoop(); });
}

void StdioTransport::Send(std::string message) {
  message.push_back('\n');
  if (on_loop_) {
    asio::dispatch(executor_, [this, m = std::move(message)]() mutable { WriteOnLoop(std::move(m)); });
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ && !writer_.joinable()) return;
    queue_.push_back(std::move(message));
  }
  cv_.notify_one();
}

void StdioTransport::Stop() {
  if (on_loop_) {
    StopOnLoop();
    return;
  }
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

// ---- the event loop's way ----

asio::awaitable<void> StdioTransport::ReadOnLoop() {
  LineSplitter splitter;
  std::string buffer(kReadChunk, '\0');
  while (true) {
    auto [ec, n] = co_await in_.async_read_some(asio::buffer(buffer), kTuple);
    if (ec == asio::error::operation_aborted || !in_.is_open()) co_return;  // Stop(): no EOF callback
    if (ec || n == 0) break;
    splitter.Feed(std::string_view(buffer.data(), n), max_line_bytes_(), handlers_.on_line, handlers_.on_oversize);
  }
  splitter.Finish(handlers_.on_line);
  handlers_.on_eof();
}

void StdioTransport::WriteOnLoop(std::string message) {
  if (out_broken_ || !out_.is_open()) return;
  if (!unwritten_.empty()) {  // keep the order: behind what the pipe has not taken yet
    unwritten_.append(message);
    return;
  }
  switch (WriteSome(out_fd_, message)) {
    case Wrote::kAll:
      return;
    case Wrote::kBroken:
      out_broken_ = true;
      return;
    case Wrote::kBlocked:
      unwritten_ = std::move(message);
      if (!draining_) {
        draining_ = true;
        asio::co_spawn(executor_, DrainOnLoop(), asio::detached);
      }
      return;
  }
}

asio::awaitable<void> StdioTransport::DrainOnLoop() {
  while (!unwritten_.empty() && !out_broken_) {
    auto [ec] = co_await out_.async_wait(asio::posix::stream_descriptor::wait_write, kTuple);
    if (ec == asio::error::operation_aborted || !out_.is_open()) co_return;  // Stop() writes the rest
    if (ec || WriteSome(out_fd_, unwritten_) == Wrote::kBroken) out_broken_ = true;
  }
  draining_ = false;
}

void StdioTransport::StopOnLoop() {
  if (in_.is_open()) in_.release();  // never closed: stdin and stdout are not ours
  if (!out_.is_open()) return;       // stopped already
  out_.release();
  ::fcntl(in_fd_, F_SETFL, in_flags_);
  ::fcntl(out_fd_, F_SETFL, out_flags_);  // blocking again: the rest is written now, whole
  if (!out_broken_) WriteSome(out_fd_, unwritten_);
  unwritten_.clear();
}

// ---- the threads' way ----

void StdioTransport::ReadLoop() {
  LineSplitter splitter;
  auto on_line = [this](std::string line) {
    asio::post(executor_, [this, l = std::move(line)]() mutable { handlers_.on_line(std::move(l)); });
  };
  auto on_oversize = [this](size_t limit) { asio::post(executor_, [this, limit] { handlers_.on_oversize(limit); }); };
  char buf[kReadChunk];
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
    splitter.Feed(std::string_view(buf, static_cast<size_t>(got)), max_line_bytes_(), on_line, on_oversize);
  }
  splitter.Finish(on_line);
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

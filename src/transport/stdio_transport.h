// StdioTransport: newline-delimited JSON-RPC on stdin/stdout, without ever blocking the event loop.
// When stdin and stdout are pipes or sockets (how MCP clients start a server), the event loop reads
// and writes them itself, non-blocking: a message costs no hand-over between threads. Otherwise
// (a tty, a file, or stdout shared with stderr, whose blocking writes must stay blocking) a reader
// and a writer thread do the blocking I/O (docs/decisions.md, "stdio on the event loop").
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "transport/line_splitter.h"

namespace pgmcp::transport {

class StdioTransport {
 public:
  struct Handlers {
    std::function<void(std::string line)> on_line;  // one message (without the newline)
    std::function<void(size_t limit)> on_oversize;  // a line longer than `limit` bytes was skipped
    std::function<void()> on_eof;                   // stdin closed
  };

  // `max_line_bytes` is asked for every chunk read, so a new limit (SIGHUP) applies from the next
  // message on; it must be thread-safe.
  using LineLimit = std::function<size_t()>;
  StdioTransport(boost::asio::any_io_executor executor, LineLimit max_line_bytes, int in_fd = 0, int out_fd = 1);
  ~StdioTransport();
  StdioTransport(const StdioTransport&) = delete;
  StdioTransport& operator=(const StdioTransport&) = delete;

  // Starts reading; handlers run on the executor.
  void Start(Handlers handlers);
  // Queues one message, written as one line; thread-safe.
  void Send(std::string message);
  // Stops reading and writes what is queued (blocking). Called once the event loop has stopped.
  void Stop();

  // True when the event loop does the I/O (after Start).
  bool on_event_loop() const { return on_loop_; }

 private:
  // The event loop's way.
  boost::asio::awaitable<void> ReadOnLoop();
  void WriteOnLoop(std::string message);
  boost::asio::awaitable<void> DrainOnLoop();
  void StopOnLoop();
  // The threads' way.
  void ReadLoop();
  void WriteLoop();

  boost::asio::any_io_executor executor_;
  LineLimit max_line_bytes_;
  int in_fd_;
  int out_fd_;
  Handlers handlers_;
  bool on_loop_ = false;

  // Event loop: non-blocking descriptors (released, never closed, at Stop), and the bytes the
  // pipe did not take yet.
  boost::asio::posix::stream_descriptor in_;
  boost::asio::posix::stream_descriptor out_;
  int in_flags_ = -1;   // the descriptors' flags before, restored at Stop
  int out_flags_ = -1;
  std::string unwritten_;
  bool draining_ = false;  // a DrainOnLoop waits for the pipe to take more
  bool out_broken_ = false;

  // Threads.
  int wake_pipe_[2] = {-1, -1};  // wakes the reader's poll() on Stop
  std::thread reader_;
  std::thread writer_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;  // guarded by mu_
  bool stopping_ = false;          // guarded by mu_
};

}  // namespace pgmcp::transport

// StdioTransport: newline-delimited JSON-RPC on stdin/stdout. A reader and a writer thread do the
// blocking I/O (stdin may be a pipe, a file or a tty), so the event loop never blocks on it.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace pgmcp::transport {

class StdioTransport {
 public:
  struct Handlers {
    std::function<void(std::string line)> on_line;  // one message (without the newline)
    std::function<void(size_t limit)> on_oversize;  // a line longer than `limit` bytes was skipped
    std::function<void()> on_eof;                   // stdin closed
  };

  // `max_line_bytes` is asked on the reader thread for every chunk read, so a new limit (SIGHUP)
  // applies from the next message on; it must be thread-safe.
  using LineLimit = std::function<size_t()>;
  StdioTransport(boost::asio::any_io_executor executor, LineLimit max_line_bytes, int in_fd = 0, int out_fd = 1);
  ~StdioTransport();
  StdioTransport(const StdioTransport&) = delete;
  StdioTransport& operator=(const StdioTransport&) = delete;

  // Starts the threads; handlers run on the executor.
  void Start(Handlers handlers);
  // Queues one message; thread-safe. Written as one line.
  void Send(std::string message);
  // Stops reading, writes what is queued, joins the threads.
  void Stop();

 private:
  void ReadLoop();
  void WriteLoop();

  boost::asio::any_io_executor executor_;
  LineLimit max_line_bytes_;
  int in_fd_;
  int out_fd_;
  int wake_pipe_[2] = {-1, -1};  // wakes the reader's poll() on Stop
  Handlers handlers_;
  std::thread reader_;
  std::thread writer_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;  // guarded by mu_
  bool stopping_ = false;          // guarded by mu_
};

}  // namespace pgmcp::transport

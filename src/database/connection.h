// Connection: one non-blocking libpq connection driven by an Asio executor; no thread ever blocks
// on the network. Not thread-safe: use it from one coroutine at a time on its executor.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "database/pg_handles.h"

namespace pgmcp::database {

using Clock = std::chrono::steady_clock;
using Deadline = Clock::time_point;

// Routes the server's NOTICE messages on `conn` to the debug log instead of libpq's stderr print.
void SilenceNotices(PGconn* conn);

class Connection {
 public:
  // Connects without blocking; fails with kUnavailable (reason logged, not returned) at `deadline`.
  static boost::asio::awaitable<Result<std::unique_ptr<Connection>>> Connect(std::string dsn, Deadline deadline);

  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Sends every statement in one pipeline followed by one Sync, so the whole list costs one round
  // trip, and returns each statement's result. On the first failing statement the rest are skipped
  // by the server; the error (SQLSTATE in Error::code) is returned once everything up to the Sync
  // has been read, so the connection is never left mid-protocol unless the deadline passed or the
  // coroutine was cancelled (then it is marked broken and must be dropped).
  boost::asio::awaitable<Result<std::vector<PgResultPtr>>> RunPipeline(const std::vector<Statement>& statements,
                                                                        Deadline deadline);

  // Waits until the server sends something (a NOTIFY, or the connection dropping) or `deadline`,
  // then reads it; kTimeout at the deadline. For a connection that LISTENs and runs no queries.
  boost::asio::awaitable<Status> AwaitInput(Deadline deadline);
  // Notifications received so far: (channel, payload) pairs.
  std::vector<std::pair<std::string, std::string>> TakeNotifications();

  // Idle: connected, protocol in sync, no transaction open. Only idle connections are pooled.
  bool IsIdle() const;
  bool broken() const { return broken_; }
  // A cancel handle usable from another thread after this connection is gone.
  std::shared_ptr<PGcancel> cancel_handle() const { return cancel_; }
  int backend_pid() const { return PQbackendPID(conn_); }
  PGconn* raw() const { return conn_; }

 private:
  Connection(boost::asio::any_io_executor executor, PGconn* conn);
  enum class Wait { kRead, kWrite, kReadOrWrite };
  boost::asio::awaitable<Status> WaitSocket(Wait what, Deadline deadline);
  boost::asio::awaitable<Status> Flush(Deadline deadline);
  void AttachSocket();
  Error Fail(ErrorKind kind, std::string log_reason);

  PGconn* conn_;
  boost::asio::posix::stream_descriptor socket_;
  std::shared_ptr<PGcancel> cancel_;
  bool broken_ = false;
};

}  // namespace pgmcp::database

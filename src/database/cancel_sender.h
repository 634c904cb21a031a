// CancelSender: sends cancel requests (Connection::CancelRequest) off the event loop. libpq 15's
// PQcancel blocks without any deadline: against a server that accepts and never answers (a
// black-holed network path) it never returns. So each request runs on a detached thread of its
// own, at most `max_in_flight` at once (beyond that a request is skipped: the statement still ends
// at its statement_timeout), and nothing — not even shutdown — waits for one.
// Thread-safe.
#pragma once

#include <atomic>
#include <functional>
#include <memory>

namespace pgmcp::database {

class CancelSender {
 public:
  explicit CancelSender(int max_in_flight = 4);
  // Sends `cancel` on a thread of its own; false when `max_in_flight` are still running.
  bool Send(std::function<void()> cancel);
  int in_flight() const { return in_flight_->load(); }

 private:
  int max_in_flight_;
  std::shared_ptr<std::atomic<int>> in_flight_;  // shared with the threads, which may outlive this
};

}  // namespace pgmcp::database

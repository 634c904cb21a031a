// SocketDeadline: the deadline of one connection's socket waits, kept by one timer that the
// connection owns, armed as a wait begins and disarmed as it ends (so that a pooled connection
// keeps no work pending on its executor), instead of a new timer and a parallel group racing it
// on every wait. When a wait's deadline passes, the timer cancels the socket's waits and End says
// so; the caller's own cancellation still reaches the wait through its coroutine.
// Not thread-safe: used from the connection's coroutine, on the connection's executor.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <memory>

#include "database/deadline.h"

namespace pgmcp::database {

class SocketDeadline {
 public:
  // `socket` must outlive this object (the Connection declares it first).
  SocketDeadline(boost::asio::any_io_executor executor, boost::asio::posix::stream_descriptor& socket);
  ~SocketDeadline();
  SocketDeadline(const SocketDeadline&) = delete;
  SocketDeadline& operator=(const SocketDeadline&) = delete;

  // A wait on the socket is about to start; it must end by `deadline`.
  void Begin(Deadline deadline);
  // The wait ended. True when the deadline ended it (its socket waits were cancelled).
  bool End();

  struct State;  // the timer and the wait it watches; defined in the .cc

 private:
  std::shared_ptr<State> state_;  // the timer's handler holds it weakly: it may run after we are gone
};

}  // namespace pgmcp::database

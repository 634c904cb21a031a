// SharedCall: a call that waits for a pooled connection and may share that connection's next
// round trip with other waiting calls (docs/reference.md, pool.calls_per_round_trip;
// docs/decisions.md, "Waiting calls share a round trip"). The Pool queues it; the call handed the
// connection runs itself and the calls that rode along (Connection::RunCalls), each its own
// transaction between its own Syncs. Each call's coroutine waits for its own end and may give up
// meanwhile (Outcome): its rows are then read and dropped. Shared (std::shared_ptr) between the
// call's coroutine and the round trip running it, so either may end first.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <vector>

#include "database/connection.h"
#include "database/deadline.h"
#include "database/row_sink.h"
#include "database/statement.h"

namespace pgmcp::database {

// Forwards rows to the caller's sink and counts them, so that a call is run again (after a
// pooler lost its named statement) only when none reached the caller; after Detach it drops them.
class WatchedSink : public RowSink {
 public:
  explicit WatchedSink(RowSink& sink) : sink_(&sink) {}
  bool Add(const Rows& rows, int row) override;
  bool untouched() const { return delivered_ == 0; }
  void Detach() { sink_ = nullptr; }
  bool detached() const { return sink_ == nullptr; }

 private:
  RowSink* sink_;
  int64_t delivered_ = 0;
};

class SharedCall;

// The calls of one shared round trip while it runs (RunShared, database/read_only_call.cc). Once
// every call of it not finished yet has been given up by its caller, `stop` ends the round trip:
// the connection is dropped and the server told to cancel what it runs, as for a call alone.
struct SharedRoundTrip {
  boost::asio::cancellation_signal stop;
  std::vector<std::shared_ptr<SharedCall>> calls;  // the calls of its current run
  // Called as a caller gives up: stops the round trip when no caller is left waiting.
  void GaveUp();
};

class SharedCall {
 public:
  // `streamed`: the statement whose rows go to `sink`; `budget`: how long the call may take once
  // sent (its statement timeout and a grace period); `wait_until`: when the caller stops waiting
  // (kTimeout): its acquire deadline plus the budget.
  SharedCall(boost::asio::any_io_executor executor, std::vector<Statement> statements, size_t streamed,
             RowSink& sink, Clock::duration budget, Deadline wait_until);

  const std::vector<Statement>& statements() const { return statements_; }
  Connection::PipelinedCall& pipelined() { return pipelined_; }
  WatchedSink& sink() { return sink_; }
  const WatchedSink& sink() const { return sink_; }
  Clock::duration budget() const { return budget_; }

  // The round trip is over for this call: its result is in pipelined().result. Wakes the caller,
  // and unlinks the call from the round trip.
  void Finish();
  bool finished() const { return finished_; }
  // What the caller waits on, in its own coroutine: Finish cancels it; it expires at the deadline.
  // (A child coroutine would throw once the caller is cancelled, instead of abandoning the call.)
  boost::asio::steady_timer& woken() { return woken_; }
  // After the wait: the result once finished; else the call is abandoned (its rows are read and
  // dropped from now on) and the caller gets kCancelled (`cancelled`) or kTimeout.
  Status Outcome(bool cancelled);

  // Set by the Pool on the call it hands a connection: the waiting calls that ride along in the
  // same round trip (at most pool.calls_per_round_trip - 1).
  std::vector<std::shared_ptr<SharedCall>> riders;
  // The round trip running the call, until the call finishes (or the round trip ends).
  SharedRoundTrip* round_trip = nullptr;

 private:
  std::vector<Statement> statements_;
  WatchedSink sink_;
  Connection::PipelinedCall pipelined_;
  Clock::duration budget_;
  boost::asio::steady_timer woken_;
  bool finished_ = false;
};

}  // namespace pgmcp::database

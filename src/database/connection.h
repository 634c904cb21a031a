// Connection: one non-blocking database connection driven by an Asio executor; no thread ever
// blocks on the network. Not thread-safe: use it from one coroutine at a time on its executor.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "database/deadline.h"
#include "database/pg_forward.h"
#include "database/row_sink.h"
#include "database/rows.h"
#include "database/socket_deadline.h"
#include "database/statement.h"
#include "database/statement_cache.h"

namespace pgmcp::database {

// Where a connection is in its life (PgBouncer's bouncer.h is the model): each state names who
// holds the connection. Only the Connection itself and the Pool change it.
enum class ConnectionState {
  kConnecting,  // being opened: held by the coroutine running Connection::Connect, counted in
                //   Pool::connecting_ when the pool opens it
  kIdle,        // connected, no transaction, protocol in sync: on Pool::idle_ (a LISTEN
                //   connection stays here too, held by its NotificationListener)
  kLeased,      // serving one call: held by that call's Lease, or in a Pool::Waiter's `handed`
                //   until the waiting call resumes; counted in Pool::leased_
  kBroken,      // left mid-protocol (deadline, cancellation, network failure): never pooled again;
                //   its Lease drops it and the server is told to cancel what it still runs
};

class Connection {
 public:
  // Connects without blocking; fails with kUnavailable (the client sentence; the reason in
  // Error::code, for logs only) when the database refuses or `deadline` passes, kCancelled when
  // the coroutine is cancelled. Each failure is logged at debug only: the pool reports outages.
  // `first_host`: which entry of a multi-host DSN to try first (database/host_lookup.h).
  static boost::asio::awaitable<Result<std::unique_ptr<Connection>>> Connect(std::string dsn, Deadline deadline,
                                                                             size_t first_host = 0);

  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Sends every statement in one pipeline followed by one Sync, so the whole list costs one round
  // trip, and returns each statement's rows. On the first failing statement the rest are skipped
  // by the server; the error (SQLSTATE in Error::code) is returned once everything up to the Sync
  // has been read, so the connection is never left mid-protocol unless the deadline passed
  // (kTimeout) or the coroutine was cancelled (kCancelled): then it is kBroken and must be dropped.
  boost::asio::awaitable<Result<std::vector<Rows>>> RunPipeline(const std::vector<Statement>& statements,
                                                                Deadline deadline);
  // The same, but the rows of statement `streamed` go to `sink` one at a time as they arrive, and
  // the returned list is empty (no statement's rows are kept). At most one row of `streamed` is
  // held at once (or a whole answer of at most kWholeAnswerBytes that had arrived before any of it
  // was read, database/answer_peek.h), and once the sink wants no more, the rest are read and
  // dropped (docs/security.md, "Bounded memory"). `sink` must outlive the call.
  boost::asio::awaitable<Result<std::vector<Rows>>> RunPipeline(const std::vector<Statement>& statements,
                                                                size_t streamed, RowSink& sink, Deadline deadline);

  // One of several calls that RunCalls sends together: its own statements ended by its own Sync,
  // so its own transaction; the rows of statement `streamed` go to `sink`.
  struct PipelinedCall {
    const std::vector<Statement>* statements = nullptr;
    size_t streamed = 0;
    RowSink* sink = nullptr;
    Status result = OkStatus();  // set before RunCalls reports the call finished
  };
  // Sends every call's pipeline back to back (one round trip for all; libpq writes at each Sync)
  // and reads the answers in order; `finished(i)` is called as soon as call i's Sync has been
  // read, or the connection failed. A call's failure is its own: the server still runs the calls
  // after it. Only the first call prepares statements; the others run a named statement only when
  // an earlier round trip settled its Parse, else send it unnamed, so that no call depends on
  // another's Parse.
  // Returns the connection's failure, if any: then every unfinished call has it as its result,
  // and the connection is kBroken. `calls` and what they point to must outlive the run.
  boost::asio::awaitable<Status> RunCalls(std::span<PipelinedCall* const> calls, Deadline deadline,
                                          std::function<void(size_t)> finished);

  // Waits until the server sends something (a NOTIFY, or the connection dropping) or `deadline`,
  // then reads it; kTimeout at the deadline. For a connection that LISTENs and runs no queries.
  boost::asio::awaitable<Status> AwaitInput(Deadline deadline);
  // Notifications received so far: (channel, payload) pairs.
  std::vector<std::pair<std::string, std::string>> TakeNotifications();

  // Sends statements from now on as named prepared statements, at most `capacity` kept prepared
  // on this connection (database/statement_cache.h); 0 sends them unnamed and forgets the cache
  // (what is still prepared on the server stays there until the connection closes). The cache
  // adds what it does to `counts` when given (the pool's sum).
  void UsePreparedStatements(size_t capacity, std::shared_ptr<StatementCacheCounts> counts = nullptr);
  // The cache, or null when statements go unnamed.
  const StatementCache* prepared_statements() const { return prepared_.get(); }

  ConnectionState state() const { return state_; }
  // Reusable: not broken, connected, protocol in sync, no transaction open. Only such
  // connections go back to the pool.
  bool IsIdle() const;
  // IsIdle, and the server has not closed the connection meanwhile (checked without waiting).
  // For a pooled connection about to be leased: a dead one is dropped before anything is sent.
  bool StillConnected();
  // A transaction is open (or failed and not yet rolled back) on a live connection.
  bool InTransaction() const;
  // The role the server says this connection logged in as (its session_authorization, reported
  // at start-up; through PgBouncer, that of the server connections it lends), or nothing when the
  // server reports none.
  std::optional<std::string> SessionAuthorization() const;
  // Asks the server to cancel what this connection runs. Blocks on the network (PQcancel):
  // call it on a helper thread; the returned function stays valid after the Connection is gone.
  std::function<void()> CancelRequest() const;

 private:
  friend class Pool;
  Connection(boost::asio::any_io_executor executor, PgConnPtr conn);
  enum class Wait { kRead, kWrite, kReadOrWrite };
  boost::asio::awaitable<Status> WaitSocket(Wait what, Deadline deadline);
  // Adds `statements` and a Sync to the pipeline; slots_ says what each result will answer.
  // `may_prepare` false: named statements only where settled (RunCalls), no DEALLOCATE.
  Status Send(const std::vector<Statement>& statements, bool may_prepare = true);
  // The slot of slots_ that answers statement `statement`.
  size_t SlotOf(size_t statement) const;
  // Finishes sending the pipeline; `flushed` is what the first PQflush returned.
  boost::asio::awaitable<Status> Flush(int flushed, Deadline deadline);
  struct Stream {  // the streamed statement: its index for Run, its slot (slots_) for ReadUntilSync
    size_t statement = 0;
    RowSink* sink = nullptr;
  };
  boost::asio::awaitable<Result<std::vector<Rows>>> Run(const std::vector<Statement>& statements, Stream stream,
                                                        Deadline deadline);
  Status ReadInput(const Status& waited, size_t* whole = nullptr);
  boost::asio::awaitable<Status> ReadUntilSync(std::vector<Rows>& results, Stream stream, Deadline deadline);
  void SettlePreparedStatements(const std::vector<Statement>& statements, const std::optional<Error>& failure);
  void AttachSocket();
  void ForgetSocket();
  Error Fail(ErrorKind kind, std::string log_reason);
  Error FailConnect(ErrorKind kind, std::string reason);

  PgConnPtr conn_;  // destroyed last: the socket is released from Asio before libpq closes it
  boost::asio::posix::stream_descriptor socket_;
  SocketDeadline socket_deadline_;  // after socket_: it cancels waits on it
  std::shared_ptr<pg_cancel> cancel_;
  ConnectionState state_ = ConnectionState::kConnecting;
  // The pool's bookkeeping (pool.max_lifetime_ms, pool.idle_timeout_ms): when the connection was
  // opened, and when it last went back to the idle list.
  Clock::time_point opened_at_ = Clock::now();
  Clock::time_point idle_since_{};

  // What each result of the pipeline in flight answers, in order (Send fills it): one of the
  // caller's statements, or the cache's own Parse or DEALLOCATE.
  struct PipelineSlot {
    enum class Kind { kStatement, kPrepare, kDeallocate } kind;
    size_t statement = 0;  // kStatement, kPrepare: index in the caller's list
    std::string name;      // kDeallocate
  };
  std::vector<PipelineSlot> slots_;
  std::vector<const char*> param_values_;  // Send's bind values, kept to spare an allocation per call
  size_t failed_slot_ = 0;  // ReadUntilSync: the slot whose error it returned
  bool answer_read_ = false;  // libpq has read part of the pipeline's answer (Run, RunCalls reset it)
  size_t whole_answers_ = 0;  // answers of the round trip, not read yet, that arrived whole
  std::unique_ptr<StatementCache> prepared_;  // null: statements go unnamed
};

}  // namespace pgmcp::database

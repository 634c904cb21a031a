// Pool: a bounded set of Connections with an acquire deadline (PgBouncer's "wait" vs "run" split)
// and a bounded queue of waiting calls. Each connection's ConnectionState (database/connection.h)
// says which member below holds it. Not thread-safe: every member is used on the pool's executor
// (the server's event loop). Outages: a ConnectBreaker (database/connect_breaker.h) refuses calls
// that need a new connection at once while the database is unreachable.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <list>
#include <memory>
#include <string>

#include "database/cancel_sender.h"
#include "database/connect_breaker.h"
#include "database/connection.h"
#include "database/prepared_statements.h"
#include "database/shared_call.h"
#include "database/statement_cache.h"

namespace pgmcp::database {

struct PoolOptions {
  std::string dsn;
  int min = 2;
  int max = 10;
  std::chrono::milliseconds acquire_timeout{2000};
  std::chrono::milliseconds connect_timeout{5000};
  // Calls that may wait for a connection at once; beyond it a call is refused at once (kBusy).
  int max_waiters = 1000;
  // Named prepared statements (docs/reference.md, pool.prepared_statements), at most
  // statement_cache_size per connection.
  PreparedMode prepared_statements = PreparedMode::kAuto;
  size_t statement_cache_size = 256;
  // The most waiting calls that share one round trip on a connection that frees up
  // (docs/reference.md, pool.calls_per_round_trip; database/shared_call.h); 1: none share.
  int calls_per_round_trip = 4;
  // The role every connection must log in as: the one the privilege audit vouched for. A new
  // connection whose server reports another session_authorization (a PgBouncer `user=` that
  // forces one, a host of a multi-host dsn set up otherwise) is closed, as a failed connect.
  // Empty: not checked.
  std::string login_role;
  // Connections beyond `min` idle this long are closed (pool.idle_timeout_ms), and a connection
  // this old is closed when it is next idle, then replaced as calls need (pool.max_lifetime_ms).
  // Zero: never. Judged by a sweep that Start() begins and Close() ends.
  std::chrono::milliseconds idle_timeout{0};
  std::chrono::milliseconds max_lifetime{0};
};

// How many connections are in each state, and how many calls wait.
struct PoolStats {
  int idle = 0;        // ConnectionState::kIdle, on the idle list
  int busy = 0;        // ConnectionState::kLeased (or handed to a waiter that has not resumed yet)
  int connecting = 0;  // ConnectionState::kConnecting
  int waiting = 0;     // calls waiting for a connection (at most PoolOptions::max_waiters)
  int64_t riders = 0;  // calls that rode along in another call's round trip, since the start

  // Calls go as named prepared statements now (PreparedStatements), and what the connections'
  // statement caches did, summed, since the start.
  bool named_statements = false;
  StatementCacheCounts statements;

  // New connections can be opened (the breaker is closed), and the connection attempts that failed
  // since the start.
  bool reachable = true;
  int64_t connect_failures = 0;
};

class Pool;

// A leased connection. Going out of scope returns it to the pool if it is idle again
// (no transaction open, protocol in sync), else it is dropped and the server told to cancel.
class Lease {
 public:
  Lease() = default;
  Lease(std::shared_ptr<Pool> pool, std::unique_ptr<Connection> conn) : pool_(std::move(pool)), conn_(std::move(conn)) {}
  Lease(Lease&&) noexcept = default;
  Lease& operator=(Lease&& other) noexcept;
  ~Lease();
  Connection* operator->() const { return conn_.get(); }
  Connection& operator*() const { return *conn_; }
  explicit operator bool() const { return conn_ != nullptr; }

 private:
  std::shared_ptr<Pool> pool_;
  std::unique_ptr<Connection> conn_;
};

class Pool : public std::enable_shared_from_this<Pool> {
 public:
  static std::shared_ptr<Pool> Create(boost::asio::any_io_executor executor, PoolOptions options);
  ~Pool();

  // Opens `min` connections in the background.
  void Start();
  // A connection before min(deadline, now + acquire_timeout), else kBusy ("server busy"; at once
  // when max_waiters calls are waiting already), kUnavailable when the database cannot be
  // reached (at once while the breaker is open and no idle connection is left), or kCancelled
  // when the calling coroutine is cancelled while it waits. An idle connection the server closed
  // meanwhile is dropped before anything is sent on it, and the next one tried.
  // With `call`, the call may instead ride along in the round trip of a call queued before it
  // (database/shared_call.h): then the Lease is empty and that call's round trip runs it; or it
  // gets the connection with `call->riders` set, and runs them with itself.
  boost::asio::awaitable<Result<Lease>> Acquire(Deadline deadline, std::shared_ptr<SharedCall> call = nullptr);
  PoolStats stats() const;
  // Whether a call starting now may share a round trip: sharing is on and no connection is idle
  // (a call that finds one idle runs at once, and needs no SharedCall).
  bool MayShareRoundTrip() const { return options_.calls_per_round_trip > 1 && idle_.empty(); }
  // For `conn`, still leased and idle at the end of a shared round trip: the waiting calls that
  // share its next round trip at once (at most calls_per_round_trip, taken from the head of the
  // queue by TakeRiders' rule), or none (also once `conn` is past max_lifetime), and then the
  // Lease returns it as usual. The round trip that ends sends the next one itself, before the
  // calls it answered are resumed: the backend does not wait for their replies to be written.
  std::vector<std::shared_ptr<SharedCall>> TakeNextRoundTrip(Connection& conn);
  // Whether leased connections send named statements, and the fall back from them.
  PreparedStatements& prepared_statements() { return prepared_; }
  // False while the breaker is open: the last connection attempt failed and none succeeded since.
  bool reachable() const { return !breaker_.open(); }
  // Drops idle connections and refuses new leases; leased ones are dropped when returned.
  void Close();

 private:
  friend class Lease;
  struct Waiter {
    boost::asio::steady_timer timer;
    std::unique_ptr<Connection> handed;  // set by Offer when a connection is handed over
    bool woken = false;                  // woken by a freed slot, to open a connection itself
    std::shared_ptr<SharedCall> call;    // set: the call may share a round trip
    bool taken = false;                  // its call rides along in another's round trip
    explicit Waiter(boost::asio::any_io_executor ex) : timer(std::move(ex)) {}
  };

  Pool(boost::asio::any_io_executor executor, PoolOptions options);
  void Release(std::unique_ptr<Connection> conn);
  void Drop(std::unique_ptr<Connection> conn);
  void Offer(std::unique_ptr<Connection> conn);
  void TakeRiders(Waiter& handed);
  // Moves the run of shareable calls at the head of the queue into `calls`, up to `limit` in all.
  void TakeSharingWaiters(std::vector<std::shared_ptr<SharedCall>>& calls, size_t limit);
  void OpenInBackground();
  // Whether `conn` has outlived max_lifetime at `now`.
  bool PastLifetime(const Connection& conn, Clock::time_point now) const;
  // Whether `conn` is to be closed for its age: past its lifetime while the breaker is closed.
  bool Expired(const Connection& conn, Clock::time_point now) const;
  // Whether the idle `conn` idled past idle_timeout with more than min connections open.
  bool IdledOut(const Connection& conn, Clock::time_point now) const;
  // Whether the idle `conn` is one the sweep closes (IdledOut or PastLifetime), the breaker aside.
  bool DueToClose(const Connection& conn, Clock::time_point now) const;
  // Closes the idle connections that idled past idle_timeout (down to min) or outlived
  // max_lifetime, and opens connections up to min again. Runs every SweepInterval().
  void Sweep();
  // Sweep while the breaker is open: closes nothing, and makes the breaker's due attempt when a
  // connection is due or the pool is below min.
  void SweepWhileUnreachable(Clock::time_point now);
  std::chrono::milliseconds SweepInterval() const;
  void StartSweeping();
  boost::asio::awaitable<Result<std::unique_ptr<Connection>>> OpenConnection(Deadline deadline);
  Lease LeaseOut(std::unique_ptr<Connection> conn);
  void WakeOneWaiter();
  void WakeAllWaiters();
  int total() const { return static_cast<int>(idle_.size()) + leased_ + connecting_; }

  boost::asio::any_io_executor executor_;
  PoolOptions options_;
  std::deque<std::unique_ptr<Connection>> idle_;  // kIdle; most recently used at the back
  std::list<Waiter*> waiters_;                     // FIFO of calls waiting for a connection
  int leased_ = 0;                                 // kLeased: held by Leases (or handed to a Waiter)
  int connecting_ = 0;                             // kConnecting: being opened by the pool
  int64_t riders_ = 0;                             // PoolStats::riders
  int64_t connect_failures_ = 0;                   // PoolStats::connect_failures
  bool closed_ = false;
  boost::asio::steady_timer sweep_timer_;
  PreparedStatements prepared_;
  size_t next_first_host_ = 0;  // the host list entry the next new connection tries first
  ConnectBreaker breaker_;
  CancelSender cancels_;  // PQcancel blocks, maybe forever: never on the event loop, never waited for
};

}  // namespace pgmcp::database

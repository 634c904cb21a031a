#include "database/pool.h"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/error_kinds.h"
#include "logging/log.h"

namespace pgmcp::database {
namespace asio = boost::asio;

namespace {

// Why `conn` may not serve: it logged in as another role than the audited `login_role`
// (PoolOptions::login_role). Nothing when it is that role, when nothing is to be checked, or when
// the server does not say.
std::optional<std::string> WrongLoginRole(const Connection& conn, const std::string& login_role) {
  if (login_role.empty()) return std::nullopt;
  auto role = conn.SessionAuthorization();
  if (!role || *role == login_role) return std::nullopt;
  return "the connection logged in as role \"" + *role + "\", not as the audited login role \"" + login_role + "\"";
}

}  // namespace

Lease& Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    if (conn_ && pool_) pool_->Release(std::move(conn_));
    pool_ = std::move(other.pool_);
    conn_ = std::move(other.conn_);
  }
  return *this;
}

Lease::~Lease() {
  if (conn_ && pool_) pool_->Release(std::move(conn_));
}

std::shared_ptr<Pool> Pool::Create(asio::any_io_executor executor, PoolOptions options) {
  return std::shared_ptr<Pool>(new Pool(std::move(executor), std::move(options)));
}

Pool::Pool(asio::any_io_executor executor, PoolOptions options)
    : executor_(std::move(executor)),
      options_(std::move(options)),
      sweep_timer_(executor_),
      prepared_(options_.prepared_statements, options_.statement_cache_size) {}

Pool::~Pool() = default;

void Pool::Start() {
  while (!closed_ && total() < options_.min) OpenInBackground();
  if (options_.idle_timeout.count() > 0 || options_.max_lifetime.count() > 0) StartSweeping();
}

// A quarter of the shorter of the two limits, between 50 ms and 30 s: a connection is closed at
// most that late.
std::chrono::milliseconds Pool::SweepInterval() const {
  auto shortest = std::chrono::milliseconds::max();
  for (auto limit : {options_.idle_timeout, options_.max_lifetime}) {
    if (limit.count() > 0) shortest = std::min(shortest, limit);
  }
  return std::clamp(shortest / 4, std::chrono::milliseconds(50), std::chrono::milliseconds(30000));
}

void Pool::StartSweeping() {
  sweep_timer_.expires_after(SweepInterval());
  sweep_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    auto self = weak.lock();
    if (ec || !self || self->closed_) return;
    self->Sweep();
    self->StartSweeping();
  });
}

bool Pool::PastLifetime(const Connection& conn, Clock::time_point now) const {
  return options_.max_lifetime.count() > 0 && now - conn.opened_at_ >= options_.max_lifetime;
}

// While the breaker is open no connection is closed for its age: the database refuses new ones,
// and those still open are all the calls have.
bool Pool::Expired(const Connection& conn, Clock::time_point now) const {
  return PastLifetime(conn, now) && !breaker_.open();
}

bool Pool::IdledOut(const Connection& conn, Clock::time_point now) const {
  return options_.idle_timeout.count() > 0 && now - conn.idle_since_ >= options_.idle_timeout &&
         total() > options_.min;
}

bool Pool::DueToClose(const Connection& conn, Clock::time_point now) const {
  return IdledOut(conn, now) || PastLifetime(conn, now);
}

void Pool::Sweep() {
  const auto now = Clock::now();
  if (breaker_.open()) {
    SweepWhileUnreachable(now);
    return;
  }
  size_t closed = 0;
  // Least recently used first: the idle list's front.
  for (auto it = idle_.begin(); it != idle_.end();) {
    if (DueToClose(**it, now)) {
      it = idle_.erase(it);  // idle: nothing to cancel, libpq says goodbye
      ++closed;
    } else {
      ++it;
    }
  }
  if (closed > 0) logging::Debug("pool_sweep", {{"closed", static_cast<int64_t>(closed)}});
  // Back up to min (after closing expired ones, or after an outage took them).
  while (!closed_ && total() < options_.min) OpenInBackground();
}

// The database refuses new connections (a login that fails, max_connections reached, an
// authentication server down) while the connections still open work: none of them is closed for
// its age or idleness, or calls would be left with fewer. What is due then waits for a connect to
// succeed: when the breaker's step is due, the sweep makes that step's attempt itself (calls make
// it only when they need a connection), and once it succeeds the next sweep closes what is due.
// A pool below min makes the attempt too, to refill once the database is back. There is always
// room for it: the breaker opened at a failed attempt, which freed its slot, and only a successful
// one, which closes it, adds a connection.
void Pool::SweepWhileUnreachable(Clock::time_point now) {
  if (closed_ || connecting_ > 0 || total() >= options_.max || !breaker_.probe_due(now)) return;
  const bool due =
      std::any_of(idle_.begin(), idle_.end(), [&](const auto& conn) { return DueToClose(*conn, now); });
  if (due || total() < options_.min) OpenInBackground();
}

void Pool::OpenInBackground() {
  ++connecting_;  // counted from now: a call arriving before the coroutine runs must see the slot taken
  auto self = shared_from_this();
  asio::co_spawn(
      executor_,
      [self]() -> asio::awaitable<void> {
        // Named first: g++ 12 destroys temporaries of a co_await full-expression twice.
        auto open = self->OpenConnection(Clock::now() + self->options_.connect_timeout);
        auto r = co_await std::move(open);
        if (r) self->Offer(std::move(r.value()));
      },
      asio::detached);
}

// The one way the pool opens a connection, in a slot the caller counted in connecting_ (released
// here, whatever the outcome). While the breaker is open it fails at once, except for the one
// attempt per backoff step the breaker lets through; every outcome is reported to the breaker,
// which logs the outage's start and end.
asio::awaitable<Result<std::unique_ptr<Connection>>> Pool::OpenConnection(Deadline deadline) {
  // Runs however this coroutine ends, even destroyed mid-connect (its HTTP exchange went away):
  // the slot is freed, and a probe without an answer lets the next call try instead of leaving
  // the breaker waiting for it forever.
  struct Attempt {
    Pool& pool;
    bool probe = false;
    bool reported = false;
    ~Attempt() {
      --pool.connecting_;
      if (probe && !reported) pool.breaker_.Abandoned();
    }
  } attempt{*this};
  const auto verdict = breaker_.Admit(Clock::now());
  if (verdict == ConnectBreaker::Verdict::kRefuse) {
    co_return MakeError(ErrorKind::kUnavailable, std::string(Describe(ErrorKind::kUnavailable).client_sentence),
                        "breaker open");
  }
  attempt.probe = verdict == ConnectBreaker::Verdict::kProbe;
  // Each new connection starts at the next host of a multi-host dsn (spread; a dead host is
  // skipped by libpq and its broken connections are dropped on return).
  auto connect =
      Connection::Connect(options_.dsn, std::min(deadline, Clock::now() + options_.connect_timeout), next_first_host_++);
  auto r = co_await std::move(connect);
  if (r) {
    if (auto wrong = WrongLoginRole(**r, options_.login_role)) {
      logging::Debug("db_connect_failed", {{"reason", *wrong}});
      r = MakeError(ErrorKind::kUnavailable, std::string(Describe(ErrorKind::kUnavailable).client_sentence), *wrong);
    }
  }
  if (r) {
    attempt.reported = true;
    breaker_.Succeeded(Clock::now());
  } else if (r.error().kind != ErrorKind::kCancelled) {
    attempt.reported = true;
    ++connect_failures_;
    const bool was_open = breaker_.open();
    breaker_.Failed(r.error().code, attempt.probe, Clock::now());
    // Calls queued behind a full pool would wait for a slot only to be refused: refuse them now.
    if (!was_open) WakeAllWaiters();
  }
  co_return r;
}

Lease Pool::LeaseOut(std::unique_ptr<Connection> conn) {
  conn->state_ = ConnectionState::kLeased;
  ++leased_;
  prepared_.Apply(*conn);
  return Lease(shared_from_this(), std::move(conn));
}

asio::awaitable<Result<Lease>> Pool::Acquire(Deadline deadline, std::shared_ptr<SharedCall> call) {
  deadline = std::min(deadline, Clock::now() + options_.acquire_timeout);
  auto self = shared_from_this();
  while (true) {
    if (closed_) co_return MakeError(ErrorKind::kUnavailable, "The server is shutting down.");
    while (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      // Closed by the server while pooled (restart, pg_terminate_backend): dropped before anything
      // is sent, so taking the next one cannot run the call twice (docs/decisions.md, "Outages").
      if (!conn->StillConnected()) {
        logging::Debug("pool_drop", {{"reason", "closed by the server while idle"}});
        continue;
      }
      co_return LeaseOut(std::move(conn));
    }
    if (total() < options_.max) {
      ++connecting_;
      auto open = OpenConnection(deadline);
      auto r = co_await std::move(open);
      if (!r) co_return r.error();
      co_return LeaseOut(std::move(r.value()));
    }
    // Full. Waiting is bounded too: past max_waiters a queue only adds latency to a refusal.
    if (static_cast<int>(waiters_.size()) >= options_.max_waiters) {
      co_return MakeError(ErrorKind::kBusy, "The server is busy: too many calls are waiting for a database "
                                            "connection; try again.");
    }
    Waiter waiter(executor_);
    waiter.call = call;
    waiter.timer.expires_at(deadline);
    waiters_.push_back(&waiter);
    auto it = std::prev(waiters_.end());
    auto [ec] = co_await waiter.timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (waiter.handed) {  // Offer handed it over, already counted leased, and dequeued us
      co_return Lease(self, std::move(waiter.handed));
    }
    if (waiter.taken) co_return Lease();  // Offer dequeued us into another call's round trip
    waiters_.erase(it);
    auto cancelled = (co_await asio::this_coro::cancellation_state).cancelled();
    if (cancelled != asio::cancellation_type::none) {
      co_return MakeError(ErrorKind::kCancelled, "The call was cancelled.");
    }
    if (!ec) {
      co_return MakeError(ErrorKind::kBusy, "The server is busy: no database connection became free within " +
                                                std::to_string(options_.acquire_timeout.count()) + " ms; try again.");
    }
    // Woken without a connection: a slot freed up (a connection was dropped); try again.
  }
}

void Pool::Release(std::unique_ptr<Connection> conn) {
  --leased_;
  if (closed_ || !conn->IsIdle() || Expired(*conn, Clock::now())) {
    Drop(std::move(conn));
    WakeOneWaiter();  // a slot is free: the first waiter not yet woken opens a fresh connection
    return;
  }
  conn->state_ = ConnectionState::kIdle;
  Offer(std::move(conn));
}

void Pool::WakeOneWaiter() {
  for (Waiter* w : waiters_) {
    if (!w->woken) {
      w->woken = true;
      w->timer.cancel();
      return;
    }
  }
}

void Pool::WakeAllWaiters() {
  for (Waiter* w : waiters_) {
    if (!w->woken && !w->handed) {
      w->woken = true;
      w->timer.cancel();
    }
  }
}

void Pool::Offer(std::unique_ptr<Connection> conn) {
  if (closed_) return;
  if (!waiters_.empty()) {
    Waiter* w = waiters_.front();
    waiters_.pop_front();
    // Leased from this moment, not from when the waiter resumes: in between, another caller must
    // not see a free slot and open a connection beyond pool.max.
    conn->state_ = ConnectionState::kLeased;
    ++leased_;
    prepared_.Apply(*conn);
    w->handed = std::move(conn);
    w->timer.cancel();
    TakeRiders(*w);
    return;
  }
  conn->idle_since_ = Clock::now();
  idle_.push_back(std::move(conn));
}

// The calls queued right behind a call handed a connection ride along in its round trip, up to
// calls_per_round_trip in all: they would wait for the next connection anyway. Only a run of
// such calls at the head of the queue: a plain Acquire behind them keeps its place.
void Pool::TakeRiders(Waiter& handed) {
  if (!handed.call) return;
  handed.call->riders.clear();
  TakeSharingWaiters(handed.call->riders, static_cast<size_t>(options_.calls_per_round_trip) - 1);
  riders_ += static_cast<int64_t>(handed.call->riders.size());
}

std::vector<std::shared_ptr<SharedCall>> Pool::TakeNextRoundTrip(Connection& conn) {
  std::vector<std::shared_ptr<SharedCall>> calls;
  // A connection past its lifetime takes no more calls, even under a load that never lets it go
  // idle: the round trip ends, Release closes it, and the waiting calls get another.
  if (closed_ || !conn.IsIdle() || Expired(conn, Clock::now())) return calls;
  TakeSharingWaiters(calls, static_cast<size_t>(options_.calls_per_round_trip));
  if (calls.empty()) return calls;
  riders_ += static_cast<int64_t>(calls.size()) - 1;
  prepared_.Apply(conn);  // as Offer does at every hand-over
  return calls;
}

void Pool::TakeSharingWaiters(std::vector<std::shared_ptr<SharedCall>>& calls, size_t limit) {
  while (!waiters_.empty() && calls.size() < limit) {
    Waiter* w = waiters_.front();
    if (!w->call || w->woken) break;
    waiters_.pop_front();
    w->taken = true;
    w->timer.cancel();
    calls.push_back(w->call);
  }
}

void Pool::Drop(std::unique_ptr<Connection> conn) {
  if (conn->IsIdle()) return;  // healthy, only the pool is closing: just close it
  // It may still be running a query: ask the server to cancel it, off the event loop.
  if (auto cancel = conn->CancelRequest(); cancel && !cancels_.Send(std::move(cancel))) {
    logging::Debug("cancel_skipped", {{"reason", "earlier cancel requests still unanswered"}});
  }
  logging::Debug("pool_drop", {{"reason", "connection not idle after call"}});
}

PoolStats Pool::stats() const {
  return PoolStats{.idle = static_cast<int>(idle_.size()),
                   .busy = leased_,
                   .connecting = connecting_,
                   .waiting = static_cast<int>(waiters_.size()),
                   .riders = riders_,
                   .named_statements = prepared_.named(),
                   .statements = prepared_.counts(),
                   .reachable = !breaker_.open(),
                   .connect_failures = connect_failures_};
}

void Pool::Close() {
  closed_ = true;
  sweep_timer_.cancel();
  idle_.clear();
  for (Waiter* w : waiters_) w->timer.cancel();
}

}  // namespace pgmcp::database

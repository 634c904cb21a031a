#include "database/read_only_call.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace pgmcp::database {
namespace asio = boost::asio;

std::vector<Statement> EnvelopeStatements(const Envelope& e, Statement select) {
  std::vector<Statement> out;
  out.reserve(2);
  // No BEGIN and no COMMIT: the statements of a pipeline run in one transaction, which the Sync at
  // its end commits (or, after a failure, rolls back), so the call is one transaction in two
  // statements instead of four (docs/decisions.md, "The envelope's transaction is the pipeline's").
  // The first setting makes it read-only before the SELECT runs, as BEGIN READ ONLY did.
  // Everything is transaction-scoped (is_local = true): nothing survives the Sync, so a pooled
  // connection carries no state to the next call, and PgBouncer transaction pooling stays safe.
  // search_path is pinned (docs/security.md, "Name resolution is pinned"): no operator, function
  // or type planted in another schema is visible to the call. pg_temp is listed last so that it
  // is not searched first implicitly; the set_config calls name their schema because they run
  // before the path is pinned. Every setting that changes how a value is written as text is
  // pinned too, whatever the role or database defaults say: the encoder reads that text.
  // The outer SELECT has no columns: nobody reads the values set_config returns (the claims among
  // them), so the server does not send them nor libpq parse them. The calls still run, once each:
  // PostgreSQL neither flattens a subquery with volatile functions in its list nor drops them.
  static const std::string kSettingsList =
      "pg_catalog.set_config('transaction_read_only', 'on', true), "
      "pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true), "
      "pg_catalog.set_config('request.jwt.claims', $1, true), pg_catalog.set_config('statement_timeout', $2, true), "
      "pg_catalog.set_config('TimeZone', $3, true), pg_catalog.set_config('DateStyle', 'ISO, YMD', true), "
      "pg_catalog.set_config('IntervalStyle', 'iso_8601', true), "
      "pg_catalog.set_config('extra_float_digits', '1', true), pg_catalog.set_config('bytea_output', 'hex', true)";
  auto no_columns = [](const std::string& calls) { return "SELECT FROM (SELECT " + calls + ") AS settings"; };
  static const std::string kSettings = no_columns(kSettingsList);
  static const std::string kSettingsAndRole = no_columns(kSettingsList + ", pg_catalog.set_config('role', $4, true)");
  std::vector<std::optional<std::string>> params;
  params.reserve(4);
  params.emplace_back(e.claims_json);
  params.emplace_back(std::to_string(e.statement_timeout_ms));
  params.emplace_back(e.timezone);
  if (!e.role.empty()) params.emplace_back(e.role);
  const std::string& set = e.role.empty() ? kSettings : kSettingsAndRole;
  out.push_back(Statement{set, std::move(params)});
  out.push_back(std::move(select));
  return out;
}

namespace {

Statement ExplainOf(const Statement& select) { return Statement{"EXPLAIN (FORMAT JSON) " + select.sql, select.params}; }

Statement Begin() { return Statement{"BEGIN READ ONLY", {}}; }
Statement Commit() { return Statement{"COMMIT", {}}; }
Statement Rollback() { return Statement{"ROLLBACK", {}, /*named=*/false}; }

// Where a pipeline's SELECT sends its rows: into the returned list (sink null), or to the sink.
struct RowsTo {
  size_t statement = 0;
  RowSink* sink = nullptr;
};

// Where EnvelopeStatements puts the SELECT: after the settings.
constexpr size_t kSelect = 1;
// Where PlanningStatements puts the EXPLAIN: after BEGIN and the settings.
constexpr size_t kExplain = 2;

// Runs `statements` in one pipeline; after a failure inside the transaction, rolls back so the
// connection is idle again (if even that fails, the Lease drops the connection). `statements`
// must outlive the run: the callers name them in their own frame, never a temporary.
asio::awaitable<Result<std::vector<Rows>>> RunOrRollBack(Connection& conn, const std::vector<Statement>& statements,
                                                         Deadline deadline, RowsTo rows_to = {}) {
  auto run = rows_to.sink != nullptr ? conn.RunPipeline(statements, rows_to.statement, *rows_to.sink, deadline)
                                     : conn.RunPipeline(statements, deadline);
  auto results = co_await std::move(run);
  if (!results && conn.InTransaction()) {
    const std::vector<Statement> rollback{Rollback()};
    auto rb = co_await conn.RunPipeline(rollback, Clock::now() + kTimeoutGrace);
    (void)rb;
  }
  co_return std::move(results);
}

// How long a call may take once sent: its statement timeout, then the grace period.
Clock::duration CallBudget(const Envelope& envelope) {
  return std::chrono::milliseconds(envelope.statement_timeout_ms) + kTimeoutGrace;
}

Deadline CallDeadline(const Envelope& envelope) { return Clock::now() + CallBudget(envelope); }

// BEGIN, the settings and EXPLAIN of the SELECT of `envelope` (EnvelopeStatements): the cost
// guard's first round trip. Its transaction must outlive the pipeline, so it is explicit, and the
// caller ends it: the SELECT and COMMIT, or ROLLBACK.
std::vector<Statement> PlanningStatements(const std::vector<Statement>& envelope) {
  return {Begin(), envelope[0], ExplainOf(envelope[kSelect])};
}

Result<PlanEstimate> EstimateOf(const Rows& explained) {
  if (explained.row_count() != 1) return ParsePlanEstimate("");
  return ParsePlanEstimate(explained[0].Text("QUERY PLAN"));
}

// Runs `body` (the call's round trips on `conn`) and, when it failed because a transaction-mode
// pooler lost a named statement and the pool falls back to unnamed ones, once more: every call
// is read-only and rolled back on failure, so running it again is safe — as long as `may_repeat`
// says no row of the first run reached the caller.
template <typename T, typename Body, typename MayRepeat>
asio::awaitable<Result<T>> WithUnnamedFallback(Pool& pool, Connection& conn, Body body, MayRepeat may_repeat) {
  auto first_run = body();
  auto first = co_await std::move(first_run);
  if (first || !may_repeat() || !pool.prepared_statements().FallBack(first.error(), conn)) co_return first;
  auto second_run = body();
  co_return co_await std::move(second_run);
}

template <typename T, typename Body>
asio::awaitable<Result<T>> WithUnnamedFallback(Pool& pool, Connection& conn, Body body) {
  return WithUnnamedFallback<T>(pool, conn, std::move(body), [] { return true; });
}

// The On functions run one call's envelope (EnvelopeStatements, made once per call and kept
// for a second run by WithUnnamedFallback) on a leased connection.
asio::awaitable<Result<Rows>> RunOn(Connection& conn, const Envelope& envelope,
                                    const std::vector<Statement>& statements) {
  auto run = RunOrRollBack(conn, statements, CallDeadline(envelope));
  auto results = co_await std::move(run);
  if (!results) co_return results.error();
  co_return std::move(results.value()[kSelect]);
}

asio::awaitable<Result<GuardedRun>> RunWithinCostOn(Connection& conn, const Envelope& envelope,
                                                    const std::vector<Statement>& statements, double max_cost,
                                                    RowSink& sink) {
  auto deadline = CallDeadline(envelope);
  GuardedRun out;
  if (max_cost <= 0) {  // the guard is off: one round trip
    auto run = RunOrRollBack(conn, statements, deadline, {kSelect, &sink});
    auto results = co_await std::move(run);
    if (!results) co_return results.error();
    out.ran = true;
    co_return out;
  }
  const std::vector<Statement> planning = PlanningStatements(statements);
  auto plan_run = RunOrRollBack(conn, planning, deadline);
  auto planned = co_await std::move(plan_run);
  if (!planned) co_return planned.error();
  auto estimate = EstimateOf(planned.value()[kExplain]);
  const bool over = !estimate || estimate->total_cost > max_cost;
  if (estimate) out.plan = *estimate;
  std::vector<Statement> rest;
  if (over) {
    rest.push_back(Rollback());
  } else {
    rest.push_back(statements[kSelect]);
    rest.push_back(Commit());
  }
  auto finish = RunOrRollBack(conn, rest, deadline, over ? RowsTo{} : RowsTo{0, &sink});
  auto finished = co_await std::move(finish);
  if (!finished) co_return finished.error();
  if (!estimate) co_return estimate.error();
  out.ran = !over;
  co_return out;
}

asio::awaitable<Result<std::string>> ExplainOn(Connection& conn, const Envelope& envelope,
                                               const std::vector<Statement>& statements) {
  std::vector<Statement> explain = PlanningStatements(statements);
  explain.push_back(Rollback());
  auto run = RunOrRollBack(conn, explain, CallDeadline(envelope));
  auto results = co_await std::move(run);
  if (!results) co_return results.error();
  const Rows& explained = results.value()[kExplain];
  if (explained.row_count() != 1) co_return MakeError(ErrorKind::kInternal, "The database returned no query plan.");
  co_return explained[0].Text("QUERY PLAN");
}

// Runs `round_trip->calls` in one round trip on `conn` (Connection::RunCalls) and wakes each as it
// ends; then, while calls wait for a connection, the next of them on the same connection
// (Pool::TakeNextRoundTrip), sent before the calls just answered resume to write their replies.
// A call that failed because a transaction-mode pooler lost its named statement runs once more,
// unnamed, when no row of it reached its caller (WithUnnamedFallback's rule). Spawned with
// `round_trip->stop` as its cancellation slot: no one caller's cancellation ends the round trip
// the others share, but once every caller still waiting has given up it ends, and the Lease drops
// the connection (its server told to cancel).
asio::awaitable<void> RunShared(std::shared_ptr<Pool> pool, Lease conn, std::shared_ptr<SharedRoundTrip> round_trip) {
  // However the coroutine ends, no call points at the round trip any more (a call that finishes
  // stops pointing at it itself).
  struct Unlink {
    SharedRoundTrip& round_trip;
    ~Unlink() {
      for (auto& call : round_trip.calls) call->round_trip = nullptr;
    }
  } unlink{*round_trip};
  auto& calls = round_trip->calls;
  while (!calls.empty()) {
    for (auto& call : calls) call->round_trip = round_trip.get();
    for (bool first_run = true; !calls.empty(); first_run = false) {
      std::vector<Connection::PipelinedCall*> pipelined;
      pipelined.reserve(calls.size());
      // The connection's deadline is the longest budget: a call that waits behind a slow one in
      // the same round trip is bounded by its own caller's wait (SharedCall), not by this.
      Deadline deadline = Clock::now();
      for (auto& call : calls) {
        pipelined.push_back(&call->pipelined());
        deadline = std::max(deadline, Clock::now() + call->budget());
      }
      std::vector<std::shared_ptr<SharedCall>> again;
      auto run = conn->RunCalls(pipelined, deadline, [&](size_t i) {
        const Status& result = calls[i]->pipelined().result;
        if (first_run && !result && IsPoolerStatementError(result.error()) && calls[i]->sink().untouched()) {
          again.push_back(calls[i]);  // decided once the connection is idle again
        } else {
          calls[i]->Finish();
        }
      });
      co_await std::move(run);
      if (!again.empty() && !pool->prepared_statements().FallBack(again.front()->pipelined().result.error(), *conn)) {
        for (auto& call : again) call->Finish();
        again.clear();
      }
      calls = std::move(again);
    }
    // Stopped (every caller gave up): the connection is not idle, and the Lease drops it.
    if ((co_await asio::this_coro::cancellation_state).cancelled() != asio::cancellation_type::none) break;
    calls = pool->TakeNextRoundTrip(*conn);
  }
}

// Starts the round trip of `leader`, the call handed `conn`, and of the calls riding along with it.
void StartSharedRoundTrip(Pool& pool, const asio::any_io_executor& executor, Lease conn,
                          const std::shared_ptr<SharedCall>& leader) {
  auto round_trip = std::make_shared<SharedRoundTrip>();
  round_trip->calls.push_back(leader);
  round_trip->calls.insert(round_trip->calls.end(), leader->riders.begin(), leader->riders.end());
  leader->riders.clear();
  // The handler keeps the signal alive until the coroutine has completed.
  asio::co_spawn(executor, RunShared(pool.shared_from_this(), std::move(conn), round_trip),
                 asio::bind_cancellation_slot(round_trip->stop.slot(), [round_trip](std::exception_ptr) {}));
}

}  // namespace

asio::awaitable<Result<Rows>> RunReadOnly(Pool& pool, Envelope envelope, Statement select,
                                          Deadline acquire_deadline) {
  auto lease = co_await pool.Acquire(acquire_deadline);
  if (!lease) co_return lease.error();
  Lease conn = std::move(lease.value());
  const std::vector<Statement> statements = EnvelopeStatements(envelope, std::move(select));
  // Named first: g++ 12 destroys temporaries of a co_await full-expression twice.
  auto run = WithUnnamedFallback<Rows>(pool, *conn, [&] { return RunOn(*conn, envelope, statements); });
  co_return co_await std::move(run);
}

asio::awaitable<Result<GuardedRun>> RunReadOnlyWithinCost(Pool& pool, Envelope envelope, Statement select,
                                                          double max_cost, RowSink& sink, Deadline acquire_deadline) {
  // Without the cost guard the call is one round trip, which it may share with other waiting
  // calls (database/shared_call.h) when it has to wait; with it, its transaction spans two and it
  // runs alone.
  // (Nothing with a destructor is made inside a co_await full-expression: g++ 12 destroys such
  // temporaries twice.)
  const auto executor = co_await asio::this_coro::executor;
  std::shared_ptr<SharedCall> call;
  std::vector<Statement> own_statements;
  if (max_cost <= 0 && pool.MayShareRoundTrip()) {
    call = std::make_shared<SharedCall>(executor, EnvelopeStatements(envelope, std::move(select)), kSelect, sink,
                                        CallBudget(envelope), acquire_deadline + CallBudget(envelope));
  } else {
    own_statements = EnvelopeStatements(envelope, std::move(select));
  }
  auto lease = co_await pool.Acquire(acquire_deadline, call);
  if (!lease) co_return lease.error();
  Lease conn = std::move(lease.value());
  if (call && (!conn || !call->riders.empty())) {  // a shared round trip
    if (conn) StartSharedRoundTrip(pool, executor, std::move(conn), call);
    // Waited for here, not in a child coroutine: that would throw once this one is cancelled.
    auto cancelled = (co_await asio::this_coro::cancellation_state).cancelled() != asio::cancellation_type::none;
    if (!cancelled && !call->finished()) {
      auto [ec] = co_await call->woken().async_wait(asio::as_tuple(asio::use_awaitable));
      (void)ec;  // Finish, the deadline or the caller's cancellation
      cancelled = (co_await asio::this_coro::cancellation_state).cancelled() != asio::cancellation_type::none;
    }
    auto finished = call->Outcome(cancelled);
    if (!finished) co_return finished.error();
    GuardedRun out;
    out.ran = true;
    co_return out;
  }
  std::optional<WatchedSink> own;
  WatchedSink& watched = call ? call->sink() : own.emplace(sink);
  const std::vector<Statement>& statements = call ? call->statements() : own_statements;
  auto run = WithUnnamedFallback<GuardedRun>(
      pool, *conn, [&] { return RunWithinCostOn(*conn, envelope, statements, max_cost, watched); },
      [&] { return watched.untouched(); });
  co_return co_await std::move(run);
}

asio::awaitable<Result<std::string>> ExplainReadOnly(Pool& pool, Envelope envelope, Statement select,
                                                     Deadline acquire_deadline) {
  auto lease = co_await pool.Acquire(acquire_deadline);
  if (!lease) co_return lease.error();
  Lease conn = std::move(lease.value());
  const std::vector<Statement> statements = EnvelopeStatements(envelope, std::move(select));
  auto run = WithUnnamedFallback<std::string>(pool, *conn, [&] { return ExplainOn(*conn, envelope, statements); });
  co_return co_await std::move(run);
}

}  // namespace pgmcp::database

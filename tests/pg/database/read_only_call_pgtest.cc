// The pool and the transaction envelope against a real PostgreSQL: results, failures that leave
// the connection clean, server-side statement timeouts, and no state carried between calls.
#include <gtest/gtest.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <algorithm>
#include <future>
#include <optional>

#include "database/read_only_call.h"
#include "support/run_to_completion.h"
#include "support/test_database.h"

namespace pgmcp::database {
namespace {
namespace asio = boost::asio;

class ReadOnlyCallTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_.Exec(
        "CREATE TABLE t (id int PRIMARY KEY, name text);"
        "INSERT INTO t SELECT g, 'n' || g FROM generate_series(1, 10) g;"
        "CREATE ROLE reader_" + db_.name() + " NOLOGIN; GRANT SELECT ON t TO reader_" + db_.name() + ";");
  }
  void TearDown() override { db_.Exec("DROP OWNED BY reader_" + db_.name() + "; DROP ROLE reader_" + db_.name()); }

  std::shared_ptr<Pool> MakePool(int max = 2, int max_waiters = 1000,
                                 std::chrono::milliseconds acquire_timeout = std::chrono::milliseconds(300)) {
    PoolOptions o;
    o.dsn = db_.Dsn();
    o.min = 0;
    o.max = max;
    o.max_waiters = max_waiters;
    o.acquire_timeout = acquire_timeout;
    return Pool::Create(io_.get_executor(), o);
  }

  template <typename T>
  T Run(asio::awaitable<T> a) {
    return pgmcp::testing::RunToCompletion(io_, std::move(a));
  }

  Result<Rows> Call(Pool& pool, Envelope env, std::string sql, std::vector<std::optional<std::string>> params = {}) {
    return Run(RunReadOnly(pool, env, Statement{std::move(sql), std::move(params)}, Clock::now() + std::chrono::seconds(5)));
  }

  testing::TestDatabase db_;
  asio::io_context io_;
};

// A RowSink that keeps the first column of each row, and wants `capacity` rows at most.
class CollectingSink : public RowSink {
 public:
  explicit CollectingSink(size_t capacity) : capacity_(capacity) {}
  bool Add(const Rows& rows, int row) override {
    ++calls;
    most_rows_held = std::max(most_rows_held, rows.row_count());
    EXPECT_EQ(rows.column_name(0), "i");
    values.emplace_back(rows.Value(row, 0));
    return values.size() < capacity_;
  }
  std::vector<std::string> values;
  int calls = 0;
  int most_rows_held = 0;  // the most rows one Add's `rows` held

 private:
  size_t capacity_;
};

// The call's rows go to the sink as they arrive; once it is full the rest are read and dropped,
// the transaction commits and the connection goes back to the pool idle.
TEST_F(ReadOnlyCallTest, StreamedRowsStopWhenTheSinkIsFullAndTheConnectionIsIdleAgain) {
  auto pool = MakePool(1);
  CollectingSink sink(3);
  auto r = Run(RunReadOnlyWithinCost(*pool, {}, Statement{"SELECT i FROM pg_catalog.generate_series(1, 100000) AS i", {}},
                                     0, sink, Clock::now() + std::chrono::seconds(5)));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->ran);
  EXPECT_EQ(sink.values, (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_EQ(sink.calls, 3) << "no row after the sink said it was full";
  EXPECT_EQ(pool->stats().idle, 1);
  auto next = Call(*pool, {}, "SELECT 7");
  ASSERT_TRUE(next.ok()) << next.error().message;
  EXPECT_EQ(next->Value(0, 0), "7");
}

// Single-row mode, seen from outside: rows the server sent before the statement failed reach the
// sink one by one (a whole-result read would have dropped them with the error). The call still
// fails, and the connection is clean. (The answer, about 100 KB, is over the whole-read limit.)
TEST_F(ReadOnlyCallTest, StreamedRowsArriveOneAtATimeBeforeTheStatementEnds) {
  auto pool = MakePool(1);
  CollectingSink sink(1000000);
  auto r = Run(RunReadOnlyWithinCost(
      *pool, {},
      Statement{"SELECT i, 1 / (5000 - i) AS boom FROM pg_catalog.generate_series(1, 5000) AS i", {}},
      0, sink, Clock::now() + std::chrono::seconds(5)));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "22012");
  EXPECT_GT(sink.calls, 0) << "rows before the failure were handed over as they came";
  EXPECT_LT(sink.calls, 5000);
  EXPECT_EQ(pool->stats().idle, 1);
}

// The memory bound (docs/security.md, "Bounded memory"): an answer over the whole-read limit
// (database/answer_peek.h, 32 KiB; this one is about 120 KB) is read one row at a time.
TEST_F(ReadOnlyCallTest, AnAnswerOverTheWholeReadLimitIsReadOneRowAtATime) {
  auto pool = MakePool(1);
  CollectingSink sink(1000000);
  auto r = Run(RunReadOnlyWithinCost(
      *pool, {}, Statement{"SELECT i, pg_catalog.repeat('x', 100) AS pad FROM pg_catalog.generate_series(1, 1000) AS i", {}},
      0, sink, Clock::now() + std::chrono::seconds(5)));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(sink.calls, 1000);
  EXPECT_EQ(sink.most_rows_held, 1);
}

// A small answer that has arrived whole is read whole (docs/decisions.md, "Small answers are read
// whole"): the sink gets the same rows, in order, from one result.
TEST_F(ReadOnlyCallTest, ASmallAnswerThatArrivedWholeIsReadWhole) {
  auto pool = MakePool(1);
  CollectingSink sink(1000);
  auto r = Run(RunReadOnlyWithinCost(*pool, {}, Statement{"SELECT i FROM pg_catalog.generate_series(1, 10) AS i", {}},
                                     0, sink, Clock::now() + std::chrono::seconds(5)));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(sink.values, (std::vector<std::string>{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}));
  EXPECT_EQ(sink.most_rows_held, 10);
  EXPECT_EQ(pool->stats().idle, 1);
}

// With the cost guard on, the SELECT (second round trip) streams the same way.
TEST_F(ReadOnlyCallTest, StreamedRowsUnderTheCostGuard) {
  auto pool = MakePool(1);
  CollectingSink sink(2);
  auto r = Run(RunReadOnlyWithinCost(*pool, {}, Statement{"SELECT i FROM pg_catalog.generate_series(1, 10) AS i", {}},
                                     1e9, sink, Clock::now() + std::chrono::seconds(5)));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->ran);
  EXPECT_EQ(sink.values, (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(pool->stats().idle, 1);
}

TEST_F(ReadOnlyCallTest, ReturnsRowsOfTheSelect) {
  auto pool = MakePool();
  auto r = Call(*pool, {}, "SELECT id, name FROM public.t WHERE id = $1::int", {"3"});
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->row_count(), 1);
  EXPECT_EQ(r->Value(0, 1), "n3");
}

// Name resolution is pinned for the call (docs/security.md): only pg_catalog (and pg_temp, last)
// is on the path, so an unqualified table is not found, and the session's own path is back after.
TEST_F(ReadOnlyCallTest, SearchPathIsPinnedForTheCallOnly) {
  auto pool = MakePool();
  auto r = Call(*pool, {}, "SELECT current_setting('search_path')");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->Value(0, 0), "pg_catalog, pg_temp");
  auto unqualified = Call(*pool, {}, "SELECT count(*) FROM t");
  ASSERT_FALSE(unqualified.ok());
  EXPECT_EQ(unqualified.error().code, "42P01");
  auto plain = Run([](Pool& p) -> asio::awaitable<std::string> {
    auto lease = co_await p.Acquire(Clock::now() + std::chrono::seconds(5));
    if (!lease) co_return "<no connection>";
    std::vector<Statement> probe(1);
    probe[0].sql = "SELECT current_setting('search_path')";
    auto rows = co_await lease.value()->RunPipeline(probe, Clock::now() + std::chrono::seconds(5));
    if (!rows) co_return "<probe failed>";
    co_return std::string(rows.value()[0].Value(0, 0));
  }(*pool));
  EXPECT_EQ(plain, "\"$user\", public");
}

// Output formats are the envelope's, not the role's or the database's: the encoder reads bytea as hex
// and dates as ISO, whatever ALTER ROLE ... SET says (a role's setting applies at connection start).
TEST_F(ReadOnlyCallTest, OutputFormatsArePinnedWhateverTheDefaults) {
  db_.Exec("ALTER ROLE postgres IN DATABASE " + db_.name() +
           " SET bytea_output = 'escape'; ALTER DATABASE " + db_.name() + " SET DateStyle = 'SQL, DMY'");
  auto pool = MakePool();
  auto r = Call(*pool, {}, "SELECT '\\x41ff'::bytea::text AS b, DATE '2026-12-04'::text AS d, "
                           "current_setting('bytea_output') AS o");
  db_.Exec("ALTER ROLE postgres IN DATABASE " + db_.name() + " RESET bytea_output");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->Value(0, 0), "\\x41ff");
  EXPECT_EQ(r->Value(0, 1), "2026-12-04");
  EXPECT_EQ(r->Value(0, 2), "hex");
}

TEST_F(ReadOnlyCallTest, TransactionIsReadOnly) {
  auto pool = MakePool();
  // Even SQL that would write (a data-modifying CTE) is refused: the envelope made the transaction
  // read-only before the SELECT.
  auto w = Call(*pool, {}, "WITH d AS (DELETE FROM public.t RETURNING 1) SELECT count(*) FROM d");
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().code, "25006");  // read_only_sql_transaction
  EXPECT_EQ(db_.Scalar("SELECT count(*) FROM t"), "10");
}

TEST_F(ReadOnlyCallTest, FailedQueryLeavesConnectionIdleAndReusable) {
  auto pool = MakePool(1);
  auto bad = Call(*pool, {}, "SELECT 1/0");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, ErrorKind::kInvalidArgument);
  EXPECT_EQ(bad.error().code, "22012");
  EXPECT_EQ(pool->stats().idle, 1) << "the connection went back to the pool, idle";
  auto good = Call(*pool, {}, "SELECT count(*) FROM public.t");
  ASSERT_TRUE(good.ok()) << good.error().message;
  EXPECT_EQ(good->Value(0, 0), "10");
}

// The envelope has no BEGIN or COMMIT: its statements run in the one transaction a pipeline
// opens, and the Sync that ends the pipeline ends it. The next call on the same connection (a pool
// of one keeps only an idle one) starts a new transaction, later than everything of the first.
TEST_F(ReadOnlyCallTest, ACallEndsItsTransactionAndItsConnectionIsReused) {
  auto pool = MakePool(1);
  const std::string sql = "SELECT pg_backend_pid()::text, now()::text, clock_timestamp()::text";
  auto first = Call(*pool, {}, sql);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(pool->stats().idle, 1) << "the connection went back to the pool, idle";
  auto second = Call(*pool, {}, sql);
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(second->Value(0, 0), first->Value(0, 0)) << "the same connection";
  EXPECT_EQ(db_.Scalar("SELECT '" + std::string(second->Value(0, 1)) + "'::timestamptz > '" +
                       std::string(first->Value(0, 2)) + "'::timestamptz"),
            "t")
      << "a new transaction";
}

TEST_F(ReadOnlyCallTest, StatementTimeoutIsEnforcedByTheServer) {
  auto pool = MakePool(1);
  Envelope env;
  env.statement_timeout_ms = 100;
  auto start = Clock::now();
  auto r = Call(*pool, env, "SELECT pg_sleep(5)");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kTimeout);
  EXPECT_EQ(r.error().code, "57014");
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(2));
  auto again = Call(*pool, {}, "SELECT current_setting('statement_timeout')");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->Value(0, 0), "5s");
}

TEST_F(ReadOnlyCallTest, RoleAndClaimsLastOnlyForTheCall) {
  auto pool = MakePool(1);
  Envelope env;
  env.role = "reader_" + db_.name();
  env.claims_json = R"({"sub":"u1","tenant":"a"})";
  auto r = Call(*pool, env, "SELECT current_user, current_setting('request.jwt.claims', true)");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(std::string(r->Value(0, 0)), env.role);
  EXPECT_EQ(r->Value(0, 1), env.claims_json.c_str());

  // The same (only) pooled connection, next call without role or claims: back to the login role.
  auto after = Call(*pool, {}, "SELECT current_user, coalesce(current_setting('request.jwt.claims', true), ''), "
                               "current_setting('transaction_read_only')");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->Value(0, 0), "postgres");
  EXPECT_EQ(after->Value(0, 1), "");
  EXPECT_EQ(after->Value(0, 2), "on");
}

// Every setting of the envelope is in force in the call's SELECT, each to the envelope's value.
// The settings statement returns no columns (its set_config calls sit in a subquery nobody reads):
// this fails if PostgreSQL ever skipped one of them.
TEST_F(ReadOnlyCallTest, EverySettingOfTheEnvelopeIsInForceInTheCall) {
  auto pool = MakePool(1);
  Envelope env;
  env.role = "reader_" + db_.name();
  env.claims_json = R"({"sub":"u2"})";
  env.statement_timeout_ms = 4321;
  env.timezone = "Asia/Kolkata";
  auto r = Call(*pool, env,
                "SELECT current_user, current_setting('request.jwt.claims'), current_setting('statement_timeout'), "
                "current_setting('TimeZone'), current_setting('DateStyle'), current_setting('IntervalStyle'), "
                "current_setting('extra_float_digits'), current_setting('bytea_output'), "
                "current_setting('search_path'), current_setting('transaction_read_only')");
  ASSERT_TRUE(r.ok()) << r.error().message;
  const std::vector<std::string> expected{env.role, env.claims_json, "4321ms", "Asia/Kolkata", "ISO, YMD",
                                          "iso_8601", "1", "hex", "pg_catalog, pg_temp", "on"};
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(std::string(r->Value(0, static_cast<int>(i))), expected[i]) << "column " << i;
  }
}

TEST_F(ReadOnlyCallTest, UnknownRoleIsRefusedAndConnectionStaysClean) {
  auto pool = MakePool(1);
  Envelope env;
  env.role = "no_such_role";
  auto r = Call(*pool, env, "SELECT 1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kPermissionDenied);
  auto after = Call(*pool, {}, "SELECT current_user");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->Value(0, 0), "postgres");
}

TEST_F(ReadOnlyCallTest, PoolExhaustedGivesBusyAfterAcquireTimeout) {
  auto pool = MakePool(1);
  auto r = Run([&]() -> asio::awaitable<std::pair<Status, Status>> {
    auto first = co_await pool->Acquire(Clock::now() + std::chrono::seconds(5));
    if (!first) co_return std::make_pair(Status(first.error()), Status(first.error()));
    auto second = co_await pool->Acquire(Clock::now() + std::chrono::seconds(5));
    co_return std::make_pair(OkStatus(), second ? OkStatus() : Status(second.error()));
  }());
  ASSERT_TRUE(r.first.ok());
  ASSERT_FALSE(r.second.ok());
  EXPECT_EQ(r.second.error().kind, ErrorKind::kBusy);
}

TEST_F(ReadOnlyCallTest, WaiterGetsTheConnectionReturnedByAnotherCall) {
  auto pool = MakePool(1);
  auto fast = asio::co_spawn(io_, RunReadOnly(*pool, {}, Statement{"SELECT pg_sleep(0.05)", {}}, Clock::now() + std::chrono::seconds(5)), asio::use_future);
  auto second = asio::co_spawn(io_, RunReadOnly(*pool, {}, Statement{"SELECT 2", {}}, Clock::now() + std::chrono::seconds(5)), asio::use_future);
  io_.run();
  EXPECT_TRUE(fast.get().ok());
  auto r = second.get();
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->Value(0, 0), "2");
  EXPECT_EQ(pool->stats().idle, 1);
}

TEST_F(ReadOnlyCallTest, UnreachableDatabaseIsUnavailable) {
  PoolOptions o;
  o.dsn = "host=127.0.0.1 port=1 dbname=x connect_timeout=2";
  o.min = 0;
  auto pool = Pool::Create(io_.get_executor(), o);
  auto r = Call(*pool, {}, "SELECT 1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kUnavailable);
}

}  // namespace
}  // namespace pgmcp::database

namespace pgmcp::database {
namespace {

// Regression (found by bench/run: 79 connections with pool.max = 10): a connection handed to a
// waiter was counted busy only when the waiter resumed, so a caller arriving in between saw a
// free slot and opened another connection.
TEST_F(ReadOnlyCallTest, NeverOpensMoreThanPoolMaxUnderContention) {
  auto pool = MakePool(2);
  constexpr int kWorkers = 12, kCallsEach = 15;
  int max_total = 0;
  std::vector<std::future<int>> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.push_back(asio::co_spawn(
        io_,
        [&]() -> asio::awaitable<int> {
          int failures = 0;
          for (int i = 0; i < kCallsEach; ++i) {
            // Each worker asks again as soon as its call is done: the moment the bug needed.
            auto call = RunReadOnly(*pool, {}, Statement{"SELECT 1", {}}, Clock::now() + std::chrono::seconds(10));
            auto r = co_await std::move(call);
            if (!r) ++failures;
            auto st = pool->stats();
            max_total = std::max(max_total, st.idle + st.busy + st.connecting);
          }
          co_return failures;
        },
        asio::use_future));
  }
  io_.run();
  for (auto& w : workers) EXPECT_EQ(w.get(), 0);
  EXPECT_LE(max_total, 2);
  EXPECT_LE(std::stoi(db_.Scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                  "AND application_name = 'pgmcp'")), 2);
}

}  // namespace
}  // namespace pgmcp::database

namespace pgmcp::database {
namespace {

// SQLSTATE class 40: the transaction lost a race, not the pool; the same call may succeed again.
TEST_F(ReadOnlyCallTest, SerializationFailureAndDeadlockAreRetry) {
  auto pool = MakePool(1);
  for (const char* state : {"40001", "40P01"}) {
    auto r = Call(*pool, {}, std::string("DO $$ BEGIN RAISE EXCEPTION 'lost a race' USING ERRCODE = '") + state +
                                 "'; END $$");
    ASSERT_FALSE(r.ok()) << state;
    EXPECT_EQ(r.error().kind, ErrorKind::kRetry) << state;
    EXPECT_EQ(r.error().code, state);
    EXPECT_EQ(r.error().message.find("lost a race"), std::string::npos) << "the server's message stays in logs";
    EXPECT_EQ(pool->stats().idle, 1) << "rolled back and pooled again";
  }
}

// Runs `select` on `pool` and emits a terminal cancellation once `when` says so (checked on every
// turn of the event loop), as a client's notifications/cancelled does.
Result<Rows> CallAndCancel(asio::io_context& io, Pool& pool, std::string select, std::function<bool()> when) {
  asio::cancellation_signal cancel;
  Result<Rows> result;
  bool done = false;
  asio::co_spawn(io, RunReadOnly(pool, {}, Statement{std::move(select), {}}, Clock::now() + std::chrono::seconds(10)),
                 asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr e, Result<Rows> r) {
                   if (e) r = MakeError(ErrorKind::kInternal, "the call threw");
                   result = std::move(r);
                   done = true;
                 }));
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        // A lease is taken and the statement sent in one turn of the loop, so once `when` holds
        // the call is in the state the test wants to cancel it in.
        while (!done && !when()) co_await asio::post(io, asio::use_awaitable);
        if (!done) cancel.emit(asio::cancellation_type::terminal);
      },
      asio::detached);
  io.restart();
  io.run();
  return result;
}

TEST_F(ReadOnlyCallTest, CancelledRunningCallIsCancelledNotTimeout) {
  auto pool = MakePool(1);
  auto start = Clock::now();
  auto r = CallAndCancel(io_, *pool, "SELECT pg_sleep(30)", [&] { return pool->stats().busy == 1; });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kCancelled) << r.error().message;
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(10));
  EXPECT_EQ(pool->stats().idle, 0) << "a connection left mid-query is dropped, not pooled";
  auto after = Call(*pool, {}, "SELECT 1");
  ASSERT_TRUE(after.ok()) << after.error().message;
}

TEST_F(ReadOnlyCallTest, CancelledWaitForAConnectionIsCancelled) {
  auto pool = MakePool(1, 1000, std::chrono::seconds(10));
  std::optional<Lease> held;
  auto first = Run(pool->Acquire(Clock::now() + std::chrono::seconds(5)));
  ASSERT_TRUE(first.ok()) << first.error().message;
  held = std::move(first.value());
  auto r = CallAndCancel(io_, *pool, "SELECT 1", [&] { return pool->stats().waiting == 1; });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kCancelled) << r.error().message;
  EXPECT_EQ(pool->stats().waiting, 0);
}

// pool.max_waiters: with max = 1 and max_waiters = 1, one call holds the connection, one waits
// for it, and a third is refused at once, long before the acquire timeout.
TEST_F(ReadOnlyCallTest, WaitersBeyondMaxWaitersAreBusyAtOnce) {
  auto pool = MakePool(1, 1, std::chrono::seconds(10));
  std::optional<Lease> held;
  PoolStats while_waiting;
  Status second = MakeError(ErrorKind::kInternal, "not run");
  Status third = OkStatus();
  Clock::duration third_took{};
  asio::co_spawn(
      io_,
      [&]() -> asio::awaitable<void> {
        auto first = co_await pool->Acquire(Clock::now() + std::chrono::seconds(5));
        if (!first) co_return;
        held = std::move(first.value());
        asio::co_spawn(
            io_,
            [&]() -> asio::awaitable<void> {
              auto lease = co_await pool->Acquire(Clock::now() + std::chrono::seconds(5));
              second = lease ? OkStatus() : Status(lease.error());
            },
            asio::detached);
        for (int i = 0; i < 100 && pool->stats().waiting == 0; ++i) co_await asio::post(io_, asio::use_awaitable);
        while_waiting = pool->stats();
        auto start = Clock::now();
        auto lease = co_await pool->Acquire(Clock::now() + std::chrono::seconds(5));
        third_took = Clock::now() - start;
        third = lease ? OkStatus() : Status(lease.error());
        held.reset();  // returned: handed to the waiting call
      },
      asio::detached);
  io_.run();
  EXPECT_EQ(while_waiting.busy, 1);
  EXPECT_EQ(while_waiting.waiting, 1);
  EXPECT_EQ(while_waiting.idle, 0);
  EXPECT_EQ(while_waiting.connecting, 0);
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.error().kind, ErrorKind::kBusy);
  EXPECT_LT(third_took, std::chrono::seconds(1)) << "refused at once, not after the acquire timeout";
  EXPECT_TRUE(second.ok()) << second.error().message;
  auto after = pool->stats();
  EXPECT_EQ(after.idle, 1) << "the waiter's lease went back to the pool";
  EXPECT_EQ(after.busy, 0);
  EXPECT_EQ(after.waiting, 0);
}

}  // namespace
}  // namespace pgmcp::database

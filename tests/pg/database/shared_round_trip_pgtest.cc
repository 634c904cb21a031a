// Waiting calls share a round trip (docs/reference.md, pool.calls_per_round_trip) against a real
// PostgreSQL: on a pool of one connection, calls queued behind a running one go out together, each
// its own transaction between its own Syncs. Each caller's role and claims stay its own, a
// failing call fails alone, a caller that gives up leaves the others their answers, and no call
// depends on a statement another call prepares in the same round trip.
#include <gtest/gtest.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <algorithm>
#include <deque>
#include <functional>
#include <thread>

#include "database/read_only_call.h"
#include "support/first_values_sink.h"
#include "support/run_to_completion.h"
#include "support/test_database.h"

namespace pgmcp::database {
namespace {
namespace asio = boost::asio;
using testing::FirstValues;

// What became of one call.
struct Outcome {
  bool done = false;
  Status status = OkStatus();
  std::vector<std::string> values;
  Clock::time_point ended;
  // How long the caller holds the loop once it resumes (as if writing a large reply), and when
  // it resumed.
  std::chrono::milliseconds hold{0};
  std::chrono::system_clock::time_point resumed;
};

class SharedRoundTripTest : public ::testing::Test {
 protected:
  void SetUp() override {
    reader_ = "reader_" + db_.name();
    db_.Exec("CREATE TABLE docs (id int PRIMARY KEY, tenant text);"
             "INSERT INTO docs SELECT g, CASE WHEN g % 2 = 0 THEN 'a' ELSE 'b' END FROM generate_series(1, 8) g;"
             "ALTER TABLE docs ENABLE ROW LEVEL SECURITY;"
             "CREATE POLICY by_tenant ON docs USING "
             "(tenant = nullif(current_setting('request.jwt.claims', true), '')::json->>'tenant');"
             "CREATE ROLE " + reader_ + " NOLOGIN; GRANT SELECT ON docs TO " + reader_ + ";");
  }
  void TearDown() override {
    if (pool_) {
      pool_->Close();
      io_.restart();
      io_.run();
    }
    db_.Exec("DROP OWNED BY " + reader_ + "; DROP ROLE " + reader_);
  }

  // One connection, so that every call after the first waits for it.
  Pool& MakePool(int calls_per_round_trip = 4, PreparedMode mode = PreparedMode::kOn,
                 std::chrono::milliseconds max_lifetime = {}) {
    PoolOptions o;
    o.max_lifetime = max_lifetime;
    o.dsn = db_.Dsn();
    o.min = 0;
    o.max = 1;
    o.calls_per_round_trip = calls_per_round_trip;
    o.prepared_statements = mode;
    o.acquire_timeout = std::chrono::seconds(10);
    pool_ = Pool::Create(io_.get_executor(), o);
    return *pool_;
  }

  Envelope Tenant(const std::string& tenant) {
    Envelope env;
    env.role = reader_;
    env.claims_json = tenant.empty() ? "" : R"({"tenant":")" + tenant + "\"}";
    return env;
  }

  // Starts a call as a tool call runs (streamed, no cost guard); its outcome goes to `out`.
  void Start(Envelope env, std::string sql, Outcome& out, asio::cancellation_slot slot = {},
             std::chrono::milliseconds acquire_wait = std::chrono::seconds(10)) {
    asio::co_spawn(io_, Call(*pool_, std::move(env), std::move(sql), out, acquire_wait),
                   asio::bind_cancellation_slot(slot, asio::detached));
  }
  // The sink is freed as the call ends (by the allocator AddressSanitizer watches, unlike the
  // frame), as a tool call's encoder is: a row delivered to it afterwards fails the test.
  static asio::awaitable<void> Call(Pool& pool, Envelope env, std::string sql, Outcome& out,
                                    std::chrono::milliseconds acquire_wait) {
    auto sink = std::make_unique<FirstValues>();
    auto run = RunReadOnlyWithinCost(pool, std::move(env), Statement{std::move(sql), {}}, 0, *sink,
                                     Clock::now() + acquire_wait);
    auto r = co_await std::move(run);
    out.resumed = std::chrono::system_clock::now();
    std::this_thread::sleep_for(out.hold);
    out.status = r ? OkStatus() : Status(r.error());
    out.values = std::move(sink->values);
    out.ended = Clock::now();
    out.done = true;
  }

  // Queues a plain lease (as a call under the cost guard takes one): `ran` says whether it got the
  // connection, and `in_order()` held when it did.
  void StartPlainLease(bool& ran, std::function<bool()> in_order) {
    asio::co_spawn(
        io_,
        [this, &ran, in_order]() -> asio::awaitable<void> {
          auto lease = co_await pool_->Acquire(Clock::now() + std::chrono::seconds(10));
          ran = lease.ok() && in_order();
        },
        asio::detached);
  }

  // One more call, after the others, run to its end.
  Outcome CallAlone(std::string sql) {
    Outcome out;
    Start({}, std::move(sql), out);
    RunAll();
    return out;
  }

  // Runs the loop until no call is left.
  void RunAll() {
    io_.restart();
    io_.run();
  }

  // What every tenant's caller must see: its own rows, its role and its claims, nothing else.
  std::string TenantView() {
    return "SELECT coalesce(string_agg(id::text, ',' ORDER BY id), 'none') || '/' || current_user || '/' || "
           "coalesce(current_setting('request.jwt.claims', true), '') FROM public.docs";
  }

  testing::TestDatabase db_;
  asio::io_context io_;
  std::shared_ptr<Pool> pool_;
  std::string reader_;
};

// A call holds the one connection; eight more wait, tenants alternating. They go out four to a
// round trip, and each sees only its tenant's rows under its own role and claims.
TEST_F(SharedRoundTripTest, CallsThatWaitedShareARoundTripAndEachKeepsItsOwnRoleAndClaims) {
  MakePool(4);
  std::deque<Outcome> out(9);
  Start({}, "SELECT pg_sleep(0.2)::text", out[0]);
  const std::vector<std::string> tenants{"a", "b", "", "a", "b", "b", "a", ""};
  for (size_t i = 0; i < tenants.size(); ++i) Start(Tenant(tenants[i]), TenantView(), out[i + 1]);
  RunAll();
  for (size_t i = 0; i < tenants.size(); ++i) {
    const Outcome& o = out[i + 1];
    ASSERT_TRUE(o.done && o.status.ok()) << i << ": " << (o.status.ok() ? "not done" : o.status.error().code + " " + o.status.error().message);
    ASSERT_EQ(o.values.size(), 1u) << i;
    const std::string rows = tenants[i] == "a" ? "2,4,6,8" : tenants[i] == "b" ? "1,3,5,7" : "none";
    const std::string claims = tenants[i].empty() ? "" : R"({"tenant":")" + tenants[i] + "\"}";
    EXPECT_EQ(o.values[0], rows + "/" + reader_ + "/" + claims) << "call " << i;
  }
  EXPECT_EQ(pool_->stats().riders, 6) << "two round trips of four calls each";
  // Nothing of the last caller is left on the connection.
  Outcome after = CallAlone("SELECT current_user || '/' || coalesce(current_setting('request.jwt.claims', true), '')");
  ASSERT_TRUE(after.status.ok());
  EXPECT_EQ(after.values, std::vector<std::string>{"postgres/"});
}

// In one round trip a call fails when it runs (division by zero, as tenant a) and another before
// its SELECT (an unknown role): each gets its own error, the calls after them their answers, and
// the call right after tenant a's failure runs as tenant b alone: an error does not carry the
// failed call's role or claims over into the next one.
TEST_F(SharedRoundTripTest, AFailingCallFailsAloneAndTheOthersAreAnswered) {
  MakePool(4);
  std::deque<Outcome> out(5);
  Start({}, "SELECT pg_sleep(0.2)::text", out[0]);
  Start({}, "SELECT 1", out[1]);
  Start(Tenant("a"), "SELECT (1 / (SELECT count(*) - 4 FROM public.docs))::text", out[2]);
  Envelope unknown;
  unknown.role = "no_such_role_" + db_.name();
  Start(unknown, "SELECT 3", out[3]);
  Start(Tenant("b"), TenantView(), out[4]);
  RunAll();
  ASSERT_TRUE(out[1].status.ok());
  EXPECT_EQ(out[1].values, std::vector<std::string>{"1"});
  ASSERT_FALSE(out[2].status.ok());
  EXPECT_EQ(out[2].status.error().code, "22012");
  ASSERT_FALSE(out[3].status.ok());
  EXPECT_EQ(out[3].status.error().kind, ErrorKind::kPermissionDenied);
  ASSERT_TRUE(out[4].status.ok()) << out[4].status.error().message;
  EXPECT_EQ(out[4].values, std::vector<std::string>{"1,3,5,7/" + reader_ + R"(/{"tenant":"b"})"});
  EXPECT_EQ(pool_->stats().riders, 3);
  EXPECT_EQ(pool_->stats().idle, 1) << "the connection is idle and pooled again";
}

// The call that got the connection and a call riding along are cancelled (their clients went
// away), once before the round trip is sent and once while it runs: the third still gets its
// answer, the abandoned call's 20,000 rows are read and dropped (its sink is gone: under
// AddressSanitizer a row delivered to it fails this test), and the connection serves the next call.
TEST_F(SharedRoundTripTest, CallersThatGiveUpLeaveTheOthersTheirAnswers) {
  for (auto delay : {std::chrono::milliseconds(0), std::chrono::milliseconds(100)}) {
    SCOPED_TRACE("cancelled " + std::to_string(delay.count()) + " ms after the round trip formed");
    MakePool(4);
    std::deque<Outcome> out(4);
    asio::cancellation_signal cancel_first, cancel_second;
    Start({}, "SELECT pg_sleep(0.2)::text", out[0]);
    Start({}, "SELECT pg_sleep(0.3)::text", out[1], cancel_first.slot());
    Start({}, "SELECT g::text FROM generate_series(1, 20000) g", out[2], cancel_second.slot());
    Start({}, "SELECT 3", out[3]);
    asio::co_spawn(
        io_,
        [&]() -> asio::awaitable<void> {
          while (pool_->stats().riders < 2) co_await asio::post(io_, asio::use_awaitable);
          asio::steady_timer pause(io_, delay);
          co_await pause.async_wait(asio::use_awaitable);
          cancel_first.emit(asio::cancellation_type::terminal);
          cancel_second.emit(asio::cancellation_type::terminal);
        },
        asio::detached);
    RunAll();
    ASSERT_TRUE(out[1].done && out[2].done && out[3].done);
    ASSERT_FALSE(out[1].status.ok());
    EXPECT_EQ(out[1].status.error().kind, ErrorKind::kCancelled);
    ASSERT_FALSE(out[2].status.ok());
    EXPECT_EQ(out[2].status.error().kind, ErrorKind::kCancelled);
    EXPECT_TRUE(out[2].values.empty());
    ASSERT_TRUE(out[3].status.ok()) << out[3].status.error().message;
    EXPECT_EQ(out[3].values, std::vector<std::string>{"3"});
    EXPECT_EQ(pool_->stats().idle, 1);
    Outcome after = CallAlone("SELECT 5");
    ASSERT_TRUE(after.status.ok());
    EXPECT_EQ(after.values, std::vector<std::string>{"5"});
    pool_->Close();
  }
}

// A call that rides along behind a slow one waits no longer than its own acquire wait and budget
// (statement timeout and a 2 s grace): it gets "did not answer in time" while the slow call still
// runs, which then gets its answer, and the connection stays pooled.
TEST_F(SharedRoundTripTest, ACallBehindASlowOneInItsRoundTripTimesOutOnItsOwnDeadline) {
  MakePool(4);
  std::deque<Outcome> out(3);
  Start({}, "SELECT pg_sleep(0.1)::text", out[0]);
  Start({}, "SELECT pg_sleep(3.5)::text", out[1]);
  Envelope quick;
  quick.statement_timeout_ms = 100;
  const auto started = Clock::now();
  Start(quick, "SELECT 2", out[2], {}, std::chrono::milliseconds(500));
  RunAll();
  const auto waited = out[2].ended - started;
  ASSERT_FALSE(out[2].status.ok());
  EXPECT_EQ(out[2].status.error().kind, ErrorKind::kTimeout);
  EXPECT_GE(waited, std::chrono::milliseconds(2500)) << "not before its acquire wait and budget";
  EXPECT_LT(waited, std::chrono::milliseconds(3400)) << "not after the slow call it waited behind";
  ASSERT_TRUE(out[1].status.ok()) << out[1].status.error().message;
  EXPECT_EQ(pool_->stats().riders, 1);
  EXPECT_EQ(pool_->stats().idle, 1);
}

// Every caller of a round trip gives up while it runs (their clients went away): the round trip
// ends, its connection is dropped and the server told to cancel what it runs, as for a call alone,
// instead of running 30 s queries nobody waits for. A call queued behind it is not sent on that
// connection: it gets a fresh one.
TEST_F(SharedRoundTripTest, WhenEveryCallerGivesUpTheRoundTripIsCancelledOnTheServer) {
  MakePool(4);
  std::deque<Outcome> out(4);
  asio::cancellation_signal cancel_first, cancel_second;
  Start({}, "SELECT pg_sleep(0.2)::text", out[0]);
  Envelope patient;  // no statement timeout would end them soon
  patient.statement_timeout_ms = 60000;
  Start(patient, "SELECT pg_sleep(30)::text AS abandoned_first", out[1], cancel_first.slot());
  Start(patient, "SELECT pg_sleep(30)::text AS abandoned_second", out[2], cancel_second.slot());
  asio::co_spawn(
      io_,
      [&]() -> asio::awaitable<void> {
        while (pool_->stats().riders < 1) co_await asio::post(io_, asio::use_awaitable);
        Start({}, "SELECT 'waited behind'", out[3]);  // queued behind the round trip
        asio::steady_timer pause(io_, std::chrono::milliseconds(300));
        co_await pause.async_wait(asio::use_awaitable);
        cancel_first.emit(asio::cancellation_type::terminal);
        pause.expires_after(std::chrono::milliseconds(100));
        co_await pause.async_wait(asio::use_awaitable);
        cancel_second.emit(asio::cancellation_type::terminal);
      },
      asio::detached);
  const auto started = Clock::now();
  RunAll();
  EXPECT_LT(Clock::now() - started, std::chrono::seconds(5)) << "the round trip ran on after its callers left";
  for (int i : {1, 2}) {
    ASSERT_FALSE(out[i].status.ok()) << i;
    EXPECT_EQ(out[i].status.error().kind, ErrorKind::kCancelled) << i;
  }
  ASSERT_TRUE(out[3].status.ok()) << "the call queued behind it is answered on a fresh connection";
  EXPECT_EQ(out[3].values, std::vector<std::string>{"waited behind"});
  EXPECT_EQ(pool_->stats().riders, 1) << "the queued call did not go on the stopped round trip's connection";
  EXPECT_EQ(pool_->stats().idle, 1) << "only the fresh connection is pooled";
  std::string running;
  for (int i = 0; i < 100; ++i) {
    running = db_.Scalar("SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%abandoned_%' AND "
                         "state = 'active' AND pid <> pg_backend_pid()");
    if (running == "0") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(running, "0") << "the abandoned queries still run on the server";
  Outcome after = CallAlone("SELECT 5");
  ASSERT_TRUE(after.status.ok()) << after.status.error().message;
  EXPECT_EQ(after.values, std::vector<std::string>{"5"});
}

// A statement new to the connection is prepared by the first call of a round trip only. Here
// that call fails before its Parse (an unknown role), so the server skips the Parse: the other
// calls with the same SELECT must not execute it by name ("prepared statement does not exist"),
// and they answer. The next round trip prepares it.
TEST_F(SharedRoundTripTest, NoCallDependsOnAStatementAnotherPreparesInTheSameRoundTrip) {
  MakePool(4);
  std::deque<Outcome> out(4);
  Start({}, "SELECT pg_sleep(0.2)::text", out[0]);
  Envelope unknown;
  unknown.role = "no_such_role_" + db_.name();
  Start(unknown, "SELECT 'same'", out[1]);
  Start({}, "SELECT 'same'", out[2]);
  Start({}, "SELECT 'same'", out[3]);
  RunAll();
  ASSERT_FALSE(out[1].status.ok());
  EXPECT_EQ(out[1].status.error().kind, ErrorKind::kPermissionDenied);
  for (int i : {2, 3}) {
    ASSERT_TRUE(out[i].status.ok()) << i << ": " << out[i].status.error().message;
    EXPECT_EQ(out[i].values, std::vector<std::string>{"same"}) << i;
  }
  EXPECT_EQ(pool_->stats().riders, 2);
  Outcome again = CallAlone("SELECT 'same'");
  ASSERT_TRUE(again.status.ok()) << again.status.error().message;
  EXPECT_EQ(again.values, std::vector<std::string>{"same"});
}

// A plain lease (a call under the cost guard, an EXPLAIN) keeps its place in the queue: the
// calls behind it do not ride along with the call in front of it.
TEST_F(SharedRoundTripTest, APlainLeaseKeepsItsPlaceInTheQueue) {
  MakePool(4);
  std::deque<Outcome> out(3);
  bool plain_ran = false;
  Start({}, "SELECT pg_sleep(0.2)::text", out[0]);
  Start({}, "SELECT 1", out[1]);
  StartPlainLease(plain_ran, [&] { return out[1].done && !out[2].done; });
  Start({}, "SELECT 2", out[2]);
  RunAll();
  EXPECT_TRUE(plain_ran) << "the plain lease came after the first waiting call and before the last";
  ASSERT_TRUE(out[1].status.ok() && out[2].status.ok());
  EXPECT_EQ(pool_->stats().riders, 0);
}

// Counts the rows it is given and the most one Add's `rows` held: more than one means the answer
// was read whole, one that it was read row by row.
struct RowsHeld : RowSink {
  bool Add(const Rows& rows, int) override {
    ++count;
    most = std::max(most, rows.row_count());
    return true;
  }
  int count = 0;
  int most = 0;
};

// The answers of a round trip's calls that had all arrived before the first read, within 32 KiB,
// are read whole; the answer over the limit, and every answer after it, row by row. The loop is
// held up right after the round trip is sent, so that every answer has arrived by the first read.
TEST_F(SharedRoundTripTest, AnswersThatArrivedWholeAreReadWholeTheRestRowByRow) {
  Pool& pool = MakePool(4);
  auto lease = pgmcp::testing::RunToCompletion(io_, pool.Acquire(Clock::now() + std::chrono::seconds(10)));
  ASSERT_TRUE(lease.ok()) << lease.error().message;
  const std::vector<std::string> selects{"SELECT g FROM generate_series(1, 5) g", "SELECT g FROM generate_series(1, 7) g",
                                         "SELECT g FROM generate_series(1, 20000) g",
                                         "SELECT g FROM generate_series(1, 3) g"};
  std::vector<std::vector<Statement>> statements;
  std::deque<RowsHeld> sinks(selects.size());
  std::vector<Connection::PipelinedCall> calls;
  for (const auto& sql : selects) statements.push_back({Statement{sql, {}}});
  for (size_t i = 0; i < selects.size(); ++i) calls.push_back({&statements[i], 0, &sinks[i], OkStatus()});
  std::vector<Connection::PipelinedCall*> pointers;
  for (auto& call : calls) pointers.push_back(&call);
  std::vector<size_t> finished;
  Status run = MakeError(ErrorKind::kInternal, "not run");
  asio::co_spawn(
      io_,
      [&]() -> asio::awaitable<void> {
        auto calls_run = lease.value()->RunCalls(pointers, Clock::now() + std::chrono::seconds(10),
                                                 [&](size_t i) { finished.push_back(i); });
        run = co_await std::move(calls_run);
      },
      asio::detached);
  // Runs after the coroutine's first step (the send), before its first read.
  asio::post(io_, [] { std::this_thread::sleep_for(std::chrono::milliseconds(300)); });
  io_.restart();
  io_.run();
  ASSERT_TRUE(run.ok()) << run.error().message;
  EXPECT_EQ(finished, (std::vector<size_t>{0, 1, 2, 3}));
  const std::vector<int> rows{5, 7, 20000, 3};
  const std::vector<int> most{5, 7, 1, 1};
  for (size_t i = 0; i < calls.size(); ++i) {
    EXPECT_TRUE(calls[i].result.ok()) << i;
    EXPECT_EQ(sinks[i].count, rows[i]) << i;
    EXPECT_EQ(sinks[i].most, most[i]) << "call " << i << (most[i] == 1 ? " read row by row" : " read whole");
  }
}

// While calls wait, a connection that ends a shared round trip sends the next of them itself,
// before the last caller it answered resumes: the server runs the next calls while the callers
// write their replies. Here each of the first two callers holds the loop for 500 ms as it resumes
// (the first may resume before the second answer is read); the next round trip's SELECT ran on
// the server before the last of them let go.
TEST_F(SharedRoundTripTest, TheNextRoundTripIsSentBeforeTheLastCallItAnsweredResumes) {
  MakePool(2);
  std::deque<Outcome> out(5);
  Start({}, "SELECT pg_sleep(0.2)::text", out[0]);
  for (int i : {1, 2}) {
    out[i].hold = std::chrono::milliseconds(500);
    Start({}, "SELECT 'answered first'", out[i]);
  }
  for (int i : {3, 4}) Start({}, "SELECT extract(epoch FROM clock_timestamp())::text", out[i]);
  RunAll();
  for (int i = 1; i < 5; ++i) ASSERT_TRUE(out[i].done && out[i].status.ok()) << i;
  EXPECT_EQ(pool_->stats().riders, 2) << "two round trips of two calls";
  const auto last_resumed = std::max(out[1].resumed, out[2].resumed);
  const double resumed_s = std::chrono::duration<double>(last_resumed.time_since_epoch()).count();
  for (int i : {3, 4}) {
    const double ran_s = std::stod(out[i].values.at(0));
    EXPECT_LT(ran_s, resumed_s + 0.4) << "call " << i << " ran " << ran_s - resumed_s
                                      << " s after the last caller of the round trip before resumed";
  }
  EXPECT_EQ(pool_->stats().idle, 1);
}

// A round trip goes on with the calls behind it only while they may share: a plain lease at the
// head of the queue gets the connection next, and the call behind it comes after.
TEST_F(SharedRoundTripTest, ARoundTripGoesOnOnlyUntilAPlainLeaseIsNext) {
  MakePool(4);
  std::deque<Outcome> out(4);
  bool plain_ran = false;
  Start({}, "SELECT pg_sleep(0.2)::text", out[0]);
  Start({}, "SELECT 1", out[1]);
  Start({}, "SELECT 2", out[2]);
  StartPlainLease(plain_ran, [&] { return out[1].done && out[2].done && !out[3].done; });
  Start({}, "SELECT 3", out[3]);
  RunAll();
  EXPECT_TRUE(plain_ran) << "the plain lease came after the round trip in front of it and before the last call";
  for (int i = 1; i < 4; ++i) ASSERT_TRUE(out[i].status.ok()) << i;
  EXPECT_EQ(pool_->stats().riders, 1);
}

// pool.max_lifetime_ms holds under a load that never lets the connection go idle: the round trip
// that ends on a connection past its lifetime takes no more waiting calls onto it, and they get a
// new connection. The first call (50 ms) is back well before the lifetime (250 ms), the round trip
// of the next two (200 ms each) well after it; the last two take 50 ms each on the new connection.
TEST_F(SharedRoundTripTest, ARoundTripTakesNoMoreCallsOntoAConnectionPastItsLifetime) {
  MakePool(2, PreparedMode::kOn, std::chrono::milliseconds(250));
  std::deque<Outcome> out(5);
  const std::vector<std::string> sleeps{"0.05", "0.2", "0.2", "0.05", "0.05"};
  for (size_t i = 0; i < out.size(); ++i) {
    Start({}, "SELECT pg_backend_pid()::text FROM pg_sleep(" + sleeps[i] + ")", out[i]);
  }
  RunAll();
  for (size_t i = 0; i < out.size(); ++i) {
    ASSERT_TRUE(out[i].done && out[i].status.ok()) << i;
    ASSERT_EQ(out[i].values.size(), 1u) << i;
  }
  EXPECT_EQ(out[1].values, out[0].values) << "handed over while young";
  EXPECT_EQ(out[2].values, out[0].values) << "rode along with the second call";
  EXPECT_NE(out[3].values, out[0].values) << "the next calls went onto the connection past its lifetime";
  EXPECT_EQ(out[4].values, out[3].values);
}

// pool.calls_per_round_trip = 1: every call has a round trip of its own.
TEST_F(SharedRoundTripTest, OneCallPerRoundTripSharesNothing) {
  MakePool(1);
  std::deque<Outcome> out(5);
  Start({}, "SELECT pg_sleep(0.1)::text", out[0]);
  for (int i = 1; i < 5; ++i) Start(Tenant(i % 2 ? "a" : "b"), TenantView(), out[i]);
  RunAll();
  for (int i = 1; i < 5; ++i) ASSERT_TRUE(out[i].status.ok()) << i << ": " << out[i].status.error().code;
  EXPECT_EQ(pool_->stats().riders, 0);
}

}  // namespace
}  // namespace pgmcp::database

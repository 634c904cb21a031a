// Behind PgBouncer 1.18 in transaction mode (tests/support/pgbouncer) named prepared statements
// break: each transaction may run on another server connection, where a statement is missing or
// already prepared by another client. `auto` falls back to unnamed statements once, logged once,
// and every answer is still right; `on` shows the failure to the call (docs/reference.md,
// pool.prepared_statements).
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <cstdlib>
#include <future>

#include "database/read_only_call.h"
#include "support/first_values_sink.h"
#include "support/run_program.h"
#include "support/test_database.h"

namespace pgmcp::database {
namespace {
namespace asio = boost::asio;
using testing::FirstValues;

class PgBouncerFallbackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_.Exec("CREATE TABLE items (id int PRIMARY KEY, name text, price numeric, tenant text);"
             "INSERT INTO items SELECT g, 'item ' || g, g * 1.5, CASE WHEN g % 2 = 0 THEN 'a' ELSE 'b' END "
             "FROM generate_series(1, 40) g;");
    dir_ = ::testing::TempDir() + "pgbouncer_" + db_.name();
  }
  void TearDown() override {
    if (pool_) {
      pool_->Close();
      io_.restart();
      io_.run();
      pool_.reset();
    }
    if (!port_.empty()) testing::RunProgram(Script(), {"stop", dir_}, dir_ + "_stop");
  }

  static std::string Script() { return std::string(PGMCP_SOURCE_DIR) + "/tests/support/pgbouncer"; }

  // Starts PgBouncer with `server_connections` per database and user, and a pool of
  // `connections` pgmcp connections through it.
  void StartBehindPgBouncer(PreparedMode mode, int server_connections, int connections, int calls_per_round_trip = 1) {
    setenv("PGBOUNCER_POOL_SIZE", std::to_string(server_connections).c_str(), 1);
    auto started = testing::RunProgram(Script(), {"start", dir_, std::getenv("PGMCP_TEST_CLUSTER"), db_.name(), "postgres"},
                                       dir_ + "_start");
    ASSERT_EQ(started.exit_code, 0) << started.err;
    port_ = started.out.substr(0, started.out.find('\n'));
    PoolOptions o;
    o.dsn = "host=127.0.0.1 port=" + port_ + " user=postgres dbname=" + db_.name();
    o.min = connections;
    o.max = connections;
    o.prepared_statements = mode;
    o.calls_per_round_trip = calls_per_round_trip;
    pool_ = Pool::Create(io_.get_executor(), o);
  }

  struct Shape {
    std::string sql;       // what pgmcp runs, with parameters
    std::string expected;  // what psql answers for the same question with the value written in
    std::vector<std::optional<std::string>> params;
    std::string claims;
  };
  // Call i's question: one of four shapes, values varying with i.
  Shape ShapeOf(int i) {
    const std::string v = std::to_string(i % 40 + 1);
    switch (i % 4) {
      case 0:
        return {"SELECT name FROM public.items WHERE id = $1::int",
                db_.Scalar("SELECT name FROM items WHERE id = " + v), {v}, ""};
      case 1:
        return {"SELECT count(*) FROM public.items WHERE price > $1::numeric",
                db_.Scalar("SELECT count(*) FROM items WHERE price > " + v), {v}, ""};
      case 2: {
        const std::string t = i % 8 == 2 ? "a" : "b";
        return {"SELECT string_agg(id::text, ',' ORDER BY id) FROM public.items WHERE tenant = $1 AND id <= $2::int",
                db_.Scalar("SELECT string_agg(id::text, ',' ORDER BY id) FROM items WHERE tenant = '" + t +
                           "' AND id <= " + v),
                {t, v}, ""};
      }
      default:  // the caller's claims, as the envelope set them for this call
        return {"SELECT current_setting('request.jwt.claims', true)::json->>'sub'", "user" + v, {}, R"({"sub":"user)" + v + "\"}"};
    }
  }

  // Runs `calls` calls, `workers` at a time; returns each call's answer or "error <SQLSTATE>".
  std::vector<std::string> RunCalls(int calls, int workers) {
    std::vector<Shape> shapes;
    for (int i = 0; i < calls; ++i) shapes.push_back(ShapeOf(i));
    std::vector<std::string> answers(calls);
    std::vector<std::future<void>> done;
    for (int w = 0; w < workers; ++w) {
      done.push_back(asio::co_spawn(
          io_,
          [&, w]() -> asio::awaitable<void> {
            for (int i = w; i < calls; i += workers) {
              Envelope env;
              env.claims_json = shapes[i].claims;
              // Streamed, as a tool call is: a call that waits may share a round trip.
              FirstValues sink;
              auto call = RunReadOnlyWithinCost(*pool_, env, Statement{shapes[i].sql, shapes[i].params}, 0, sink,
                                                Clock::now() + std::chrono::seconds(10));
              auto r = co_await std::move(call);
              answers[i] = !r                           ? "error " + r.error().code
                           : sink.values.size() == 1 ? sink.values[0]
                                                     : "rows " + std::to_string(sink.values.size());
            }
          },
          asio::use_future));
    }
    io_.restart();
    io_.run();
    for (auto& d : done) d.get();
    for (int i = 0; i < calls; ++i) expected_.push_back(shapes[i].expected);
    return answers;
  }

  static int Count(const std::string& text, const std::string& what) {
    int n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
  }

  testing::TestDatabase db_;
  asio::io_context io_;
  std::shared_ptr<Pool> pool_;
  std::string dir_;
  std::string port_;
  std::vector<std::string> expected_;
};

TEST_F(PgBouncerFallbackTest, AutoFallsBackOnceAndEveryAnswerIsRight) {
  // Four pgmcp connections over two server connections: their statements meet on one.
  StartBehindPgBouncer(PreparedMode::kAuto, 2, 4);
  ::testing::internal::CaptureStderr();
  auto answers = RunCalls(240, 6);
  const std::string log = ::testing::internal::GetCapturedStderr();
  for (size_t i = 0; i < answers.size(); ++i) EXPECT_EQ(answers[i], expected_[i]) << "call " << i;
  EXPECT_EQ(Count(log, "\"prepared_statements_off\""), 1) << log;
  EXPECT_FALSE(pool_->prepared_statements().named());
  EXPECT_FALSE(pool_->stats().named_statements) << "pgmcp_pool_prepared_statements shows the fall back";
}

// Waiting calls share a round trip (pool.calls_per_round_trip): several transactions, each
// ended by its own Sync, in one write to PgBouncer, which may hand each to another server
// connection. Every answer is still right, with named statements (falling back) or unnamed.
TEST_F(PgBouncerFallbackTest, CallsSharingARoundTripAreAnsweredRightBehindThePooler) {
  for (PreparedMode mode : {PreparedMode::kAuto, PreparedMode::kOff}) {
    SCOPED_TRACE(mode == PreparedMode::kAuto ? "auto" : "off");
    StartBehindPgBouncer(mode, 2, 2, 4);
    auto answers = RunCalls(240, 10);
    for (size_t i = 0; i < answers.size(); ++i) EXPECT_EQ(answers[i], expected_[i]) << "call " << i;
    EXPECT_GT(pool_->stats().riders, 0) << "no call shared a round trip";
    TearDown();
    port_.clear();
    expected_.clear();
  }
}

TEST_F(PgBouncerFallbackTest, OnShowsThePoolersErrorToTheCall) {
  // Two pgmcp connections over one server connection: the second to prepare BEGIN finds it there.
  StartBehindPgBouncer(PreparedMode::kOn, 1, 2);
  ::testing::internal::CaptureStderr();
  auto answers = RunCalls(40, 2);
  const std::string log = ::testing::internal::GetCapturedStderr();
  int pooler_errors = 0;
  for (size_t i = 0; i < answers.size(); ++i) {
    if (answers[i] == "error 26000" || answers[i] == "error 42P05") {
      ++pooler_errors;
    } else {
      EXPECT_EQ(answers[i], expected_[i]) << "call " << i;
    }
  }
  EXPECT_GT(pooler_errors, 0);
  EXPECT_EQ(Count(log, "\"prepared_statements_off\""), 0);
  EXPECT_TRUE(pool_->prepared_statements().named());
}

TEST_F(PgBouncerFallbackTest, OffWorksBehindThePoolerFromTheStart) {
  StartBehindPgBouncer(PreparedMode::kOff, 1, 3);
  ::testing::internal::CaptureStderr();
  auto answers = RunCalls(60, 4);
  const std::string log = ::testing::internal::GetCapturedStderr();
  for (size_t i = 0; i < answers.size(); ++i) EXPECT_EQ(answers[i], expected_[i]) << "call " << i;
  EXPECT_EQ(Count(log, "\"prepared_statements_off\""), 0);
}

}  // namespace
}  // namespace pgmcp::database

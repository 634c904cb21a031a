// The pool during outages (docs/reference.md, "Outages"): connections the server closed while they
// sat idle are replaced without failing the call, and an unreachable database meets one
// connection attempt per backoff step while the calls in between are refused at once.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include "database/read_only_call.h"
#include "support/run_to_completion.h"
#include "support/test_database.h"

namespace pgmcp::database {
namespace {
namespace asio = boost::asio;
using std::chrono::milliseconds;

class OutageTest : public ::testing::Test {
 protected:
  std::shared_ptr<Pool> MakePool(std::string dsn, int max = 4) {
    PoolOptions o;
    o.dsn = std::move(dsn);
    o.min = 0;
    o.max = max;
    o.acquire_timeout = milliseconds(2000);
    return Pool::Create(io_.get_executor(), o);
  }
  Result<Rows> Call(Pool& pool) {
    return pgmcp::testing::RunToCompletion(
        io_, RunReadOnly(pool, {}, Statement{"SELECT 1", {}}, Clock::now() + std::chrono::seconds(5)));
  }

  pgmcp::testing::TestDatabase db_;
  asio::io_context io_;
};

// Regression: after pg_terminate_backend (or a restart) the next call on each pooled connection
// failed with "The database connection failed".
TEST_F(OutageTest, IdleConnectionsClosedByTheServerAreReplacedWithoutFailingTheCall) {
  auto pool = MakePool(db_.Dsn(), 2);
  ASSERT_TRUE(Call(*pool).ok());
  ASSERT_EQ(pool->stats().idle, 1);
  db_.Exec("SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
           "WHERE datname = current_database() AND application_name = 'pgmcp'");
  auto r = Call(*pool);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(pool->reachable());
  EXPECT_TRUE(pool->stats().reachable);
  EXPECT_EQ(pool->stats().connect_failures, 0);
}

// A listener that accepts and at once closes every connection, counting them: a database that
// refuses pgmcp's logins. Runs on the test's io_context.
struct ClosingListener {
  explicit ClosingListener(asio::io_context& io) : acceptor(io, {asio::ip::make_address("127.0.0.1"), 0}) { Accept(); }
  void Accept() {
    acceptor.async_accept([this](boost::system::error_code ec, asio::ip::tcp::socket s) {
      if (ec) return;
      ++accepted;
      s.close();
      Accept();
    });
  }
  std::string Dsn() const {
    return "host=127.0.0.1 port=" + std::to_string(acceptor.local_endpoint().port()) + " dbname=x user=x";
  }
  asio::ip::tcp::acceptor acceptor;
  int accepted = 0;
};

TEST_F(OutageTest, UnreachableDatabaseGetsOneAttemptPerBackoffStepAndCallsFailAtOnce) {
  ClosingListener listener(io_);
  auto pool = MakePool(listener.Dsn());
  int calls = 0, unavailable = 0;
  Clock::duration slowest_refusal{};
  auto hammer = [&]() -> asio::awaitable<void> {
    const auto until = Clock::now() + milliseconds(700);
    while (Clock::now() < until) {
      const auto start = Clock::now();
      auto call = RunReadOnly(*pool, {}, Statement{"SELECT 1", {}}, Clock::now() + std::chrono::seconds(5));
      auto r = co_await std::move(call);
      ++calls;
      if (!r && r.error().kind == ErrorKind::kUnavailable) ++unavailable;
      if (!r && r.error().message == "The database is unavailable right now; try again shortly.") {
        slowest_refusal = std::max(slowest_refusal, Clock::now() - start);
      }
      auto executor = co_await asio::this_coro::executor;
      co_await asio::post(executor, asio::use_awaitable);  // let the listener accept
    }
    listener.acceptor.close();
  };
  auto done = asio::co_spawn(io_, hammer(), asio::use_future);
  io_.run();
  done.get();
  EXPECT_GT(calls, 50);
  EXPECT_EQ(unavailable, calls) << "every call fails with the one sentence";
  EXPECT_FALSE(pool->reachable());
  // 700 ms of steps of 100, 200, 400 ms (jittered down to half): the first attempt and at most
  // six more, whatever the number of calls.
  EXPECT_LE(listener.accepted, 7) << calls << " calls";
  EXPECT_LT(slowest_refusal, milliseconds(200));
  const auto st = pool->stats();
  EXPECT_EQ(st.connecting, 0);
  EXPECT_FALSE(st.reachable);
  EXPECT_EQ(st.connect_failures, listener.accepted) << "every attempt failed, refusals are not attempts";
}

}  // namespace
}  // namespace pgmcp::database

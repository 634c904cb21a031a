// How long the pool keeps a connection (docs/reference.md, pool.idle_timeout_ms and
// pool.max_lifetime_ms): connections beyond pool.min that idled past the timeout are closed, a
// connection past its lifetime is replaced, and the pool goes back up to pool.min by itself.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <algorithm>
#include <future>
#include <thread>

#include "database/read_only_call.h"
#include "support/test_database.h"

namespace pgmcp::database {
namespace {
namespace asio = boost::asio;
using std::chrono::milliseconds;

class PoolLifetimeTest : public ::testing::Test {
 protected:
  std::shared_ptr<Pool> MakePool(int min, int max, milliseconds idle_timeout, milliseconds max_lifetime) {
    PoolOptions o;
    o.dsn = db_.Dsn();
    o.min = min;
    o.max = max;
    o.idle_timeout = idle_timeout;
    o.max_lifetime = max_lifetime;
    auto pool = Pool::Create(io_.get_executor(), o);
    pool->Start();
    return pool;
  }
  // Runs the loop until `work` is done. (Not RunToCompletion: the pool's sweep keeps the loop
  // busy for good, so the loop never runs out of work.)
  template <typename T>
  T Await(asio::awaitable<T> work) {
    auto result = asio::co_spawn(io_, std::move(work), asio::use_future);
    io_.restart();
    while (result.wait_for(std::chrono::seconds(0)) != std::future_status::ready && io_.run_one() > 0) {
    }
    return result.get();
  }
  // The backend that ran the call.
  std::string BackendOfACall(Pool& pool) {
    auto r = Await(RunReadOnly(pool, {}, Statement{"SELECT pg_backend_pid()", {}}, Clock::now() + std::chrono::seconds(5)));
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r ? std::string(r->Value(0, 0)) : "";
  }
  // `n` calls at once, each holding its connection 50 ms: the pool opens n connections.
  void ConcurrentCalls(Pool& pool, int n) {
    std::vector<std::future<Result<Rows>>> calls;
    for (int i = 0; i < n; ++i) {
      calls.push_back(asio::co_spawn(
          io_, RunReadOnly(pool, {}, Statement{"SELECT pg_sleep(0.05)", {}}, Clock::now() + std::chrono::seconds(5)),
          asio::use_future));
    }
    RunFor(milliseconds(20));
    while (std::any_of(calls.begin(), calls.end(),
                       [](auto& f) { return f.wait_for(std::chrono::seconds(0)) != std::future_status::ready; })) {
      RunFor(milliseconds(10));
    }
    for (auto& c : calls) EXPECT_TRUE(c.get().ok());
  }
  // Runs the pool's loop (its sweep, its background connects) for `d`.
  void RunFor(milliseconds d) {
    io_.restart();
    io_.run_for(d);
  }
  int Backends() {
    return std::stoi(db_.Scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                "AND application_name = 'pgmcp'"));
  }
  // Backends leave pg_stat_activity shortly after their client closes.
  int BackendsSettledAt(int expected) {
    int n = Backends();
    for (int i = 0; i < 50 && n != expected; ++i) {
      std::this_thread::sleep_for(milliseconds(20));
      n = Backends();
    }
    return n;
  }

  pgmcp::testing::TestDatabase db_;
  asio::io_context io_;
};

TEST_F(PoolLifetimeTest, ConnectionsBeyondMinThatIdlePastTheTimeoutAreClosed) {
  auto pool = MakePool(/*min=*/1, /*max=*/3, /*idle_timeout=*/milliseconds(1000), /*max_lifetime=*/milliseconds(0));
  ConcurrentCalls(*pool, 3);
  EXPECT_EQ(pool->stats().idle, 3);
  RunFor(milliseconds(200));
  EXPECT_EQ(pool->stats().idle, 3) << "closed before its idle time was up";
  EXPECT_EQ(BackendsSettledAt(3), 3);
  RunFor(milliseconds(1300));
  EXPECT_EQ(pool->stats().idle, 1) << "pool.min stays";
  EXPECT_EQ(BackendsSettledAt(1), 1);
  // The one left serves the next call.
  EXPECT_FALSE(BackendOfACall(*pool).empty());
  pool->Close();
}

TEST_F(PoolLifetimeTest, WithoutAnIdleTimeoutIdleConnectionsStay) {
  auto pool = MakePool(/*min=*/0, /*max=*/2, /*idle_timeout=*/milliseconds(0), /*max_lifetime=*/milliseconds(0));
  ConcurrentCalls(*pool, 2);
  RunFor(milliseconds(400));
  EXPECT_EQ(pool->stats().idle, 2);
  EXPECT_EQ(BackendsSettledAt(2), 2);
  pool->Close();
}

TEST_F(PoolLifetimeTest, AConnectionPastItsLifetimeIsReplacedAndThePoolRefillsToMin) {
  auto pool = MakePool(/*min=*/1, /*max=*/1, /*idle_timeout=*/milliseconds(0), /*max_lifetime=*/milliseconds(1000));
  const std::string first = BackendOfACall(*pool);
  EXPECT_EQ(BackendOfACall(*pool), first) << "reused while young";
  RunFor(milliseconds(1600));  // past its lifetime while idle: closed by the sweep, and min opened again
  const auto st = pool->stats();
  EXPECT_EQ(st.idle + st.connecting, 1);
  const std::string second = BackendOfACall(*pool);
  EXPECT_NE(second, first);
  EXPECT_EQ(BackendsSettledAt(1), 1) << "the old backend is gone";
  pool->Close();
}

TEST_F(PoolLifetimeTest, AConnectionThatOutlivesItsLifetimeDuringACallIsClosedWhenReleased) {
  auto pool = MakePool(/*min=*/0, /*max=*/1, /*idle_timeout=*/milliseconds(0), /*max_lifetime=*/milliseconds(150));
  auto r = Await(RunReadOnly(*pool, {}, Statement{"SELECT pg_backend_pid() FROM pg_sleep(0.3)", {}},
                             Clock::now() + std::chrono::seconds(5)));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(pool->stats().idle, 0) << "not put back: too old";
  EXPECT_NE(BackendOfACall(*pool), std::string(r->Value(0, 0)));
  pool->Close();
}

// While the database refuses new connections (ALLOW_CONNECTIONS false here; in production
// max_connections reached, or an authentication server down) the connection still open is kept
// past its lifetime and serves the calls. Once the database takes connections again, the sweep's
// attempt succeeds and the old connection is replaced.
TEST_F(PoolLifetimeTest, WhileNewConnectionsAreRefusedAConnectionPastItsLifetimeIsKept) {
  pgmcp::testing::TestDatabase admin;  // a database of its own to connect to
  auto pool = MakePool(/*min=*/0, /*max=*/2, /*idle_timeout=*/milliseconds(0), /*max_lifetime=*/milliseconds(300));
  const std::string first = BackendOfACall(*pool);
  admin.Exec("ALTER DATABASE " + db_.name() + " ALLOW_CONNECTIONS false");
  // Two calls at once, while the connection is young: it serves one (long enough for the other's
  // connect to be refused first), the other needs a new connection, which the database refuses:
  // the breaker opens.
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  auto served = asio::co_spawn(io_, RunReadOnly(*pool, {}, Statement{"SELECT pg_sleep(0.4)", {}}, deadline),
                               asio::use_future);
  auto refused = asio::co_spawn(io_, RunReadOnly(*pool, {}, Statement{"SELECT 1", {}}, deadline), asio::use_future);
  while (served.wait_for(std::chrono::seconds(0)) != std::future_status::ready ||
         refused.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
    RunFor(milliseconds(10));
  }
  EXPECT_TRUE(served.get().ok());
  EXPECT_FALSE(refused.get().ok());
  ASSERT_FALSE(pool->reachable());
  RunFor(milliseconds(500));  // well past the lifetime, the sweep running every 75 ms
  EXPECT_EQ(pool->stats().idle, 1) << "closed while the database refuses new connections";
  EXPECT_EQ(BackendOfACall(*pool), first) << "the connection still open serves";

  admin.Exec("ALTER DATABASE " + db_.name() + " ALLOW_CONNECTIONS true");
  // The breaker's step is at most 2 s.
  for (int i = 0; i < 40 && !(pool->reachable() && pool->stats().idle == 1 && pool->stats().connecting == 0); ++i) {
    RunFor(milliseconds(100));
  }
  EXPECT_TRUE(pool->reachable());
  EXPECT_NE(BackendOfACall(*pool), first);
  // The old connection is closed once a new one could be opened (and the new one in its turn,
  // 300 ms later: pool.min is 0).
  std::string old_backends = "1";
  for (int i = 0; i < 20 && old_backends != "0"; ++i) {
    RunFor(milliseconds(50));
    old_backends = db_.Scalar("SELECT count(*) FROM pg_stat_activity WHERE pid = " + first);
  }
  EXPECT_EQ(old_backends, "0") << "the old connection is closed once a new one could be opened";
  pool->Close();
}

}  // namespace
}  // namespace pgmcp::database

// The pool connecting through host names against a real PostgreSQL: names are resolved off the
// event loop (database/host_lookup.h), so a name reaches the server and a name that does not
// resolve fails the call clearly while the loop keeps serving everything else.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <optional>

#include "database/read_only_call.h"
#include "support/run_to_completion.h"
#include "support/test_database.h"

namespace pgmcp::database {
namespace {
namespace asio = boost::asio;

class HostNamesTest : public ::testing::Test {
 protected:
  // The test cluster's DSN with its host (127.0.0.1) replaced by `host`.
  std::string DsnWithHost(const std::string& host) const {
    std::string dsn = db_.Dsn();
    const std::string loopback = "host=127.0.0.1";
    EXPECT_EQ(dsn.rfind(loopback, 0), 0u) << dsn;
    return "host=" + host + dsn.substr(loopback.size());
  }

  std::shared_ptr<Pool> MakePool(std::string dsn) {
    PoolOptions o;
    o.dsn = std::move(dsn);
    o.min = 0;
    o.max = 1;
    return Pool::Create(io_.get_executor(), o);
  }

  asio::awaitable<Result<Rows>> Call(Pool& pool, std::string sql) {
    return RunReadOnly(pool, {}, Statement{std::move(sql), {}}, Clock::now() + std::chrono::seconds(5));
  }

  testing::TestDatabase db_;
  asio::io_context io_;
};

TEST_F(HostNamesTest, PoolConnectsThroughAHostName) {
  auto pool = MakePool(DsnWithHost("localhost"));
  auto r = pgmcp::testing::RunToCompletion(io_, Call(*pool, "SELECT host(inet_server_addr())"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->Value(0, 0), "127.0.0.1");
}

// Before the fix libpq looked the name up inside the connect, on the loop's thread: the call
// failed before any other handler of the loop could run.
TEST_F(HostNamesTest, NameThatDoesNotResolveFailsClearlyWhileTheLoopRuns) {
  auto pool = MakePool(DsnWithHost("nonexistent.invalid"));
  std::optional<Result<Rows>> result;
  int ticks_while_connecting = 0;
  asio::steady_timer tick(io_);
  std::function<void()> arm = [&] {
    tick.expires_after(std::chrono::milliseconds(0));
    tick.async_wait([&](boost::system::error_code) {
      if (result) return;
      ++ticks_while_connecting;
      arm();
    });
  };
  arm();
  asio::co_spawn(
      io_,
      [&]() -> asio::awaitable<void> {
        auto call = Call(*pool, "SELECT 1");  // named first, as in src/database/pool.cc
        result = co_await std::move(call);
      },
      asio::detached);
  io_.run();
  ASSERT_TRUE(result.has_value());
  ASSERT_FALSE(result->ok());
  EXPECT_EQ(result->error().kind, ErrorKind::kUnavailable);
  EXPECT_EQ(result->error().message, "The database is unavailable right now; try again shortly.");
  EXPECT_GT(ticks_while_connecting, 0) << "the event loop stood still during the connect";
  EXPECT_EQ(pool->stats().connecting, 0);
}

}  // namespace
}  // namespace pgmcp::database

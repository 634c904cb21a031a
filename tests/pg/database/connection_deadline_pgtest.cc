// A connection's client-side deadline (database/socket_deadline.h) against a real PostgreSQL: a
// wait past its deadline ends in kTimeout and breaks the connection, each call is held to its own
// deadline whatever the calls before it had, and a finished call leaves no timer pending.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <memory>

#include "database/connection.h"
#include "support/run_to_completion.h"
#include "support/test_database.h"

namespace pgmcp::database {
namespace {
namespace asio = boost::asio;
using std::chrono::milliseconds;
using std::chrono::seconds;

class ConnectionDeadlineTest : public ::testing::Test {
 protected:
  std::unique_ptr<Connection> Connect() {
    auto c = pgmcp::testing::RunToCompletion(io_, Connection::Connect(db_.Dsn(), Clock::now() + seconds(5)));
    EXPECT_TRUE(c.ok()) << c.error().message;
    return c.ok() ? std::move(c.value()) : nullptr;
  }
  Result<std::vector<Rows>> Run(Connection& conn, std::string sql, Deadline deadline) {
    const std::vector<Statement> statements{Statement{std::move(sql), {}}};
    return pgmcp::testing::RunToCompletion(io_, conn.RunPipeline(statements, deadline));
  }

  testing::TestDatabase db_;
  asio::io_context io_;
};

TEST_F(ConnectionDeadlineTest, AWaitPastItsDeadlineIsATimeoutAndBreaksTheConnection) {
  auto conn = Connect();
  ASSERT_NE(conn, nullptr);
  const auto start = Clock::now();
  auto r = Run(*conn, "SELECT pg_catalog.pg_sleep(5)", start + milliseconds(200));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kTimeout) << r.error().message;
  EXPECT_GE(Clock::now() - start, milliseconds(200));
  EXPECT_LT(Clock::now() - start, seconds(2));
  EXPECT_EQ(conn->state(), ConnectionState::kBroken);
}

// The calls before set longer and shorter deadlines: each call still ends at its own.
TEST_F(ConnectionDeadlineTest, EachCallIsHeldToItsOwnDeadline) {
  auto conn = Connect();
  ASSERT_NE(conn, nullptr);
  auto quick = Run(*conn, "SELECT 1", Clock::now() + milliseconds(100));
  ASSERT_TRUE(quick.ok()) << quick.error().message;
  // Longer than the previous call's deadline from now: runs to its end.
  auto slow = Run(*conn, "SELECT pg_catalog.pg_sleep(0.4)", Clock::now() + seconds(10));
  ASSERT_TRUE(slow.ok()) << slow.error().message;
  auto relaxed = Run(*conn, "SELECT 1", Clock::now() + seconds(60));
  ASSERT_TRUE(relaxed.ok()) << relaxed.error().message;
  // Shorter than the previous call's: ends at its own.
  const auto start = Clock::now();
  auto r = Run(*conn, "SELECT pg_catalog.pg_sleep(5)", start + milliseconds(200));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kTimeout) << r.error().message;
  EXPECT_LT(Clock::now() - start, seconds(2));
}

// RunToCompletion returns once io_context::run has no work left: a timer left armed after the
// call would hold it until the deadline (`pgmcp call` would hang that long before exiting).
TEST_F(ConnectionDeadlineTest, AFinishedCallLeavesNoTimerPending) {
  auto conn = Connect();
  ASSERT_NE(conn, nullptr);
  const auto start = Clock::now();
  auto r = Run(*conn, "SELECT 1", start + seconds(30));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_LT(Clock::now() - start, seconds(5));
  EXPECT_TRUE(conn->IsIdle());
}

}  // namespace
}  // namespace pgmcp::database

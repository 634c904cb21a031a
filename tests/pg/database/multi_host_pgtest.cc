// The pool over a multi-host DSN against two real servers, the test cluster (primary) and a
// streaming standby of it (tests/support/pg_cluster standby): new connections are spread over
// the listed hosts, prefer-standby still picks the standby, and a standby that stops is replaced
// by the next host without a failed call.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <set>
#include <unistd.h>

#include "database/read_only_call.h"
#include "support/run_to_completion.h"

namespace pgmcp::database {
namespace {
namespace asio = boost::asio;

const std::string kPgCluster = std::string(PGMCP_SOURCE_DIR) + "/tests/support/pg_cluster";

std::string PortOf(const std::string& cluster_dir) {
  std::ifstream in(cluster_dir + "/env");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("PGPORT=", 0) == 0) return line.substr(7);
  }
  return "";
}

void PgCluster(const std::string& args) {
  ASSERT_EQ(std::system((kPgCluster + " " + args + " >&2").c_str()), 0) << "pg_cluster " << args;
}

class MultiHostTest : public ::testing::Test {
 protected:
  // One standby for the suite: pg_basebackup of the shared test cluster takes about a second.
  static void SetUpTestSuite() {
    const char* primary = std::getenv("PGMCP_TEST_CLUSTER");
    ASSERT_NE(primary, nullptr);
    primary_dir_ = primary;
    standby_dir_ = ::testing::TempDir() + "pgmcp_standby_" + std::to_string(::getpid());
    PgCluster("standby " + primary_dir_ + " " + standby_dir_);
  }
  static void TearDownTestSuite() { PgCluster("stop " + standby_dir_); }

  static std::string Dsn(const std::string& first_port, const std::string& second_port, const std::string& attrs) {
    return "host=127.0.0.1,127.0.0.1 port=" + first_port + "," + second_port +
           " dbname=postgres user=postgres target_session_attrs=" + attrs;
  }
  std::shared_ptr<Pool> MakePool(std::string dsn, int max) {
    PoolOptions o;
    o.dsn = std::move(dsn);
    o.min = 0;
    o.max = max;
    return Pool::Create(io_.get_executor(), o);
  }
  // The server port each of `calls` simultaneous calls ran on (each holds its connection for a
  // moment, so the pool opens one connection per call).
  std::multiset<std::string> PortsOfSimultaneousCalls(Pool& pool, int calls) {
    std::multiset<std::string> ports;
    for (int i = 0; i < calls; ++i) {
      asio::co_spawn(
          io_,
          [&pool, &ports]() -> asio::awaitable<void> {
            auto call = RunReadOnly(pool, {}, Statement{"SELECT inet_server_port()::text FROM pg_sleep(0.2)", {}},
                                    Clock::now() + std::chrono::seconds(5));
            auto r = co_await std::move(call);
            ports.insert(r ? std::string(r->Value(0, 0)) : "error: " + r.error().message);
          },
          asio::detached);
    }
    io_.restart();
    io_.run();
    return ports;
  }
  std::string PortOfOneCall(Pool& pool) {
    auto r =
        pgmcp::testing::RunToCompletion(io_, RunReadOnly(pool, {}, Statement{"SELECT inet_server_port()::text", {}},
                                                         Clock::now() + std::chrono::seconds(5)));
    return r ? std::string(r->Value(0, 0)) : "error: " + r.error().message;
  }

  static std::string primary_dir_;
  static std::string standby_dir_;
  asio::io_context io_;
};
std::string MultiHostTest::primary_dir_;
std::string MultiHostTest::standby_dir_;

// Before the spread every connection went to the first host that answered: all four on one.
TEST_F(MultiHostTest, NewConnectionsAreSpreadOverTheListedHosts) {
  auto primary = PortOf(primary_dir_), standby = PortOf(standby_dir_);
  auto pool = MakePool(Dsn(primary, standby, "any"), 4);
  auto ports = PortsOfSimultaneousCalls(*pool, 4);
  EXPECT_EQ(ports.count(primary), 2u);
  EXPECT_EQ(ports.count(standby), 2u);
}

TEST_F(MultiHostTest, PreferStandbyStillSendsEveryConnectionToTheStandby) {
  auto primary = PortOf(primary_dir_), standby = PortOf(standby_dir_);
  auto pool = MakePool(Dsn(primary, standby, "prefer-standby"), 4);
  auto ports = PortsOfSimultaneousCalls(*pool, 4);
  EXPECT_EQ(ports.count(standby), 4u) << "ran on: " << ::testing::PrintToString(ports);
}

// The pooled connection to the standby is dead once it stops: it is dropped at lease time and
// the call runs on the primary; once the standby is back, new connections go to it again.
TEST_F(MultiHostTest, AStandbyThatStopsIsReplacedByTheNextHostWithoutAFailedCall) {
  auto primary = PortOf(primary_dir_), standby = PortOf(standby_dir_);
  auto pool = MakePool(Dsn(standby, primary, "prefer-standby"), 2);
  ASSERT_EQ(PortOfOneCall(*pool), standby);
  PgCluster("down " + standby_dir_);
  EXPECT_EQ(PortOfOneCall(*pool), primary) << "the call after the standby stopped";
  EXPECT_EQ(PortOfOneCall(*pool), primary);
  PgCluster("up " + standby_dir_);
  auto fresh = MakePool(Dsn(standby, primary, "prefer-standby"), 2);
  EXPECT_EQ(PortOfOneCall(*fresh), standby) << "a restarted standby serves new connections";
}

}  // namespace
}  // namespace pgmcp::database

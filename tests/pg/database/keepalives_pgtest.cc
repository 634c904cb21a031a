// TCP keepalives on pgmcp's database connections (docs/reference.md, "Outages"): the first probe
// after a minute of silence instead of the kernel's two hours, unless the DSN says otherwise. Read
// from the kernel's own table of TCP sockets (/proc/net/tcp), as `ss -o` shows it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "database/catalog_reader.h"
#include "database/connection.h"
#include "support/run_to_completion.h"
#include "support/test_database.h"

namespace pgmcp::database {
namespace {

// The keepalive timer of the IPv4 TCP socket bound to local `port`: its seconds to the next probe,
// or nothing when the socket is not found or runs another timer.
std::optional<double> KeepaliveSecondsLeft(int port) {
  std::ifstream table("/proc/net/tcp");
  std::string line;
  std::getline(table, line);  // the header
  while (std::getline(table, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state, queues, timer;
    fields >> slot >> local >> remote >> state >> queues >> timer;
    if (std::stoi(local.substr(local.find(':') + 1), nullptr, 16) != port) continue;
    // "tr:when": timer 2 is the keepalive timer, `when` in clock ticks.
    if (timer.substr(0, 2) != "02") return std::nullopt;
    return static_cast<double>(std::stol(timer.substr(3), nullptr, 16)) / static_cast<double>(sysconf(_SC_CLK_TCK));
  }
  return std::nullopt;
}

class KeepalivesTest : public ::testing::Test {
 protected:
  // Connects with `dsn` and returns the keepalive timer of pgmcp's end of the connection.
  std::optional<double> KeepaliveOf(const std::string& dsn) {
    auto conn = pgmcp::testing::RunToCompletion(io_, Connection::Connect(dsn, Clock::now() + std::chrono::seconds(5)));
    EXPECT_TRUE(conn.ok()) << conn.error().message;
    if (!conn) return std::nullopt;
    return KeepaliveOfOpenConnection();
  }
  // The keepalive timer of pgmcp's end of the connection it has open to the test database.
  std::optional<double> KeepaliveOfOpenConnection() {
    // The newest: a connection closed just before may still be leaving the list.
    const int port = std::stoi(db_.Scalar("SELECT client_port FROM pg_stat_activity WHERE application_name = 'pgmcp' "
                                          "AND datname = current_database() ORDER BY backend_start DESC LIMIT 1"));
    return KeepaliveSecondsLeft(port);
  }
  // A service file (PGSERVICEFILE) whose service "ka" names the test database and sets
  // keepalives_idle=300.
  void UseServiceFile() {
    service_file_ = std::filesystem::temp_directory_path() / ("pgmcp-ka-" + std::to_string(::getpid()) + ".conf");
    std::ofstream out(service_file_);
    std::string lines = db_.Dsn();
    std::replace(lines.begin(), lines.end(), ' ', '\n');
    out << "[ka]\n" << lines << "\nkeepalives_idle=300\n";
    ::setenv("PGSERVICEFILE", service_file_.c_str(), 1);
  }
  void TearDown() override {
    if (!service_file_.empty()) {
      ::unsetenv("PGSERVICEFILE");
      std::filesystem::remove(service_file_);
    }
  }

  pgmcp::testing::TestDatabase db_;
  boost::asio::io_context io_;
  std::filesystem::path service_file_;
};

TEST_F(KeepalivesTest, AnIdleConnectionIsProbedAfterAMinuteNotTwoHours) {
  auto left = KeepaliveOf(db_.Dsn());
  ASSERT_TRUE(left.has_value()) << "no keepalive timer on pgmcp's socket";
  EXPECT_LE(*left, 60.0);
  EXPECT_GT(*left, 30.0);
}

TEST_F(KeepalivesTest, TheDsnsOwnKeepaliveSettingWins) {
  auto left = KeepaliveOf(db_.Dsn() + " keepalives_idle=300");
  ASSERT_TRUE(left.has_value()) << "no keepalive timer on pgmcp's socket";
  EXPECT_GT(*left, 60.0);
  EXPECT_LE(*left, 300.0);
}

// libpq takes from a service file only the keys not given: a default of pgmcp's would beat it.
TEST_F(KeepalivesTest, AServiceFilesKeepaliveSettingWins) {
  UseServiceFile();
  auto left = KeepaliveOf("service=ka");
  ASSERT_TRUE(left.has_value()) << "no keepalive timer on pgmcp's socket";
  EXPECT_GT(*left, 60.0);
  EXPECT_LE(*left, 300.0);
}

// The catalog connection (start-up, reloads) is opened apart, from the DSN text: the same rules.
TEST_F(KeepalivesTest, TheCatalogConnectionHasTheSameKeepalives) {
  {
    auto reader = ConnectCatalogReader(db_.Dsn(), Clock::now() + std::chrono::seconds(5));
    ASSERT_TRUE(reader.ok()) << reader.error().message;
    auto left = KeepaliveOfOpenConnection();
    ASSERT_TRUE(left.has_value());
    EXPECT_LE(*left, 60.0);
  }
  UseServiceFile();
  auto reader = ConnectCatalogReader("service=ka", Clock::now() + std::chrono::seconds(5));
  ASSERT_TRUE(reader.ok()) << reader.error().message;
  auto left = KeepaliveOfOpenConnection();
  ASSERT_TRUE(left.has_value());
  EXPECT_GT(*left, 60.0);
}

}  // namespace
}  // namespace pgmcp::database

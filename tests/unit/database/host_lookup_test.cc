// ResolveHostNames: which host entries of a DSN are looked up (names only, never socket paths,
// IP literals or entries with a hostaddr), how lists stay aligned, and the errors. No database
// needed: "localhost" resolves from /etc/hosts, "*.invalid" never resolves (RFC 6761).
#include "database/host_lookup.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "support/run_to_completion.h"

namespace pgmcp::database {
namespace {

std::map<std::string, std::string> Resolve(const std::string& dsn) {
  boost::asio::io_context io;
  auto r = pgmcp::testing::RunToCompletion(io, ResolveHostNames(dsn, Clock::now() + std::chrono::seconds(10)));
  if (!r) {
    ADD_FAILURE() << "unexpected error for " << dsn << ": " << r.error().message;
    return {};
  }
  return {r->begin(), r->end()};
}

// "a,,b" -> {"a", "", "b"}: the trailing comma keeps an empty last entry for getline.
std::vector<std::string> Split(const std::string& list) {
  std::vector<std::string> items;
  std::istringstream in(list + ",");
  for (std::string item; std::getline(in, item, ',');) items.push_back(item);
  return items;
}

Error Failure(const std::string& dsn) {
  boost::asio::io_context io;
  auto r = pgmcp::testing::RunToCompletion(io, ResolveHostNames(dsn, Clock::now() + std::chrono::seconds(10)));
  EXPECT_FALSE(r.ok()) << dsn;
  return r ? Error{} : r.error();
}

bool IsLoopback(const std::string& address) { return address == "127.0.0.1" || address == "::1"; }

TEST(HostLookupTest, UnixSocketPathsAndIpLiteralsStayAsTheyAre) {
  auto p = Resolve("host=/run/postgresql,@abstract,127.0.0.1,::1 port=5433 dbname=app");
  EXPECT_EQ(p["host"], "/run/postgresql,@abstract,127.0.0.1,::1");
  EXPECT_EQ(p.count("hostaddr"), 0u) << "nothing looked up, nothing added";
  EXPECT_EQ(p["port"], "5433");
  EXPECT_EQ(p["dbname"], "app");
}

TEST(HostLookupTest, HostNameGetsItsAddressAsHostaddrAndKeepsItsName) {
  auto p = Resolve("postgresql://app@localhost:5433/shop?sslmode=disable");
  ASSERT_FALSE(p["hostaddr"].empty());
  EXPECT_TRUE(IsLoopback(p["hostaddr"].substr(0, p["hostaddr"].find(',')))) << p["hostaddr"];
  EXPECT_EQ(p["host"].substr(0, 9), "localhost") << "kept for TLS verification";
  EXPECT_EQ(p["port"], "5433");
  EXPECT_EQ(p["user"], "app");
  EXPECT_EQ(p["dbname"], "shop");
  EXPECT_EQ(p["sslmode"], "disable");
}

TEST(HostLookupTest, MultiHostListStaysAlignedWithPortsAndGivenHostaddrs) {
  auto p = Resolve("host=/tmp,localhost,db.invalid,10.0.0.9 hostaddr=,,10.0.0.5, port=1,2,3,4");
  // localhost may have one or two loopback addresses; each becomes its own entry.
  auto hosts = Split(p["host"]);
  auto hostaddrs = Split(p["hostaddr"]);
  auto ports = Split(p["port"]);
  ASSERT_EQ(hosts.size(), hostaddrs.size());
  ASSERT_EQ(hosts.size(), ports.size());
  ASSERT_GE(hosts.size(), 4u);
  EXPECT_EQ(hosts.front(), "/tmp");
  EXPECT_EQ(hostaddrs.front(), "");
  EXPECT_EQ(ports.front(), "1");
  for (size_t i = 1; i + 2 < hosts.size(); ++i) {
    EXPECT_EQ(hosts[i], "localhost");
    EXPECT_TRUE(IsLoopback(hostaddrs[i])) << hostaddrs[i];
    EXPECT_EQ(ports[i], "2");
  }
  size_t n = hosts.size();
  EXPECT_EQ(hosts[n - 2], "db.invalid") << "a hostaddr of its own: not looked up";
  EXPECT_EQ(hostaddrs[n - 2], "10.0.0.5");
  EXPECT_EQ(ports[n - 2], "3");
  EXPECT_EQ(hosts[n - 1], "10.0.0.9");
  EXPECT_EQ(hostaddrs[n - 1], "");
  EXPECT_EQ(ports[n - 1], "4");
}

TEST(HostLookupTest, NameThatDoesNotResolveIsDroppedFromAList) {
  auto p = Resolve("host=nonexistent.invalid,localhost");
  EXPECT_EQ(p["host"].find("nonexistent"), std::string::npos) << p["host"];
  EXPECT_EQ(p["host"].substr(0, 9), "localhost");
}

TEST(HostLookupTest, NoHostThatResolvesIsLibpqsError) {
  auto e = Failure("host=nonexistent.invalid dbname=app");
  EXPECT_EQ(e.kind, ErrorKind::kUnavailable);
  EXPECT_EQ(e.message.rfind("could not translate host name \"nonexistent.invalid\" to address", 0), 0u) << e.message;
}

// A configuration error, whose message quotes nothing of the DSN: libpq's own would quote the text
// around the fault, which can be the password.
TEST(HostLookupTest, DsnLibpqCannotParseIsAConfigErrorQuotingNothingOfIt) {
  auto e = Failure("host=db password='S3cret");
  EXPECT_EQ(e.kind, ErrorKind::kConfig);
  EXPECT_NE(e.message.find("connection string"), std::string::npos) << e.message;
  EXPECT_EQ(e.message.find("S3cret"), std::string::npos) << e.message;
  EXPECT_FALSE(CheckConnectionString("host=db password='S3cret").ok());
  EXPECT_TRUE(CheckConnectionString("host=db password='S3cret'").ok());
  EXPECT_TRUE(CheckConnectionString("shop").ok()) << "a bare database name";
}

TEST(HostLookupTest, BareDatabaseNameIsTheDbname) {
  auto p = Resolve("shop");
  EXPECT_EQ(p["dbname"], "shop");
}

TEST(HostLookupTest, HostFromTheEnvironmentIsResolvedToo) {
  ::setenv("PGHOST", "localhost", 1);
  auto p = Resolve("dbname=app");
  ::unsetenv("PGHOST");
  EXPECT_EQ(p["host"].substr(0, 9), "localhost");
  EXPECT_TRUE(IsLoopback(p["hostaddr"].substr(0, p["hostaddr"].find(',')))) << p["hostaddr"];
}

}  // namespace
}  // namespace pgmcp::database

// Open connections per client (http.max_connections_per_client): who counts as one client, and
// that a client at its limit is refused without disturbing the others.
#include "http/client_connections.h"

#include <gtest/gtest.h>

namespace pgmcp::http {
namespace {
using boost::asio::ip::make_address;

// How many of `tries` new connections from `peer` are counted.
int Admitted(ClientConnections& open, const char* peer, int tries) {
  int admitted = 0;
  for (int i = 0; i < tries; ++i) admitted += open.Add(make_address(peer)) ? 1 : 0;
  return admitted;
}

TEST(ClientConnectionsTest, AClientAtItsLimitIsRefusedOthersAreNot) {
  ClientConnections open(2);
  EXPECT_EQ(Admitted(open, "192.0.2.1", 3), 2);
  EXPECT_EQ(Admitted(open, "192.0.2.2", 1), 1);
  open.Remove(make_address("192.0.2.1"));
  EXPECT_EQ(Admitted(open, "192.0.2.1", 2), 1) << "a connection that ended gives its place back";
  for (const char* peer : {"192.0.2.1", "192.0.2.1", "192.0.2.2"}) open.Remove(make_address(peer));
  EXPECT_EQ(open.clients(), 0u) << "a client without connections is forgotten";
}

// A dual-stack listener sees an IPv4 client as ::ffff:a.b.c.d; an IPv6 host has a /64 to pick
// addresses from.
TEST(ClientConnectionsTest, AnIpv4MappedAddressIsItsIpv4ClientAndAnIpv6SlashSixtyFourIsOneClient) {
  ClientConnections open(2);
  EXPECT_EQ(Admitted(open, "192.0.2.1", 1) + Admitted(open, "::ffff:192.0.2.1", 2), 2);
  EXPECT_EQ(Admitted(open, "2001:db8:0:1::1", 1) + Admitted(open, "2001:db8:0:1:ffff::2", 1) +
                Admitted(open, "2001:db8:0:1:1234:5678:9abc:def0", 1),
            2);
  EXPECT_EQ(Admitted(open, "2001:db8:0:2::1", 1), 1) << "another /64 is another client";
  EXPECT_EQ(Unmapped(make_address("::ffff:127.0.0.1")), make_address("127.0.0.1"));
}

TEST(ClientConnectionsTest, ZeroIsNoLimit) {
  ClientConnections open(0);
  EXPECT_EQ(Admitted(open, "192.0.2.1", 1000), 1000);
}

}  // namespace
}  // namespace pgmcp::http

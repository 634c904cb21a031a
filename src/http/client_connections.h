// ClientConnections: how many HTTP connections each client address holds, so that one client
// cannot take every slot of http.max_connections (http.max_connections_per_client). Event-loop only.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <cstddef>
#include <map>

namespace pgmcp::http {

// A peer's address as pgmcp compares it: an IPv4-mapped IPv6 address as the IPv4 address it
// carries (a dual-stack listener sees IPv4 clients that way).
boost::asio::ip::address Unmapped(const boost::asio::ip::address& peer);

class ClientConnections {
 public:
  // `per_client` connections at most per client; 0: no limit.
  explicit ClientConnections(size_t per_client) : per_client_(per_client) {}

  // Counts a new connection of `peer`; false, counting nothing, when its client already holds
  // `per_client`. A client is one IPv4 address, or one IPv6 /64 (the block one host or one
  // network gets: counting its addresses one by one would let it open 2^64 times the limit).
  bool Add(const boost::asio::ip::address& peer);
  // Forgets a connection Add counted.
  void Remove(const boost::asio::ip::address& peer);
  size_t clients() const { return open_.size(); }

 private:
  size_t per_client_;
  std::map<boost::asio::ip::address, size_t> open_;  // clients with a connection open, and how many
};

}  // namespace pgmcp::http

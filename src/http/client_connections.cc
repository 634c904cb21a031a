#include "http/client_connections.h"

namespace pgmcp::http {
namespace asio = boost::asio;

namespace {

// The client `peer` belongs to: the IPv4 address, or the IPv6 address's /64.
asio::ip::address ClientOf(const asio::ip::address& peer) {
  const asio::ip::address address = Unmapped(peer);
  if (!address.is_v6()) return address;
  auto bytes = address.to_v6().to_bytes();
  for (size_t i = 8; i < bytes.size(); ++i) bytes[i] = 0;
  return asio::ip::address_v6(bytes);
}

}  // namespace

asio::ip::address Unmapped(const asio::ip::address& peer) {
  if (peer.is_v6() && peer.to_v6().is_v4_mapped()) return asio::ip::make_address_v4(asio::ip::v4_mapped, peer.to_v6());
  return peer;
}

bool ClientConnections::Add(const asio::ip::address& peer) {
  size_t& open = open_[ClientOf(peer)];  // 0 for a client new here
  if (per_client_ != 0 && open >= per_client_) return false;
  ++open;
  return true;
}

void ClientConnections::Remove(const asio::ip::address& peer) {
  auto it = open_.find(ClientOf(peer));
  if (it == open_.end()) return;
  if (--it->second == 0) open_.erase(it);
}

}  // namespace pgmcp::http

// SubscriptionRegistry: the open subscriptions/listen streams of the HTTP transport (stateless
// era), each a POST answered with an event stream. Queues each stream's list changes for the
// coroutine writing it, and bounds how many one caller may hold. Event-loop only.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/backend.h"
#include "protocol/subscriptions.h"

namespace pgmcp::http {

// One open listen stream: whose it is, what it asked for, and what is still to be written.
struct ListenStream {
  ListenStream(boost::asio::any_io_executor ex, protocol::Subscription s, protocol::CallContext c)
      : subscription(std::move(s)), context(std::move(c)), ready(std::move(ex)) {}
  protocol::Subscription subscription;
  protocol::CallContext context;  // its role decides which list changes it hears of
  std::string owner;
  // Messages to write, oldest first. A list change already queued is not queued twice (the
  // client re-lists once either way), so a stalled client costs at most one message per kind.
  std::deque<std::string> events;
  boost::asio::steady_timer ready;  // cancelled when there is something to send or the stream must end
  bool hung_up = false;             // the client closed its connection
};

class SubscriptionRegistry {
 public:
  explicit SubscriptionRegistry(size_t max_per_owner) : max_per_owner_(max_per_owner) {}

  // A new stream, its acknowledgement queued; nullptr when the caller's owner already holds
  // max_per_owner of them (http.max_sessions_per_owner; the whole table is bounded by
  // http.max_connections, each stream holding one connection).
  std::shared_ptr<ListenStream> Open(boost::asio::any_io_executor executor, protocol::Subscription subscription,
                                     const protocol::CallContext& context);
  void Close(const std::shared_ptr<ListenStream>& stream);
  // Queues `method` on every stream that asked for it and whose caller `affected` names.
  void NotifyAll(std::string_view method, const std::function<bool(const protocol::CallContext&)>& affected);
  // Wakes every stream: the server is stopping.
  void WakeAll();
  size_t size() const { return streams_.size(); }

 private:
  size_t max_per_owner_;
  std::vector<std::shared_ptr<ListenStream>> streams_;
  std::map<std::string, size_t> per_owner_;
};

}  // namespace pgmcp::http

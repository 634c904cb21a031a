#include "http/subscription_registry.h"

#include <algorithm>

#include "http/session_registry.h"

namespace pgmcp::http {

std::shared_ptr<ListenStream> SubscriptionRegistry::Open(boost::asio::any_io_executor executor,
                                                         protocol::Subscription subscription,
                                                         const protocol::CallContext& context) {
  std::string owner = SessionRegistry::Owner(context);
  size_t& held = per_owner_[owner];
  if (held >= max_per_owner_) {
    if (held == 0) per_owner_.erase(owner);
    return nullptr;
  }
  ++held;
  auto stream = std::make_shared<ListenStream>(std::move(executor), std::move(subscription), context);
  stream->owner = std::move(owner);
  stream->ready.expires_at(std::chrono::steady_clock::time_point::max());
  stream->events.push_back(protocol::EncodeAcknowledged(stream->subscription));
  streams_.push_back(stream);
  return stream;
}

void SubscriptionRegistry::Close(const std::shared_ptr<ListenStream>& stream) {
  auto it = std::find(streams_.begin(), streams_.end(), stream);
  if (it == streams_.end()) return;
  streams_.erase(it);
  if (auto owner = per_owner_.find(stream->owner); owner != per_owner_.end() && --owner->second == 0) {
    per_owner_.erase(owner);
  }
}

void SubscriptionRegistry::NotifyAll(std::string_view method,
                                     const std::function<bool(const protocol::CallContext&)>& affected) {
  for (auto& stream : streams_) {
    if (!stream->subscription.filter.Wants(method) || !affected(stream->context)) continue;
    std::string event = protocol::EncodeListChanged(stream->subscription, method);
    if (std::find(stream->events.begin(), stream->events.end(), event) != stream->events.end()) continue;
    stream->events.push_back(std::move(event));
    stream->ready.cancel();
  }
}

void SubscriptionRegistry::WakeAll() {
  for (auto& stream : streams_) stream->ready.cancel();
}

}  // namespace pgmcp::http

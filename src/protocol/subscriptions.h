// subscriptions/listen, the stateless era's way to hear about changes (docs/reference.md,
// "Subscriptions"): the filter a request asks for, and the messages of the stream it opens (the
// acknowledgement, list changes, the graceful close). Transports keep the open subscriptions;
// this file only decides and encodes. Pure functions; thread-safe.
#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <string_view>
#include <variant>

#include "protocol/errors.h"
#include "protocol/jsonrpc.h"

namespace pgmcp::protocol {

inline constexpr std::string_view kListenMethod = "subscriptions/listen";
inline constexpr std::string_view kMetaSubscriptionId = "io.modelcontextprotocol/subscriptionId";
inline constexpr std::string_view kToolsListChanged = "notifications/tools/list_changed";
inline constexpr std::string_view kResourcesListChanged = "notifications/resources/list_changed";

// What pgmcp honours of a filter: the two list changes a schema reload causes. The prompt list
// (pgmcp has no prompts) and resources/updated (no per-URI updates) are never sent, so they are
// left out of the acknowledgement.
struct SubscriptionFilter {
  bool tools_list_changed = false;
  bool resources_list_changed = false;
  // The subscription asked for notifications of this method.
  bool Wants(std::string_view method) const;
};

// One open subscription: the listen request's id, which every message of its stream names, and
// what it asked for.
struct Subscription {
  boost::json::value id;
  SubscriptionFilter filter;
};

// A subscriptions/listen request whose _meta was checked: the subscription it opens, or the
// error reply for a params.notifications that is missing or of the wrong shape.
std::variant<Subscription, Reply> ParseListen(const Request& request);

// The first message of every stream: notifications/subscriptions/acknowledged with the honoured filter.
std::string EncodeAcknowledged(const Subscription& subscription);
// A list change (`method` is kToolsListChanged or kResourcesListChanged) on the stream.
std::string EncodeListChanged(const Subscription& subscription, std::string_view method);
// The result that ends a subscription gracefully (the server stops): the listen request's answer.
std::string EncodeSubscriptionClosed(const Subscription& subscription, std::string_view server_version);

}  // namespace pgmcp::protocol

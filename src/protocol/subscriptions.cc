#include "protocol/subscriptions.h"

#include <boost/json/object.hpp>

#include "protocol/eras.h"

namespace pgmcp::protocol {
namespace json = boost::json;

namespace {

constexpr std::string_view kFilterExample = R"({"toolsListChanged": true, "resourcesListChanged": true})";

Reply BadFilter(const Request& request, const std::string& why) {
  return FaultReply(Fault::kInvalidParams, request.id, "Invalid params: " + why);
}

json::object SubscriptionMeta(const Subscription& subscription) {
  return json::object{{kMetaSubscriptionId, subscription.id}};
}

}  // namespace

bool SubscriptionFilter::Wants(std::string_view method) const {
  return (method == kToolsListChanged && tools_list_changed) ||
         (method == kResourcesListChanged && resources_list_changed);
}

std::variant<Subscription, Reply> ParseListen(const Request& request) {
  const json::value* notifications =
      request.params.is_object() ? request.params.get_object().if_contains("notifications") : nullptr;
  if (notifications == nullptr || !notifications->is_object()) {
    return BadFilter(request, "subscriptions/listen needs \"notifications\", an object such as " +
                                  std::string(kFilterExample) + ".");
  }
  Subscription subscription{request.id, {}};
  for (const auto& [key, value] : notifications->get_object()) {
    if (key == "toolsListChanged" || key == "resourcesListChanged" || key == "promptsListChanged") {
      if (!value.is_bool()) {
        return BadFilter(request, "\"notifications." + std::string(key) + "\" must be true or false.");
      }
      if (key == "toolsListChanged") subscription.filter.tools_list_changed = value.get_bool();
      if (key == "resourcesListChanged") subscription.filter.resources_list_changed = value.get_bool();
    } else if (key == "resourceSubscriptions") {
      bool strings = value.is_array();
      if (strings) {
        for (const auto& uri : value.get_array()) strings = strings && uri.is_string();
      }
      if (!strings) return BadFilter(request, "\"notifications.resourceSubscriptions\" must be an array of URIs.");
    }
    // Other keys belong to extensions (e.g. taskIds): not honoured, so not acknowledged.
  }
  return subscription;
}

std::string EncodeAcknowledged(const Subscription& subscription) {
  json::object honoured;
  if (subscription.filter.tools_list_changed) honoured["toolsListChanged"] = true;
  if (subscription.filter.resources_list_changed) honoured["resourcesListChanged"] = true;
  return EncodeNotification("notifications/subscriptions/acknowledged",
                            json::object{{"_meta", SubscriptionMeta(subscription)}, {"notifications", std::move(honoured)}});
}

std::string EncodeListChanged(const Subscription& subscription, std::string_view method) {
  return EncodeNotification(method, json::object{{"_meta", SubscriptionMeta(subscription)}});
}

std::string EncodeSubscriptionClosed(const Subscription& subscription, std::string_view server_version) {
  json::object meta = SubscriptionMeta(subscription);
  meta[kMetaServerInfo] = json::object{{"name", "pgmcp"}, {"version", server_version}};
  return EncodeResult(subscription.id, json::object{{"resultType", "complete"}, {"_meta", std::move(meta)}});
}

}  // namespace pgmcp::protocol

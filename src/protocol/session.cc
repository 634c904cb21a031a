#include "protocol/session.h"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/json/serialize.hpp>

#include "logging/log.h"
#include "protocol/eras.h"

namespace pgmcp::protocol {
namespace asio = boost::asio;
namespace json = boost::json;

namespace {

constexpr const char* kSupportedVersions[] = {"2025-11-25", "2025-06-18", "2025-03-26"};

}  // namespace

bool IsSupportedProtocolVersion(std::string_view version) {
  for (const char* v : kSupportedVersions) {
    if (version == v) return true;
  }
  return false;
}

size_t CurrentMaxJsonDepth(const config::SettingsSource* settings, size_t fallback) {
  if (settings == nullptr) return fallback;
  return static_cast<size_t>(settings->current()->limits.max_json_depth);
}

std::shared_ptr<Session> Session::Create(asio::any_io_executor executor, std::shared_ptr<Backend> backend,
                                         SessionOptions options, Sink sink) {
  return std::shared_ptr<Session>(new Session(std::move(executor), std::move(backend), std::move(options), std::move(sink)));
}

Session::Session(asio::any_io_executor executor, std::shared_ptr<Backend> backend, SessionOptions options, Sink sink)
    : executor_(std::move(executor)),
      handlers_(std::move(backend), options.server_version),
      options_(std::move(options)),
      sink_(std::move(sink)) {}

std::string Session::IdKey(const json::value& id) { return json::serialize(id); }

void Session::Send(const json::value& id, Reply reply) { sink_(Outgoing{std::move(reply.text), IdKey(id)}); }

void Session::Receive(std::string_view text, const CallContext* context) {
  Dispatch(ParseMessage(text, CurrentMaxJsonDepth(options_.settings.get(), options_.max_json_depth)), context);
}

void Session::Dispatch(Message message, const CallContext* context) {
  if (auto* m = std::get_if<Malformed>(&message)) {
    sink_(Outgoing{EncodeError(m->id, m->code, m->message), IdKey(m->id)});
  } else if (auto* r = std::get_if<Request>(&message)) {
    HandleRequest(std::move(*r), context != nullptr ? *context : options_.context);
  } else if (auto* n = std::get_if<Notification>(&message)) {
    HandleNotification(*n);
  }
  // ClientResponse: pgmcp sends no requests to clients, so there is nothing to match it with.
}

json::value Session::Initialize(const json::value& params) {
  std::string requested;
  if (const auto* obj = params.if_object()) {
    if (const auto* v = obj->if_contains("protocolVersion"); v != nullptr && v->is_string()) {
      requested = std::string(v->get_string());
    }
  }
  // Echo a version we speak; otherwise offer our latest and let the client decide (spec lifecycle).
  std::string version = IsSupportedProtocolVersion(requested) ? requested : kLatestProtocolVersion;
  initialized_ = true;
  return json::object{
      {"protocolVersion", version},
      {"capabilities", json::object{{"tools", json::object{{"listChanged", true}}},
                                    {"resources", json::object{{"listChanged", true}}},
                                    {"logging", json::object{}}}},
      {"serverInfo", json::object{{"name", "pgmcp"}, {"title", "pgmcp: read-only PostgreSQL"},
                                  {"version", options_.server_version}}},
      {"instructions", kInstructions},
  };
}

void Session::HandleRequest(Request request, const CallContext& context) {
  if (auto claim = StatelessClaim(request.params)) {
    // A stateless-era request on a stdio process: served without touching the session's state.
    if (auto refused = handlers_.CheckStatelessMeta(request, *claim)) {
      Send(request.id, std::move(*refused));
      return;
    }
    if (request.method == kListenMethod) {
      Listen(request);
      return;
    }
    // initialize, ping and logging/setLevel do not exist in this era.
    if (!ServeCommon(request, context, Era::kStateless)) {
      Send(request.id, FaultReply(Fault::kMethodNotFound, request.id, "Method not found: " + Echo(request.method)));
    }
    return;
  }
  const std::string& method = request.method;
  if (method == "initialize") {
    Send(request.id, Reply{EncodeResult(request.id, Initialize(request.params))});
    return;
  }
  if (method == "ping") {
    Send(request.id, Reply{EncodeResult(request.id, json::object{})});
    return;
  }
  if (!initialized_) {
    Send(request.id, FaultReply(Fault::kInvalidRequest, request.id,
                                "Invalid Request: the session is not initialized; send initialize first."));
    return;
  }
  if (method == "logging/setLevel") {
    Send(request.id, Reply{EncodeResult(request.id, json::object{})});
    return;
  }
  if (!ServeCommon(request, context, Era::kSession)) {
    Send(request.id, FaultReply(Fault::kMethodNotFound, request.id, "Method not found: " + Echo(method)));
  }
}

bool Session::ServeCommon(Request& request, const CallContext& context, Era era) {
  if (request.method == "tools/call") {
    StartToolCall(std::move(request), context, era);
    return true;
  }
  auto reply = handlers_.ServeImmediate(request, era, context);
  if (!reply) return false;
  Send(request.id, std::move(*reply));
  return true;
}

void Session::StartToolCall(Request request, const CallContext& context, Era era) {
  auto parsed = handlers_.ParseToolCall(request);
  if (auto* refused = std::get_if<Reply>(&parsed)) {
    Send(request.id, std::move(*refused));
    return;
  }
  auto& call = std::get<ToolCall>(parsed);
  std::string key = IdKey(request.id);
  if (in_flight_.count(key) != 0) {
    Send(request.id, FaultReply(Fault::kInvalidRequest, request.id, "Invalid Request: this id is already in use."));
    return;
  }
  auto signal = std::make_shared<asio::cancellation_signal>();
  in_flight_[key] = signal;
  auto self = shared_from_this();
  asio::co_spawn(
      executor_, handlers_.backend().CallTool(std::move(call.name), std::move(call.arguments), context),
      asio::bind_cancellation_slot(
          // The handler owns the signal: it must outlive the coroutine bound to its slot.
          signal->slot(),
          [self, key, signal, era, id = request.id](std::exception_ptr error, Result<ToolOutcome> outcome) {
            auto it = self->in_flight_.find(key);
            // Cancelled: the client expects no reply. The slot is this call's only if it holds
            // this call's signal; once cancelled, the id may name a new request already.
            if (it == self->in_flight_.end() || it->second != signal) return;
            self->in_flight_.erase(it);
            if (error) {
              logging::Error("tool_call_crashed", {{"session", self->options_.context.session_id}});
              self->Send(id, FaultReply(Fault::kInternalError, id, "Internal error."));
              return;
            }
            self->Send(id, self->handlers_.ToolCallReply(id, outcome, era));
          }));
}

void Session::Listen(const Request& request) {
  auto parsed = ParseListen(request);
  if (auto* refused = std::get_if<Reply>(&parsed)) {
    Send(request.id, std::move(*refused));
    return;
  }
  std::string key = IdKey(request.id);
  if (in_flight_.contains(key) || subscriptions_.contains(key)) {
    Send(request.id, FaultReply(Fault::kInvalidRequest, request.id, "Invalid Request: this id is already in use."));
    return;
  }
  if (subscriptions_.size() >= kMaxSubscriptionsPerSession) {
    Send(request.id, FaultReply(Fault::kTooManySubscriptions, request.id,
                                "Too many open subscriptions (" + std::to_string(kMaxSubscriptionsPerSession) +
                                    "); cancel one first."));
    return;
  }
  auto& subscription = subscriptions_[key] = std::get<Subscription>(std::move(parsed));
  // The acknowledgement is a notification: the listen request itself is answered only when the
  // server ends the subscription.
  sink_(Outgoing{EncodeAcknowledged(subscription), std::nullopt});
}

void Session::EndSubscriptions() {
  auto open = std::move(subscriptions_);
  subscriptions_.clear();
  for (auto& [key, subscription] : open) {
    sink_(Outgoing{EncodeSubscriptionClosed(subscription, options_.server_version), key});
  }
}

void Session::HandleNotification(const Notification& n) {
  if (n.method == "notifications/cancelled") {
    const json::value* id = n.params.is_object() ? n.params.get_object().if_contains("requestId") : nullptr;
    if (id == nullptr) return;
    // A cancelled subscription just ends: a cancelled request gets no answer.
    if (subscriptions_.erase(IdKey(*id)) != 0) return;
    auto it = in_flight_.find(IdKey(*id));
    if (it == in_flight_.end()) return;  // finished already, or never existed: ignore (spec)
    auto signal = it->second;
    in_flight_.erase(it);
    signal->emit(asio::cancellation_type::terminal);
  }
  // notifications/initialized and anything else need no answer.
}

void Session::Notify(std::string_view method, const json::value& params) {
  if (initialized_) sink_(Outgoing{EncodeNotification(method, params), std::nullopt});
  for (const auto& [key, subscription] : subscriptions_) {
    if (subscription.filter.Wants(method)) sink_(Outgoing{EncodeListChanged(subscription, method), std::nullopt});
  }
}

void Session::CancelAll() {
  auto flights = std::move(in_flight_);
  in_flight_.clear();
  for (auto& [key, signal] : flights) signal->emit(asio::cancellation_type::terminal);
}

}  // namespace pgmcp::protocol

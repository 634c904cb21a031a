#include "protocol/http_pipeline.h"

#include "logging/log.h"
#include "protocol/eras.h"
#include "protocol/session.h"

namespace pgmcp::protocol {
namespace json = boost::json;

namespace {

// Headers must repeat the body (proxies and load balancers route on them), checked before the
// version itself so that a mismatch is reported as one (docs/protocol-eras.md §2.5).
std::optional<Reply> CheckHeaders(const PostedMessage& posted, const Request& request) {
  auto mismatch = [&](const std::string& message) {
    return FaultReply(Fault::kHeaderMismatch, request.id, "Header mismatch: " + message);
  };
  // An absent header is named as missing: "does not match" would send the client looking for a typo.
  auto missing = [&](std::string_view header, const std::string& value) {
    return FaultReply(Fault::kHeaderMismatch, request.id,
                      "Header missing: a stateless request needs the " + std::string(header) + " header (" + value +
                          ").");
  };
  const json::object& meta = request.params.get_object().at("_meta").get_object();
  const json::value& claimed = meta.at(kMetaProtocolVersion);
  if (posted.protocol_version.empty() && claimed.is_string()) {
    return missing("MCP-Protocol-Version", "here '" + Echo(claimed.get_string()) + "'");
  }
  if (!claimed.is_string() || posted.protocol_version != claimed.get_string()) {
    return mismatch("MCP-Protocol-Version header '" + Echo(posted.protocol_version) +
                    "' does not match the _meta protocol version.");
  }
  if (posted.method.empty()) return missing("Mcp-Method", "here '" + Echo(request.method) + "'");
  auto method_header = DecodeHeaderValue(posted.method);
  if (!method_header || *method_header != request.method) {
    return mismatch("Mcp-Method header does not match the body method '" + Echo(request.method) + "'.");
  }
  std::string_view name_key = request.method == "tools/call"       ? "name"
                              : request.method == "resources/read" ? "uri"
                                                                   : "";
  if (!name_key.empty()) {
    const json::value* name = request.params.get_object().if_contains(name_key);
    if (posted.name.empty()) {
      return missing("Mcp-Name", "the body's " + std::string(name_key) + (name != nullptr && name->is_string()
                                     ? " '" + Echo(name->get_string()) + "'" : ""));
    }
    auto name_header = DecodeHeaderValue(posted.name);
    if (name == nullptr || !name->is_string() || !name_header || *name_header != name->get_string()) {
      return mismatch("Mcp-Name header does not match the body " + std::string(name_key) + ".");
    }
  }
  return std::nullopt;
}

}  // namespace

json::value ReplyId(const SessionMessage& message) {
  const Request* request = message.request();
  return request != nullptr ? request->id : json::value(nullptr);
}

Route RoutePost(const PostedMessage& posted, size_t max_json_depth) {
  Message message = ParseMessage(posted.body, max_json_depth);
  if (auto* bad = std::get_if<Malformed>(&message)) {
    return Immediate{Reply{EncodeError(bad->id, bad->code, bad->message), 400, bad->code}};
  }
  auto* request = std::get_if<Request>(&message);
  const bool stateless_header = IsStatelessHeader(posted.protocol_version);
  const std::string version_header(posted.protocol_version);
  if (request != nullptr) {
    auto claim = StatelessClaim(request->params);
    if (request->method == "initialize" && claim && IsStatelessHeader(*claim)) {
      return Immediate{FaultReply(Fault::kMethodNotFound, request->id,
                                  "Method not found: initialize does not exist in protocol version " + Echo(*claim) +
                                      ".")};
    }
    if (request->method == "initialize" && !claim && stateless_header) {
      return Immediate{FaultReply(Fault::kHeaderMismatch, request->id,
                                  "Header mismatch: MCP-Protocol-Version names the stateless era but the body is "
                                  "a session-era initialize.")};
    }
    if (claim) {
      if (auto mismatch = CheckHeaders(posted, *request)) return Immediate{std::move(*mismatch)};
      return StatelessRequest{std::move(*request)};
    }
    if (stateless_header) {
      return Immediate{FaultReply(Fault::kInvalidParams, request->id,
                                  "Invalid params: a " + Echo(version_header) + " request must carry _meta with "
                                  "\"io.modelcontextprotocol/protocolVersion\" and "
                                  "\"io.modelcontextprotocol/clientCapabilities\".")};
    }
  } else if (stateless_header && posted.session_id.empty()) {
    return Immediate{Reply{"", 202}};  // the stateless era defines no such notification
  }
  SessionMessage in_session{std::move(message), false};
  request = std::get_if<Request>(&in_session.message);
  if (!version_header.empty() && !IsSupportedProtocolVersion(version_header)) {
    return Immediate{FaultReply(Fault::kInvalidRequest, ReplyId(in_session),
                                "Unsupported MCP-Protocol-Version: " + Echo(version_header) + ".")};
  }
  in_session.opens_session = request != nullptr && request->method == "initialize";
  if (!in_session.opens_session && posted.session_id.empty()) {
    return Immediate{FaultReply(Fault::kSessionRequired, ReplyId(in_session),
                                "Bad Request: Mcp-Session-Id header is required (send initialize first).")};
  }
  return in_session;
}

StatelessServer::StatelessServer(std::shared_ptr<Backend> backend, std::string server_version)
    : handlers_(std::move(backend), std::move(server_version)) {}

std::variant<Subscription, Reply> StatelessServer::Listen(const Request& request) const {
  if (auto refused = handlers_.CheckStatelessMeta(request, *StatelessClaim(request.params))) return std::move(*refused);
  return ParseListen(request);
}

boost::asio::awaitable<Reply> StatelessServer::Serve(Request request, CallContext context) const {
  std::string claimed = *StatelessClaim(request.params);
  if (auto refused = handlers_.CheckStatelessMeta(request, claimed)) co_return std::move(*refused);
  if (request.method == "tools/call") {
    auto parsed = handlers_.ParseToolCall(request);
    if (auto* refused = std::get_if<Reply>(&parsed)) co_return std::move(*refused);
    auto& call = std::get<ToolCall>(parsed);
    // Built as a named awaitable first: g++ 12 destroys temporaries inside a co_await
    // full-expression twice, so no argument with a destructor is created inside one.
    auto run = handlers_.backend().CallTool(std::move(call.name), std::move(call.arguments), std::move(context));
    Result<ToolOutcome> outcome;
    bool crashed = false;
    try {
      outcome = co_await std::move(run);
    } catch (const std::exception&) {
      crashed = true;  // a bug in the tool layer: the client gets no detail
    }
    if (crashed) {
      logging::Error("tool_call_crashed", {{"session", ""}});
      co_return FaultReply(Fault::kInternalError, request.id, "Internal error.");
    }
    co_return handlers_.ToolCallReply(request.id, outcome, Era::kStateless);
  }
  if (auto reply = handlers_.ServeImmediate(request, Era::kStateless, context)) co_return std::move(*reply);
  // initialize, ping and logging/setLevel do not exist in this era; subscriptions/listen is Listen's.
  co_return FaultReply(Fault::kMethodNotFound, request.id, "Method not found: " + Echo(request.method));
}

}  // namespace pgmcp::protocol

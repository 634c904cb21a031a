#include "protocol/jsonrpc.h"

#include <boost/json/serialize.hpp>
#include <charconv>

#include "common/json.h"
#include "common/json_string.h"

namespace pgmcp::protocol {
namespace json = boost::json;

namespace {

bool ValidId(const json::value& id) { return id.is_string() || id.is_int64() || id.is_uint64(); }

Malformed Invalid(json::value id, std::string message) {
  return Malformed{std::move(id), error_code::kInvalidRequest, std::move(message)};
}

}  // namespace

Message ParseMessage(std::string_view text, size_t max_depth) {
  auto parsed = ParseJson(text, max_depth);
  if (!parsed) return Malformed{nullptr, error_code::kParseError, "Parse error: " + parsed.error().message};
  json::value& v = *parsed;
  if (v.is_array()) return Invalid(nullptr, "Invalid Request: JSON-RPC batches are not supported.");
  auto* obj = v.if_object();
  if (obj == nullptr) return Invalid(nullptr, "Invalid Request: a message must be a JSON object.");

  const json::value* id = obj->if_contains("id");
  json::value reply_id = (id != nullptr && ValidId(*id)) ? *id : json::value(nullptr);
  const json::value* version = obj->if_contains("jsonrpc");
  if (version == nullptr || !version->is_string() || version->get_string() != "2.0") {
    return Invalid(reply_id, "Invalid Request: \"jsonrpc\" must be \"2.0\".");
  }
  if (id != nullptr && !ValidId(*id)) {
    return Invalid(nullptr, "Invalid Request: \"id\" must be a string or an integer.");
  }
  const json::value* method = obj->if_contains("method");
  if (method == nullptr) {
    if (id != nullptr && (obj->contains("result") || obj->contains("error"))) return ClientResponse{*id};
    return Invalid(reply_id, "Invalid Request: \"method\" is missing.");
  }
  if (!method->is_string()) return Invalid(reply_id, "Invalid Request: \"method\" must be a string.");
  json::value params = nullptr;
  if (json::value* p = obj->if_contains("params")) {
    if (!p->is_object()) {
      return Malformed{reply_id, error_code::kInvalidParams, "Invalid params: \"params\" must be an object."};
    }
    params = std::move(*p);  // moved, not copied: the parsed message is not used again
  }
  std::string name(method->get_string());
  if (id == nullptr) return Notification{std::move(name), std::move(params)};
  return Request{std::move(reply_id), std::move(name), std::move(params)};
}

std::string EncodeResult(const json::value& id, const json::value& result) {
  return json::serialize(json::object{{"jsonrpc", "2.0"}, {"id", id}, {"result", result}});
}

std::string EncodeRawResult(const json::value& id, std::string_view raw_result) {
  std::string out;
  out.reserve(raw_result.size() + 64);
  AppendResultHead(out, id);
  out += raw_result;
  out += '}';
  return out;
}

void AppendResultHead(std::string& out, const json::value& id) {
  out += R"({"jsonrpc":"2.0","id":)";
  if (id.is_string()) {
    pgmcp::AppendJsonString(id.get_string(), out);
  } else if (id.is_int64() || id.is_uint64()) {
    char digits[24];
    auto end = id.is_int64() ? std::to_chars(digits, digits + sizeof digits, id.get_int64()).ptr
                             : std::to_chars(digits, digits + sizeof digits, id.get_uint64()).ptr;
    out.append(digits, end);
  } else {
    out += json::serialize(id);
  }
  out += R"(,"result":)";
}

std::string EncodeError(const json::value& id, int code, std::string_view message, const json::value& data) {
  json::object error{{"code", code}, {"message", message}};
  if (!data.is_null()) error["data"] = data;
  return json::serialize(json::object{{"jsonrpc", "2.0"}, {"id", id}, {"error", std::move(error)}});
}

std::string EncodeNotification(std::string_view method, const json::value& params) {
  json::object msg{{"jsonrpc", "2.0"}, {"method", method}};
  if (!params.is_null()) msg["params"] = params;
  return json::serialize(msg);
}

}  // namespace pgmcp::protocol

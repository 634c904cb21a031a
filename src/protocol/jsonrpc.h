// JSON-RPC 2.0 codec, strict: ids are strings or integers, a missing id means a notification
// (never the same as null), and every malformed message maps to the spec's error code.
#pragma once

#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "protocol/errors.h"

namespace pgmcp::protocol {

struct Request {
  boost::json::value id;  // a string or an integer
  std::string method;
  boost::json::value params;  // an object, or null when absent
};

struct Notification {
  std::string method;
  boost::json::value params;
};

// A response from the client (to a server-initiated request); pgmcp sends none yet and ignores them.
struct ClientResponse {
  boost::json::value id;
};

// A message that cannot be served: answer with this error (id null when it could not be read).
struct Malformed {
  boost::json::value id;
  int code = error_code::kInvalidRequest;
  std::string message;
};

using Message = std::variant<Request, Notification, ClientResponse, Malformed>;

Message ParseMessage(std::string_view text, size_t max_depth);

std::string EncodeResult(const boost::json::value& id, const boost::json::value& result);
// `raw_result` must be one serialized JSON value; it is embedded as is (pre-encoded tool results).
std::string EncodeRawResult(const boost::json::value& id, std::string_view raw_result);
// Appends {"jsonrpc":"2.0","id":<id>,"result": -- the caller appends the result and the closing
// brace: a reply built in one buffer.
void AppendResultHead(std::string& out, const boost::json::value& id);
std::string EncodeError(const boost::json::value& id, int code, std::string_view message,
                        const boost::json::value& data = nullptr);
std::string EncodeNotification(std::string_view method, const boost::json::value& params);

}  // namespace pgmcp::protocol

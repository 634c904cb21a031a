// What each ErrorKind means to the outside world, in one table: the sentence a client sees when
// the error carries none, the metric and log status labels, the JSON-RPC code and the HTTP status.
// Constant data; thread-safe.
#pragma once

#include <string_view>

#include "common/result.h"

namespace pgmcp {

struct ErrorKindInfo {
  ErrorKind kind;
  std::string_view client_sentence;  // default sentence for the client (Error::message overrides it)
  std::string_view metric_status;    // pgmcp_tool_calls_total{status}
  std::string_view log_status;       // the "status" field of log events
  int jsonrpc_code;                  // when the error is answered as a JSON-RPC error
  int http_status;                   // when the error ends an HTTP request on its own
};

// The row of `kind`.
const ErrorKindInfo& Describe(ErrorKind kind);

// The sentence for the client: the error's own message, or the kind's default.
std::string_view ClientSentence(const Error& error);

}  // namespace pgmcp

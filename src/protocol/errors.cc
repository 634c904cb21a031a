#include "protocol/errors.h"

#include <array>

#include "common/enum_table.h"
#include "common/error_kinds.h"
#include "common/utf8.h"
#include "protocol/jsonrpc.h"

namespace pgmcp::protocol {
namespace {

// HTTP statuses follow docs/protocol-eras.md §2.6: malformed requests and header/version
// problems are 400, a method that does not exist is 404, handler errors stay in-band on 200.
constexpr std::array<FaultInfo, 15> kFaults = {{
    {Fault::kParseError, error_code::kParseError, 400},
    {Fault::kInvalidRequest, error_code::kInvalidRequest, 400},
    {Fault::kMethodNotFound, error_code::kMethodNotFound, 404},
    {Fault::kInvalidParams, error_code::kInvalidParams, 400},
    {Fault::kInternalError, error_code::kInternalError, 200},
    {Fault::kResourceNotFound, error_code::kResourceNotFound, 200},
    {Fault::kHeaderMismatch, error_code::kHeaderMismatch, 400},
    {Fault::kUnsupportedVersion, error_code::kUnsupportedVersion, 400},
    {Fault::kSessionRequired, error_code::kInvalidRequest, 400},
    {Fault::kSessionNotFound, error_code::kInvalidRequest, 404},
    {Fault::kTooManySessions, error_code::kInternalError, 429},
    {Fault::kTooManySubscriptions, error_code::kInternalError, 429},
    {Fault::kUnsupportedMediaType, error_code::kInvalidRequest, 415},
    {Fault::kNotAcceptable, error_code::kInvalidRequest, 406},
    {Fault::kOriginNotAllowed, error_code::kInvalidRequest, 403},
}};

static_assert(RowsFollowEnum(kFaults, [](const FaultInfo& row) { return row.fault; }, Fault::kOriginNotAllowed),
              "kFaults must list every Fault, in declaration order");

}  // namespace

const FaultInfo& Describe(Fault fault) { return kFaults[static_cast<size_t>(fault)]; }

std::string Echo(std::string_view caller_text) { return CutUtf8(caller_text, 64); }

Reply FaultReply(Fault fault, const boost::json::value& id, std::string_view message, const boost::json::value& data) {
  const FaultInfo& info = Describe(fault);
  return Reply{EncodeError(id, info.jsonrpc_code, message, data), info.http_status, info.jsonrpc_code};
}

Reply ErrorReply(const Error& error, const boost::json::value& id) {
  const ErrorKindInfo& info = pgmcp::Describe(error.kind);
  return Reply{EncodeError(id, info.jsonrpc_code, ClientSentence(error)), info.http_status, info.jsonrpc_code};
}

}  // namespace pgmcp::protocol

#include "common/error_kinds.h"

#include <array>

#include "common/enum_table.h"

namespace pgmcp {
namespace {

// JSON-RPC codes of the spec (-32602 invalid params, -32603 internal error) and the HTTP status a
// transport answers with when such an error ends a request by itself. Tool-call failures (busy,
// timeout, denied, ...) are answered in-band as isError results; their jsonrpc_code only applies
// when a layer has no result to put them in.
constexpr std::array<ErrorKindInfo, 13> kTable = {{
    {ErrorKind::kInvalidArgument, "The call's arguments are not valid.", "invalid", "invalid", -32602, 400},
    {ErrorKind::kNotFound, "No such tool or resource.", "not_found", "not_found", -32602, 400},
    {ErrorKind::kBusy, "The server is busy; try again shortly.", "busy", "busy", -32603, 503},
    {ErrorKind::kRetry, "The database aborted the call because of concurrent activity; try again.", "retry", "retry",
     -32603, 503},
    {ErrorKind::kTimeout, "The call took longer than its time limit.", "timeout", "timeout", -32603, 504},
    // 499: nginx's "client closed request"; a cancelled call's client expects no answer at all.
    {ErrorKind::kCancelled, "The call was cancelled.", "cancelled", "cancelled", -32603, 499},
    {ErrorKind::kUnauthenticated, "This endpoint needs a valid Bearer token.", "unauthenticated", "unauthenticated",
     -32600, 401},
    {ErrorKind::kForbidden, "Your credentials do not allow this.", "forbidden", "forbidden", -32600, 403},
    {ErrorKind::kPermissionDenied, "Permission denied: your role may not read this data.", "denied", "denied", -32603,
     403},
    {ErrorKind::kUnavailable, "The database is unavailable right now; try again shortly.", "unavailable",
     "unavailable", -32603, 503},
    {ErrorKind::kConfig, "The server is misconfigured.", "error", "config", -32603, 500},
    {ErrorKind::kSecurity, "A security check failed.", "error", "security", -32603, 500},
    {ErrorKind::kInternal, "Internal error.", "error", "error", -32603, 500},
}};

// The table is indexed by the enum: a kind added to result.h without a row fails to compile here.
static_assert(RowsFollowEnum(kTable, [](const ErrorKindInfo& row) { return row.kind; }, ErrorKind::kInternal),
              "kTable must list every ErrorKind, in declaration order");

}  // namespace

const ErrorKindInfo& Describe(ErrorKind kind) { return kTable[static_cast<size_t>(kind)]; }

std::string_view ClientSentence(const Error& error) {
  return error.message.empty() ? Describe(error.kind).client_sentence : std::string_view(error.message);
}

}  // namespace pgmcp

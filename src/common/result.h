// Result<T>: the value of an operation that can fail in an expected way.
// Errors carry a kind and a sentence that is safe to show to an MCP client (no SQL, no what()).
// What each kind becomes outside (metric label, JSON-RPC code, HTTP status): common/error_kinds.h.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace pgmcp {

enum class ErrorKind {
  kInvalidArgument,   // the caller can fix the call (bad column, wrong type, limit too high)
  kNotFound,          // the tool or resource the caller named does not exist
  kBusy,              // no connection for the call: pool exhausted until the acquire deadline, or too many waiting
  kRetry,             // the database aborted the transaction (SQLSTATE class 40: serialization, deadlock); retry
  kTimeout,           // statement_timeout or another deadline
  kCancelled,         // the client cancelled the call
  kUnauthenticated,   // HTTP: the request's credentials are missing or invalid (401)
  kForbidden,         // HTTP: valid credentials whose role may not use pgmcp (403)
  kPermissionDenied,  // the database refused (privileges, row-level security)
  kUnavailable,       // the database cannot be reached
  kConfig,            // bad configuration (exit 2)
  kSecurity,          // a start-up security check failed (exit 2)
  kInternal,          // a bug or an unexpected database answer
};

struct Error {
  ErrorKind kind = ErrorKind::kInternal;
  std::string message;  // one plain sentence for the client or operator
  std::string code;     // machine detail for logs and metrics, e.g. a SQLSTATE or an auth-failure
                        // reason ("expired"); never shown to clients
};

inline Error MakeError(ErrorKind kind, std::string message, std::string code = {}) {
  return Error{kind, std::move(message), std::move(code)};
}

template <typename T>
class [[nodiscard]] Result {
 public:
  // Default: an internal error (Asio's co_spawn needs default-constructible results).
  Result() : v_(Error{ErrorKind::kInternal, "no result", {}}) {}
  Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

// Result<void> spelled as a value: Status.
struct Ok {};
using Status = Result<Ok>;
inline Status OkStatus() { return Ok{}; }

}  // namespace pgmcp

// What verifying an Authorization header yields: the caller's identity, or why it was refused.
// Plain values, copied freely between threads.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <variant>

namespace pgmcp::auth {

// Every AuthFailure::reason, so the metric can export each label at zero from the start.
inline constexpr std::array<std::string_view, 11> kAuthFailureReasons = {
    "missing", "malformed", "algorithm", "signature",    "expired",          "not_yet_valid",
    "no_exp",  "issuer",    "audience",  "role_missing", "role_not_allowed",
};

// A verified caller: the Postgres role to SET for the request, and the claims for RLS.
struct Identity {
  std::string role;         // from auth.role_claim; checked against auth.allowed_roles
  std::string claims_json;  // the payload, re-serialized compactly: set_config('request.jwt.claims', …)
  std::string subject;      // "sub" when it is a string, else empty; for the logs
};

// A refused request. http_status is 401 (no valid token) or 403 (valid token, role not allowed).
struct AuthFailure {
  int http_status = 401;
  std::string reason;   // stable label for pgmcp_auth_failures_total{reason}
  std::string message;  // one plain sentence for the client; never contains the token

  // The RFC 6750 §3.1 `error` attribute for WWW-Authenticate: none when no token was sent,
  // "insufficient_scope" for 403, else "invalid_token".
  std::string_view BearerError() const {
    if (reason == "missing") return {};
    return http_status == 403 ? "insufficient_scope" : "invalid_token";
  }
};

using VerifyOutcome = std::variant<Identity, AuthFailure>;

}  // namespace pgmcp::auth

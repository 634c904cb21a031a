// What verifying an Authorization header yields: the caller's identity, or an Error of kind
// kUnauthenticated (401) or kForbidden (403) whose code is the reason label. Plain values.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace pgmcp::auth {

// Every reason label (Error::code of a refusal), so the metric can export each label at zero from the start.
inline constexpr std::array<std::string_view, 12> kAuthFailureReasons = {
    "missing", "malformed", "algorithm", "signature",    "expired",          "not_yet_valid",
    "no_exp",  "issuer",    "audience",  "role_missing", "role_not_allowed", "keys_pending",
};

// A verified caller: the Postgres role to SET for the request, and the claims for RLS.
struct Identity {
  std::string role;         // from auth.role_claim; checked against auth.allowed_roles
  std::string claims_json;  // the payload, re-serialized compactly: set_config('request.jwt.claims', …)
  std::string subject;      // "sub" when it is a string, else empty; for the logs
  // Only when there is no string "sub": the SHA-256 (hex) of the claims a new token for the same
  // caller keeps (all but exp, iat, nbf and jti). It stands in for sub as the owner of sessions
  // and streams, so that callers without one do not all share one owner's sessions and quotas.
  std::string claims_digest = {};
  int64_t expires_at = 0;   // "exp" in Unix seconds (whole, clamped to int64), so a stream can end with its token
};

using VerifyResult = Result<Identity>;

// The RFC 6750 §3.1 `error` attribute for WWW-Authenticate of a refusal: none when no token was
// sent, "insufficient_scope" for kForbidden, else "invalid_token".
inline std::string_view BearerError(const Error& refusal) {
  if (refusal.code == "missing") return {};
  return refusal.kind == ErrorKind::kForbidden ? "insufficient_scope" : "invalid_token";
}

}  // namespace pgmcp::auth

// How long a fetched JWKS stays fresh (the response's Cache-Control, clamped) and how often a token
// naming an unknown key may make pgmcp fetch again. Pure time arithmetic; not thread-safe by itself.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace pgmcp::auth {

using SteadyTime = std::chrono::steady_clock::time_point;

struct JwksCachePolicy {
  std::chrono::seconds min_lifetime{60};        // floor: no-store or max-age=0 does not mean "fetch per token"
  std::chrono::seconds max_lifetime{86400};     // ceiling: keys are looked at again at least once a day
  std::chrono::seconds default_lifetime{300};   // a response without max-age
  std::chrono::seconds refetch_interval{30};    // auth.jwks_refetch_seconds: fetches at most this often
};

// The freshness of a key set fetched with this Cache-Control header value (RFC 9111 §5.2.2):
// max-age clamped to [min_lifetime, max_lifetime]; no-store/no-cache the floor; else the default.
std::chrono::seconds KeySetLifetime(std::string_view cache_control, const JwksCachePolicy& policy);

// At most one fetch per interval, whatever started it (start-up, expiry, an unknown kid): forged
// key ids must not turn pgmcp into a traffic generator against the identity provider.
class FetchRateLimit {
 public:
  explicit FetchRateLimit(std::chrono::seconds interval) : interval_(interval) {}

  // The earliest time the next fetch may start.
  SteadyTime NextAllowed() const;
  // Records that a fetch started at `now`.
  void Started(SteadyTime now) { last_start_ = now; }

 private:
  std::chrono::seconds interval_;
  std::optional<SteadyTime> last_start_;
};

}  // namespace pgmcp::auth

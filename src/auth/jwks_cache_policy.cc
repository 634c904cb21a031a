#include "auth/jwks_cache_policy.h"

#include <algorithm>
#include <charconv>
#include <cstdint>

#include "auth/header_text.h"

namespace pgmcp::auth {

std::chrono::seconds KeySetLifetime(std::string_view cache_control, const JwksCachePolicy& policy) {
  std::optional<int64_t> max_age;
  bool no_store = false;
  while (!cache_control.empty()) {
    const size_t comma = cache_control.find(',');
    std::string_view directive = TrimSpace(cache_control.substr(0, comma));
    cache_control = comma == std::string_view::npos ? std::string_view() : cache_control.substr(comma + 1);
    const size_t eq = directive.find('=');
    const std::string_view name = TrimSpace(directive.substr(0, eq));
    if (EqualsIgnoreCase(name, "no-store") || EqualsIgnoreCase(name, "no-cache")) {
      no_store = true;
    } else if (EqualsIgnoreCase(name, "max-age") && eq != std::string_view::npos) {
      std::string_view value = TrimSpace(directive.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
      int64_t seconds = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
      if (ec == std::errc() && end == value.data() + value.size() && seconds >= 0) {
        max_age = seconds;
      } else if (ec == std::errc::result_out_of_range) {
        max_age = policy.max_lifetime.count();  // RFC 9111 §1.2.2: an overflowing delta is "very large"
      }
    }
  }
  if (no_store) return policy.min_lifetime;
  if (!max_age) return std::clamp(policy.default_lifetime, policy.min_lifetime, policy.max_lifetime);
  return std::clamp(std::chrono::seconds(*max_age), policy.min_lifetime, policy.max_lifetime);
}

SteadyTime FetchRateLimit::NextAllowed() const {
  if (!last_start_) return SteadyTime::min();
  return *last_start_ + interval_;
}

}  // namespace pgmcp::auth

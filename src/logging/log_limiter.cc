#include "logging/log_limiter.h"

namespace pgmcp::logging {

bool LogLimiter::Admit(Clock::time_point now, int64_t& suppressed) {
  std::lock_guard lock(mu_);
  if (written_ && now - last_ < interval_) {
    ++held_;
    return false;
  }
  written_ = true;
  last_ = now;
  suppressed = held_;
  held_ = 0;
  return true;
}

}  // namespace pgmcp::logging

// LogLimiter: lets one line per interval through and counts the ones it holds back, so that a
// failure every call meets (a dropped connection during an outage) is logged once a second, not
// once per call. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>

namespace pgmcp::logging {

class LogLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  explicit LogLimiter(Clock::duration interval) : interval_(interval) {}

  // True when a line may be written at `now`; then `suppressed` is how many were held back since
  // the last one written (for the line to say so).
  bool Admit(Clock::time_point now, int64_t& suppressed);

 private:
  std::mutex mu_;
  Clock::duration interval_;
  Clock::time_point last_{};
  bool written_ = false;  // guarded by mu_
  int64_t held_ = 0;      // guarded by mu_
};

}  // namespace pgmcp::logging

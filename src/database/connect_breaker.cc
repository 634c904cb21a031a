#include "database/connect_breaker.h"

#include <algorithm>

#include "logging/log.h"

namespace pgmcp::database {

namespace {

int64_t Millis(Clock::duration d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); }

}  // namespace

ConnectBreaker::Verdict ConnectBreaker::Admit(Clock::time_point now) {
  if (!open_) return Verdict::kConnect;
  if (!probing_ && now >= next_attempt_) {
    probing_ = true;
    return Verdict::kProbe;
  }
  ++refused_;
  return Verdict::kRefuse;
}

void ConnectBreaker::Succeeded(Clock::time_point now) {
  probing_ = false;
  if (!open_) return;
  logging::Info("db_reachable", {{"outage_ms", Millis(now - opened_at_)},
                                 {"refused_calls", refused_},
                                 {"failed_attempts", attempts_}});
  open_ = false;
  step_ = kFirstStep;
  refused_ = 0;
  attempts_ = 0;
}

void ConnectBreaker::Failed(std::string_view reason, bool was_probe, Clock::time_point now) {
  ++attempts_;
  if (!open_) {
    open_ = true;
    opened_at_ = now;
    step_ = kFirstStep;
    next_attempt_ = now + Jittered(step_);
    logging::Warn("db_unreachable", {{"reason", reason},
                                     {"action", "calls that need a new connection are refused until a "
                                                "reconnect succeeds"}});
    return;
  }
  // Attempts started before the breaker opened do not lengthen the step: only this step's probe does.
  if (!was_probe) return;
  probing_ = false;
  step_ = std::min<Clock::duration>(step_ * 2, kMaxStep);
  next_attempt_ = now + Jittered(step_);
}

void ConnectBreaker::Abandoned() { probing_ = false; }

// Between half the step and the whole step: pgmcp instances restarted together do not retry in step.
Clock::duration ConnectBreaker::Jittered(Clock::duration step) {
  std::uniform_int_distribution<int64_t> half(0, step.count() / 2);
  return step - Clock::duration(half(jitter_));
}

}  // namespace pgmcp::database

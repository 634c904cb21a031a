// ConnectBreaker: the pool's memory of failed connection attempts, modelled on PgBouncer's
// server_login_retry. Not thread-safe: used on the pool's executor.
//
// Closed (the database is reachable): every call that needs a new connection may open one.
// A failed attempt opens it (the database is unreachable, logged once as db_unreachable): calls
// that need a new connection are refused at once, and one call per backoff step (100 ms doubling to
// 2 s, jittered) is let through to try, so a database coming back meets one attempt per step, not
// a storm. The first successful attempt closes it (db_reachable, once, with how long the outage
// lasted and how many calls were refused). Decisions: docs/decisions.md, "Outages".
#pragma once

#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>

#include "database/deadline.h"

namespace pgmcp::database {

class ConnectBreaker {
 public:
  static constexpr std::chrono::milliseconds kFirstStep{100};
  static constexpr std::chrono::milliseconds kMaxStep{2000};

  enum class Verdict {
    kConnect,  // closed: connect as usual
    kProbe,    // open, and this step's one attempt is due: connect, then report Succeeded/Failed/Abandoned
    kRefuse,   // open: fail the call at once (counted in refused_calls)
  };
  Verdict Admit(Clock::time_point now);

  // Outcome of an attempt that Admit let through. `was_probe`: it was admitted as kProbe.
  void Succeeded(Clock::time_point now);
  void Failed(std::string_view reason, bool was_probe, Clock::time_point now);
  // A probe ended without an answer about the database (its call was cancelled): the next call tries.
  void Abandoned();

  bool open() const { return open_; }
  // Whether Admit would let an attempt through now as this step's probe.
  bool probe_due(Clock::time_point now) const { return open_ && !probing_ && now >= next_attempt_; }
  // When the next attempt is due (meaningful while open).
  Clock::time_point next_attempt() const { return next_attempt_; }

 private:
  Clock::duration Jittered(Clock::duration step);

  bool open_ = false;
  bool probing_ = false;  // this step's attempt is under way: everyone else is refused
  Clock::time_point opened_at_{};
  Clock::time_point next_attempt_{};
  Clock::duration step_ = kFirstStep;
  int64_t refused_ = 0;
  int64_t attempts_ = 0;  // failed attempts during this outage
  std::minstd_rand jitter_{std::random_device{}()};
};

}  // namespace pgmcp::database

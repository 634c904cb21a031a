// The clock every database wait is measured on, and a deadline as a point on it: one deadline per
// request, from which the pool wait, the network waits and the connect wait derive.
#pragma once

#include <chrono>

namespace pgmcp::database {

using Clock = std::chrono::steady_clock;
using Deadline = Clock::time_point;

// How long past a statement_timeout the client waits before it gives up on the server: the
// server's own timeout ends the statement first, with a clean error, unless the network is gone.
inline constexpr std::chrono::milliseconds kTimeoutGrace{2000};

}  // namespace pgmcp::database

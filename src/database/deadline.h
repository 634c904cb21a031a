// The clock every database wait is measured on, and a deadline as a point on it: one deadline per
// request, from which the pool wait, the network waits and the connect wait derive.
#pragma once

#include <chrono>

namespace pgmcp::database {

using Clock = std::chrono::steady_clock;
using Deadline = Clock::time_point;

}  // namespace pgmcp::database

// Facts about this process for the standard process_* series, read from /proc on Linux.
// Stateless functions; safe from any thread.
#pragma once

#include <optional>

namespace pgmcp::metrics {

// Resident set size in bytes (/proc/self/statm × page size); nullopt when /proc is unreadable.
std::optional<double> ReadResidentMemoryBytes();

// When the process started, in Unix seconds (/proc/self/stat starttime + /proc/stat btime);
// nullopt when /proc is unreadable.
std::optional<double> ReadProcessStartTimeSeconds();

}  // namespace pgmcp::metrics

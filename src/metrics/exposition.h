// The low-level pieces of the Prometheus text exposition format 0.0.4: names, escaping, numbers.
// Pure functions on values; safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace pgmcp::metrics {

// [a-zA-Z_:][a-zA-Z0-9_:]*
bool IsValidMetricName(std::string_view name);
// [a-zA-Z_][a-zA-Z0-9_]*, and not starting with "__" (reserved for Prometheus itself).
bool IsValidLabelName(std::string_view name);

// Label values escape backslash, double quote and line feed; HELP text escapes only backslash and
// line feed (a quote is legal there). Appends to `out` so rendering builds one string.
void AppendLabelValue(std::string& out, std::string_view value);
void AppendHelpText(std::string& out, std::string_view text);

// Numbers as Prometheus parses them: the shortest text that round-trips, "+Inf", "-Inf", "NaN".
void AppendDouble(std::string& out, double value);
void AppendUnsigned(std::string& out, uint64_t value);
std::string FormatDouble(double value);

}  // namespace pgmcp::metrics

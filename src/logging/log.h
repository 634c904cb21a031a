// Structured logs: one JSON object per line on stderr (docs/reference.md, "Logs"), never on stdout (stdio transport).
// Thread-safe; lines never interleave. How they are written (at once, or batched per turn of the event loop): line_output.h.
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "config/settings.h"

namespace pgmcp::logging {

using config::LogLevel;

void SetLevel(LogLevel level);
bool Enabled(LogLevel level);

// Writes {"ts":..., "level":..., "event": event, ...fields}. Never pass secrets, tokens or row values.
void Log(LogLevel level, std::string_view event, boost::json::object fields = {});

// A line's fields written in order as they are added, for the line every tool call logs: the same
// bytes as the boost::json::object with those members, without building one. Members named ts,
// level or event are left out, as Log leaves them out of an object.
class Fields {
 public:
  Fields() { text_.reserve(256); }
  Fields& Add(std::string_view key, std::string_view value);
  Fields& Add(std::string_view key, int64_t value);
  Fields& Add(std::string_view key, double value);  // "0.668": three places, as every logged double
  // The members written so far, each preceded by a comma.
  const std::string& text() const { return text_; }

 private:
  bool StartMember(std::string_view key);
  std::string text_;
};
void Log(LogLevel level, std::string_view event, const Fields& fields);

// Appends `at` in RFC 3339, UTC, with milliseconds: "2026-12-06T01:02:03.004Z", as every line's
// "ts". gmtime_r (a lock and a calendar computation) runs once per second per thread: the date and
// time of day are kept for the second they were made for.
void AppendTimestamp(std::chrono::system_clock::time_point at, std::string& out);

inline void Debug(std::string_view event, boost::json::object fields = {}) { Log(LogLevel::kDebug, event, std::move(fields)); }
inline void Info(std::string_view event, boost::json::object fields = {}) { Log(LogLevel::kInfo, event, std::move(fields)); }
inline void Warn(std::string_view event, boost::json::object fields = {}) { Log(LogLevel::kWarn, event, std::move(fields)); }
inline void Error(std::string_view event, boost::json::object fields = {}) { Log(LogLevel::kError, event, std::move(fields)); }

}  // namespace pgmcp::logging

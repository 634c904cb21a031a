// Structured logs: one JSON object per line on stderr (docs/reference.md, "Logs"), never on stdout (stdio transport).
// Thread-safe; a line is written with one write(2) so lines from several threads never interleave.
#pragma once

#include <boost/json/object.hpp>
#include <string_view>

#include "config/settings.h"

namespace pgmcp::logging {

using config::LogLevel;

void SetLevel(LogLevel level);
bool Enabled(LogLevel level);

// Writes {"ts":..., "level":..., "event": event, ...fields}. Never pass secrets, tokens or row values.
void Log(LogLevel level, std::string_view event, boost::json::object fields = {});

inline void Debug(std::string_view event, boost::json::object fields = {}) { Log(LogLevel::kDebug, event, std::move(fields)); }
inline void Info(std::string_view event, boost::json::object fields = {}) { Log(LogLevel::kInfo, event, std::move(fields)); }
inline void Warn(std::string_view event, boost::json::object fields = {}) { Log(LogLevel::kWarn, event, std::move(fields)); }
inline void Error(std::string_view event, boost::json::object fields = {}) { Log(LogLevel::kError, event, std::move(fields)); }

}  // namespace pgmcp::logging

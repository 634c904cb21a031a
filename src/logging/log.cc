#include "logging/log.h"

#include <unistd.h>

#include <atomic>
#include <boost/json/serializer.hpp>
#include <chrono>
#include <ctime>


namespace pgmcp::logging {
namespace {

std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
  }
  return "info";
}

// Writes `value` as `width` decimal digits, zero-padded, at `out`.
void PutDigits(char* out, int value, int width) {
  for (int i = width - 1; i >= 0; --i, value /= 10) out[i] = static_cast<char>('0' + value % 10);
}

// RFC 3339 UTC with milliseconds, formatted by hand: snprintf cost more than the rest of a line.
std::string Timestamp() {
  auto now = std::chrono::system_clock::now();
  auto secs = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  std::string out = "0000-00-00T00:00:00.000Z";
  PutDigits(out.data(), tm.tm_year + 1900, 4);
  PutDigits(out.data() + 5, tm.tm_mon + 1, 2);
  PutDigits(out.data() + 8, tm.tm_mday, 2);
  PutDigits(out.data() + 11, tm.tm_hour, 2);
  PutDigits(out.data() + 14, tm.tm_min, 2);
  PutDigits(out.data() + 17, tm.tm_sec, 2);
  PutDigits(out.data() + 20, static_cast<int>(ms), 3);
  return out;
}

}  // namespace

void SetLevel(LogLevel level) { g_level.store(static_cast<int>(level)); }
bool Enabled(LogLevel level) { return static_cast<int>(level) >= g_level.load(std::memory_order_relaxed); }

void Log(LogLevel level, std::string_view event, boost::json::object fields) {
  if (!Enabled(level)) return;
  // The line is written as text, the fixed members first, rather than built as a second object:
  // this runs once per tool call.
  std::string text = "{\"ts\":\"" + Timestamp() + "\",\"level\":\"" + LevelName(level) + "\",\"event\":";
  // One serializer, reset per member: no json::value or string is built for a key or a value.
  boost::json::serializer out;
  char chunk[256];
  auto drain = [&] {
    while (!out.done()) text += out.read(chunk, sizeof chunk);
  };
  out.reset(boost::json::string_view(event.data(), event.size()));
  drain();
  for (const auto& kv : fields) {
    if (kv.key() == "ts" || kv.key() == "level" || kv.key() == "event") continue;  // the writer's own members
    text.push_back(',');
    out.reset(kv.key());
    drain();
    text.push_back(':');
    out.reset(&kv.value());
    drain();
  }
  text += "}\n";
  // One write per line: stderr is unbuffered and lines must not interleave across threads.
  const char* p = text.data();
  size_t left = text.size();
  while (left > 0) {
    ssize_t n = ::write(STDERR_FILENO, p, left);
    if (n <= 0) return;
    p += n;
    left -= static_cast<size_t>(n);
  }
}

}  // namespace pgmcp::logging

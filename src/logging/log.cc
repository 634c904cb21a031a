#include "logging/log.h"

#include <atomic>
#include <boost/json/serializer.hpp>
#include <charconv>
#include <cmath>
#include <chrono>
#include <ctime>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>

#include "common/json_string.h"
#include "logging/line_output.h"


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

}  // namespace

void AppendTimestamp(std::chrono::system_clock::time_point at, std::string& out) {
  const int64_t ms_since_epoch =
      std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
  int64_t second = ms_since_epoch / 1000;
  int64_t ms = ms_since_epoch % 1000;
  if (ms < 0) {  // before 1970: the second below, and the milliseconds after it
    ms += 1000;
    --second;
  }
  // Trivially destructible, so still usable while the process exits.
  thread_local int64_t cached_second = std::numeric_limits<int64_t>::min();
  thread_local char cached[19];  // "YYYY-MM-DDTHH:MM:SS" of cached_second
  if (second != cached_second) {
    const std::time_t t = static_cast<std::time_t>(second);
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::memcpy(cached, "0000-00-00T00:00:00", sizeof cached);
    PutDigits(cached, tm.tm_year + 1900, 4);
    PutDigits(cached + 5, tm.tm_mon + 1, 2);
    PutDigits(cached + 8, tm.tm_mday, 2);
    PutDigits(cached + 11, tm.tm_hour, 2);
    PutDigits(cached + 14, tm.tm_min, 2);
    PutDigits(cached + 17, tm.tm_sec, 2);
    cached_second = second;
  }
  const size_t start = out.size();
  out.append(cached, sizeof cached);
  out.append(".000Z");
  PutDigits(out.data() + start + sizeof cached + 1, static_cast<int>(ms), 3);
}

namespace {

template <typename Integer>
void AppendInteger(Integer value, std::string& out) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  out.append(digits, static_cast<size_t>(end - digits));
}

void AppendSerialized(const boost::json::value& value, std::string& out) {
  boost::json::serializer serializer;
  serializer.reset(&value);
  char chunk[256];
  while (!serializer.done()) {
    const auto piece = serializer.read(chunk, sizeof chunk);
    out.append(piece.data(), piece.size());
  }
}

// A member's double (a duration in milliseconds, a plan cost) as a plain decimal with three
// places: "0.668" (microseconds, for a duration) reads better than Boost's "6.68123E-1", and as
// whole thousandths it is a few integer operations instead of a shortest-form search. Values
// without a short fixed form (|value| >= 1e15, infinities, NaN) keep Boost's.
void AppendDecimal(double value, std::string& out) {
  if (!(std::fabs(value) < 1e15)) {  // NaN too
    AppendSerialized(boost::json::value(value), out);
    return;
  }
  const int64_t thousandths = std::llround(value * 1000.0);  // |thousandths| < 1e18: fits
  if (thousandths < 0) out.push_back('-');
  const uint64_t magnitude = thousandths < 0 ? -static_cast<uint64_t>(thousandths) : static_cast<uint64_t>(thousandths);
  AppendInteger(magnitude / 1000, out);
  char fraction[4] = {'.'};
  PutDigits(fraction + 1, static_cast<int>(magnitude % 1000), 3);
  out.append(fraction, sizeof fraction);
}

// Appends a member's value: strings, integers, booleans and null as Boost.JSON serialises them
// (written here, the same bytes), doubles by AppendDecimal, containers through Boost's serializer.
void AppendValue(const boost::json::value& value, std::string& out) {
  switch (value.kind()) {
    case boost::json::kind::string: {
      const auto& s = value.get_string();
      AppendJsonString(std::string_view(s.data(), s.size()), out);
      return;
    }
    case boost::json::kind::int64: AppendInteger(value.get_int64(), out); return;
    case boost::json::kind::uint64: AppendInteger(value.get_uint64(), out); return;
    case boost::json::kind::double_: AppendDecimal(value.get_double(), out); return;
    case boost::json::kind::bool_: out.append(value.get_bool() ? "true" : "false"); return;
    case boost::json::kind::null: out.append("null"); return;
    default: break;
  }
  AppendSerialized(value, out);
}

}  // namespace

void SetLevel(LogLevel level) { g_level.store(static_cast<int>(level)); }
bool Enabled(LogLevel level) { return static_cast<int>(level) >= g_level.load(std::memory_order_relaxed); }

namespace {

// A line with its fixed members: ts, level, event. (A local buffer, not a thread_local one: a
// line may be logged while the process exits, after a thread's own objects are gone.)
std::string StartLine(LogLevel level, std::string_view event) {
  std::string text;
  text.reserve(512);
  text.append("{\"ts\":\"");
  AppendTimestamp(std::chrono::system_clock::now(), text);
  text.append("\",\"level\":\"");
  text.append(LevelName(level));
  text.append("\",\"event\":");
  AppendJsonString(event, text);
  return text;
}

bool IsWritersOwnMember(std::string_view key) { return key == "ts" || key == "level" || key == "event"; }

void EndLine(std::string& text) {
  text.append("}\n");
  WriteLine(text);
}

}  // namespace

void Log(LogLevel level, std::string_view event, boost::json::object fields) {
  if (!Enabled(level)) return;
  std::string text = StartLine(level, event);
  for (const auto& kv : fields) {
    const std::string_view key(kv.key().data(), kv.key().size());
    if (IsWritersOwnMember(key)) continue;
    text.push_back(',');
    AppendJsonString(key, text);
    text.push_back(':');
    AppendValue(kv.value(), text);
  }
  EndLine(text);
}

bool Fields::StartMember(std::string_view key) {
  if (IsWritersOwnMember(key)) return false;
  text_.push_back(',');
  AppendJsonString(key, text_);
  text_.push_back(':');
  return true;
}

Fields& Fields::Add(std::string_view key, std::string_view value) {
  if (StartMember(key)) AppendJsonString(value, text_);
  return *this;
}

Fields& Fields::Add(std::string_view key, int64_t value) {
  if (StartMember(key)) AppendInteger(value, text_);
  return *this;
}

Fields& Fields::Add(std::string_view key, double value) {
  if (StartMember(key)) AppendDecimal(value, text_);
  return *this;
}

void Log(LogLevel level, std::string_view event, const Fields& fields) {
  if (!Enabled(level)) return;
  std::string text = StartLine(level, event);
  text.append(fields.text());
  EndLine(text);
}

}  // namespace pgmcp::logging

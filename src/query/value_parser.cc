#include "query/value_parser.h"

#include <boost/json.hpp>
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>

#include "common/utf8.h"
#include "query/column_traits.h"
#include "query/json_text.h"

namespace pgmcp::query {
namespace {

using schema::TypeCategory;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// Reads exactly `n` digits at `pos` as a number.
bool Digits(std::string_view s, size_t pos, size_t n, int& value) {
  if (pos + n > s.size()) return false;
  value = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!IsDigit(s[i])) return false;
    value = value * 10 + (s[i] - '0');
  }
  return true;
}

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// YYYY-MM-DD at the start of `s`; returns the length read (10) or 0.
size_t ReadDate(std::string_view s) {
  int y = 0, m = 0, d = 0;
  if (!Digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !Digits(s, 5, 2, m) || s[7] != '-' ||
      !Digits(s, 8, 2, d)) {
    return 0;
  }
  if (y < 1 || m < 1 || m > 12 || d < 1 || d > DaysInMonth(y, m)) return 0;
  return 10;
}

// HH:MM[:SS[.fraction]] at the start of `s`; returns the length read or 0.
size_t ReadTime(std::string_view s) {
  int h = 0, mi = 0, se = 0;
  if (!Digits(s, 0, 2, h) || s.size() < 5 || s[2] != ':' || !Digits(s, 3, 2, mi)) return 0;
  size_t pos = 5;
  if (pos < s.size() && s[pos] == ':') {
    if (!Digits(s, pos + 1, 2, se)) return 0;
    pos += 3;
    if (pos < s.size() && s[pos] == '.') {
      const size_t start = ++pos;
      while (pos < s.size() && IsDigit(s[pos])) ++pos;
      if (pos == start || pos - start > 9) return 0;
    }
  }
  if (mi > 59 || se > 59) return 0;
  if (h > 24 || (h == 24 && (mi != 0 || se != 0))) return 0;
  return pos;
}

// Z | ±hh | ±hh:mm | ±hhmm covering the rest of `s`.
bool IsOffset(std::string_view s) {
  if (s == "Z" || s == "z") return true;
  if (s.empty() || (s[0] != '+' && s[0] != '-')) return false;
  int h = 0, m = 0;
  if (!Digits(s, 1, 2, h) || h > 15) return false;
  if (s.size() == 3) return true;
  if (s.size() == 6 && s[3] == ':' && Digits(s, 4, 2, m)) return m < 60;
  if (s.size() == 5 && Digits(s, 3, 2, m)) return m < 60;
  return false;
}

std::string FormatDouble(double d) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, end);
}

std::string Got(const boost::json::value& v) {
  if (v.is_string()) return QuoteForMessage(v.get_string());
  if (v.is_double()) return FormatDouble(v.get_double());
  std::string text = boost::json::serialize(v);
  if (text.size() > 40) text = text.substr(0, 40) + "…";
  return text;
}

std::string Expectation(const schema::Column& column) {
  const auto& t = column.type;
  switch (t.category) {
    case TypeCategory::kBoolean: return "true or false";
    case TypeCategory::kInteger: {
      const int bytes = t.int_bytes == 2 || t.int_bytes == 4 ? t.int_bytes : 8;
      const char* range = bytes == 2   ? "-32768 to 32767"
                          : bytes == 4 ? "-2147483648 to 2147483647"
                                       : "-9223372036854775808 to 9223372036854775807";
      return std::string("a whole number from ") + range;
    }
    case TypeCategory::kNumeric:
      return "a finite number (a JSON number, or a string such as \"1234.50\" for exact digits)";
    case TypeCategory::kFloat: return "a finite number in the range of the column's type";
    case TypeCategory::kText: return "a string";
    case TypeCategory::kEnum: {
      std::string s = "one of ";
      for (size_t i = 0; i < column.allowed_values.size(); ++i) {
        if (i > 0) s += ", ";
        s += column.allowed_values[i];
      }
      return s;
    }
    case TypeCategory::kUuid: return "a UUID such as \"123e4567-e89b-12d3-a456-426614174000\"";
    case TypeCategory::kDate: return "a date as YYYY-MM-DD";
    case TypeCategory::kTime: return "a time as HH:MM or HH:MM:SS";
    case TypeCategory::kTimestamp:
    case TypeCategory::kTimestamptz:
      return "a date (YYYY-MM-DD) or an ISO 8601 timestamp such as \"2026-10-01T12:00:00Z\"";
    case TypeCategory::kInterval: return "an ISO 8601 duration such as \"P1DT2H\"";
    default: return "a string";
  }
}

Error WrongValue(const schema::Column& column, const boost::json::value& v) {
  return MakeError(ErrorKind::kInvalidArgument, "Column " + QuoteForMessage(column.name) + " (" +
                                                    TypeLabel(column.type) + ") takes " +
                                                    Expectation(column) + "; got " + Got(v) + ".");
}

bool ParseDouble(std::string_view s, double& d) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  // ERANGE: overflow or underflow. PostgreSQL rejects both.
  return ec == std::errc() && end == s.data() + s.size();
}

bool HasNonZeroMantissa(std::string_view s) {
  for (char c : s) {
    if (c == 'e' || c == 'E') break;
    if (c >= '1' && c <= '9') return true;
  }
  return false;
}

bool FloatInRange(double d, bool is_float4, bool nonzero_digits) {
  if (!std::isfinite(d)) return false;
  if (is_float4) {
    if (std::fabs(d) > std::numeric_limits<float>::max()) return false;
    if (nonzero_digits && static_cast<float>(d) == 0.0F) return false;
  }
  return !(nonzero_digits && d == 0.0);
}

}  // namespace

bool IsIntegerLiteral(std::string_view s, int int_bytes) {
  if (s.empty()) return false;
  bool negative = false;
  size_t pos = 0;
  if (s[0] == '+' || s[0] == '-') {
    negative = s[0] == '-';
    pos = 1;
  }
  if (pos == s.size()) return false;
  for (size_t i = pos; i < s.size(); ++i) {
    if (!IsDigit(s[i])) return false;
  }
  // Leading zeros do not change the value; skip them so the length check below is honest.
  while (pos + 1 < s.size() && s[pos] == '0') ++pos;
  if (s.size() - pos > 19) return false;
  uint64_t magnitude = 0;
  std::from_chars(s.data() + pos, s.data() + s.size(), magnitude);
  if (s.size() - pos == 19 && s.substr(pos) > "9223372036854775808") return false;
  const int bytes = int_bytes == 2 || int_bytes == 4 ? int_bytes : 8;
  const uint64_t max_positive = bytes == 2 ? 32767ULL : bytes == 4 ? 2147483647ULL : 9223372036854775807ULL;
  return negative ? magnitude <= max_positive + 1 : magnitude <= max_positive;
}

bool IsNumericLiteral(std::string_view s) {
  // [+-] (digits [. digits] | . digits) [e [+-] digits]; bounded so PostgreSQL cannot overflow.
  if (s.empty() || s.size() > 1000) return false;
  size_t pos = 0;
  if (s[pos] == '+' || s[pos] == '-') ++pos;
  size_t digits = 0;
  while (pos < s.size() && IsDigit(s[pos])) ++pos, ++digits;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    while (pos < s.size() && IsDigit(s[pos])) ++pos, ++digits;
  }
  if (digits == 0) return false;
  if (pos < s.size() && (s[pos] == 'e' || s[pos] == 'E')) {
    ++pos;
    if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) ++pos;
    const size_t start = pos;
    while (pos < s.size() && IsDigit(s[pos])) ++pos;
    if (pos == start || pos - start > 3) return false;  // |exponent| <= 999 (PostgreSQL: 1000)
  }
  return pos == s.size();
}

bool IsDateLiteral(std::string_view s) { return s.size() == 10 && ReadDate(s) == 10; }

bool IsTimeLiteral(std::string_view s, bool allow_offset) {
  const size_t n = ReadTime(s);
  if (n == 0) return false;
  if (n == s.size()) return true;
  return allow_offset && IsOffset(s.substr(n));
}

bool IsTimestampLiteral(std::string_view s) {
  if (ReadDate(s) != 10) return false;
  if (s.size() == 10) return true;  // a date alone means midnight
  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return false;
  const std::string_view rest = s.substr(11);
  const size_t n = ReadTime(rest);
  if (n == 0) return false;
  return n == rest.size() || IsOffset(rest.substr(n));
}

bool IsUuidLiteral(std::string_view s) {
  if (s.size() == 32) return std::all_of(s.begin(), s.end(), IsHex);
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !IsHex(s[i])) return false;
  }
  return true;
}

bool IsIntervalLiteral(std::string_view s) {
  // ISO 8601 duration: P[nY][nM][nW][nD][T[nH][nM][n[.f]S]], each n optionally negative.
  if (s.size() < 3 || s.size() > 100 || (s[0] != 'P' && s[0] != 'p')) return false;
  size_t pos = 1;
  bool in_time = false;
  bool any = false;
  std::string_view date_units = "YMWD";
  std::string_view time_units = "HMS";
  size_t last_unit = 0;  // units must come in order
  while (pos < s.size()) {
    if (!in_time && (s[pos] == 'T' || s[pos] == 't')) {
      in_time = true;
      last_unit = 0;
      ++pos;
      if (pos == s.size()) return false;
      continue;
    }
    if (s[pos] == '-') ++pos;
    const size_t start = pos;
    while (pos < s.size() && IsDigit(s[pos])) ++pos;
    if (pos == start || pos - start > 9) return false;
    bool fraction = false;
    if (pos < s.size() && s[pos] == '.') {
      fraction = true;
      const size_t fstart = ++pos;
      while (pos < s.size() && IsDigit(s[pos])) ++pos;
      if (pos == fstart || pos - fstart > 6) return false;
    }
    if (pos == s.size()) return false;
    const std::string_view units = in_time ? time_units : date_units;
    const char unit = static_cast<char>(s[pos] & ~0x20);  // upper case
    const size_t index = units.find(unit);
    if (index == std::string_view::npos || index + 1 <= last_unit) return false;
    if (fraction && !(in_time && unit == 'S')) return false;
    last_unit = index + 1;
    any = true;
    ++pos;
  }
  return any;
}

Status CheckTextValue(const schema::Column& column, std::string_view text) {
  if (text.find('\0') != std::string_view::npos) {
    return MakeError(ErrorKind::kInvalidArgument,
                     "Values cannot contain NUL characters (\\u0000), but the value for column " +
                         QuoteForMessage(column.name) + " does.");
  }
  if (!IsValidUtf8(text)) {
    return MakeError(ErrorKind::kInvalidArgument,
                     "The value for column " + QuoteForMessage(column.name) + " is not valid UTF-8.");
  }
  return OkStatus();
}

namespace {

// The parameter text of a column whose values arrive as JSON strings: the string itself when
// `accepts` takes it, else the column's wrong-value error.
template <typename Accepts>
Result<std::string> StringAccepted(const schema::Column& column, const boost::json::value& v, Accepts accepts) {
  if (!v.is_string() || !accepts(std::string_view(v.get_string()))) return WrongValue(column, v);
  return std::string(v.get_string());
}

// The text of a value for a numeric column: JSON integers in decimal, strings as they are, doubles
// as `double_text` writes them (nullopt refuses the value), anything else nullopt.
template <typename DoubleText>
std::optional<std::string> NumberText(const boost::json::value& v, DoubleText double_text) {
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  if (v.is_double()) return double_text(v.get_double());
  if (v.is_string()) return std::string(v.get_string());
  return std::nullopt;
}

}  // namespace

Result<std::string> ValueToParam(const schema::Column& column, const boost::json::value& v) {
  const auto& t = column.type;
  if (v.is_string()) {
    const std::string_view s = v.get_string();
    if (auto st = CheckTextValue(column, s); !st) return st.error();
  }
  switch (t.category) {
    case TypeCategory::kBoolean:
      if (v.is_bool()) return std::string(v.get_bool() ? "true" : "false");
      if (v.is_string() && (v.get_string() == "true" || v.get_string() == "false")) {
        return std::string(v.get_string());
      }
      return WrongValue(column, v);
    case TypeCategory::kInteger: {
      const int bytes = t.int_bytes == 2 || t.int_bytes == 4 ? t.int_bytes : 8;
      const auto text = NumberText(v, [](double d) -> std::optional<std::string> {
        // 1e3 or 100.0 from a model are whole numbers too; beyond 2^53 a double is not exact.
        if (!(std::fabs(d) <= 9007199254740992.0) || std::trunc(d) != d) return std::nullopt;
        return std::to_string(static_cast<int64_t>(d));
      });
      if (!text || !IsIntegerLiteral(*text, bytes)) return WrongValue(column, v);
      return *text;
    }
    case TypeCategory::kNumeric:
    case TypeCategory::kFloat: {
      const auto text = NumberText(v, [](double d) -> std::optional<std::string> {
        if (!std::isfinite(d)) return std::nullopt;
        return FormatDouble(d);
      });
      if (!text || !IsNumericLiteral(*text)) return WrongValue(column, v);
      if (t.category == TypeCategory::kFloat) {
        double d = 0;
        const bool parsed = ParseDouble(*text, d);
        if (!parsed || !FloatInRange(d, t.oid == 700, HasNonZeroMantissa(*text))) return WrongValue(column, v);
      }
      return *text;
    }
    case TypeCategory::kText:
    case TypeCategory::kOther:
      return StringAccepted(column, v, [](std::string_view) { return true; });
    case TypeCategory::kEnum:
      return StringAccepted(column, v, [&column](std::string_view s) {
        const auto& allowed = column.allowed_values;
        return allowed.empty() || std::find(allowed.begin(), allowed.end(), s) != allowed.end();
      });
    case TypeCategory::kUuid: return StringAccepted(column, v, IsUuidLiteral);
    case TypeCategory::kDate: return StringAccepted(column, v, IsDateLiteral);
    case TypeCategory::kTime: {
      const bool with_zone = t.oid == 1266 || t.sql_name.find("with time zone") != std::string::npos;
      return StringAccepted(column, v, [with_zone](std::string_view s) { return IsTimeLiteral(s, with_zone); });
    }
    case TypeCategory::kTimestamp:
    case TypeCategory::kTimestamptz: return StringAccepted(column, v, IsTimestampLiteral);
    case TypeCategory::kInterval: return StringAccepted(column, v, IsIntervalLiteral);
    case TypeCategory::kJson:
    case TypeCategory::kBytea:
      break;
  }
  return WrongValue(column, v);
}

}  // namespace pgmcp::query

#include "query/value_encoder.h"

#include <cstring>

#include "common/utf8.h"
#include "query/json_document.h"
#include "query/json_text.h"
#include "common/sanitize.h"

namespace pgmcp::query {
namespace {

using schema::TypeCategory;

constexpr std::string_view kTruncatedMarker = "…[truncated]";

bool IsDigit(char c) { return static_cast<unsigned char>(c - '0') < 10; }

// The end of the run of digits at `p`.
const char* SkipDigits(const char* p, const char* end) {
  while (p != end && IsDigit(*p)) ++p;
  return p;
}

// The longest exponent a number of the result may have (JsonNumber).
constexpr std::ptrdiff_t kMaxExponentDigits = 9;

// IsJsonNumber, here for WriteFast to inline: an integer returns after its digits.
inline bool JsonNumber(std::string_view s) {
  const char* p = s.data();
  const char* const end = p + s.size();
  if (p != end && *p == '-') ++p;
  if (p == end) return false;
  if (*p == '0') {
    ++p;
  } else if (IsDigit(*p)) {
    p = SkipDigits(p + 1, end);
  } else {
    return false;
  }
  if (p == end) return true;
  if (*p == '.') {
    const char* digits = p + 1;
    p = SkipDigits(digits, end);
    if (p == digits) return false;
    if (p == end) return true;
  }
  if (*p == 'e' || *p == 'E') {
    ++p;
    if (p != end && (*p == '+' || *p == '-')) ++p;
    const char* digits = p;
    p = SkipDigits(digits, end);
    // PostgreSQL writes at most three exponent digits (1e+308); JSON readers that keep the exponent
    // in a 32-bit integer, Boost.JSON among them, refuse ten or more, so such text is a string.
    if (p == digits || p - digits > kMaxExponentDigits) return false;
  }
  return p == end;
}

bool LongerThan(std::string_view text, int64_t code_points) {
  return text.size() > static_cast<size_t>(code_points) &&
         Utf8PrefixBytes(text, static_cast<size_t>(code_points)) < text.size();
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool IsJsonNumber(std::string_view s) { return JsonNumber(s); }

char* WriteTimestampIso(std::string_view s, bool with_zone, char* p) {
  // ISO DateStyle: "2026-10-01 12:34:56.789+05:30"; "+00" becomes "Z", "+05" becomes "+05:00".
  std::memcpy(p, s.data(), s.size());
  if (s.size() < 19 || s[10] != ' ') return p + s.size();  // infinity, BC dates with odd years...
  p[10] = 'T';
  if (!with_zone) return p + s.size();
  size_t sign = std::string_view::npos;
  for (size_t i = 19; i < s.size(); ++i) {
    if (s[i] == '+' || s[i] == '-') {
      sign = i;
      break;
    }
  }
  if (sign == std::string_view::npos) return p + s.size();
  const std::string_view offset = s.substr(sign);
  if (offset == "+00" || offset == "-00" || offset == "+00:00") {
    p[sign] = 'Z';
    return p + sign + 1;
  }
  p += s.size();
  if (offset.size() == 3) {
    std::memcpy(p, ":00", 3);
    p += 3;
  }
  return p;
}

void AppendTimestampIso(std::string_view s, bool with_zone, std::string& out) {
  const size_t start = out.size();
  out.append(s);
  out.append(":00");  // room for an offset's minutes; cut to what was written
  char* end = WriteTimestampIso(s, with_zone, out.data() + start);
  out.resize(static_cast<size_t>(end - out.data()));
}

std::string TimestampToIso(std::string_view s, bool with_zone) {
  std::string out;
  AppendTimestampIso(s, with_zone, out);
  return out;
}

std::string ByteaHexToBase64(std::string_view s) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string bytes;
  if (s.size() >= 2 && s[0] == '\\' && s[1] == 'x') {
    bytes.reserve((s.size() - 2) / 2);
    for (size_t i = 2; i + 1 < s.size(); i += 2) {
      const int hi = HexValue(s[i]);
      const int lo = HexValue(s[i + 1]);
      if (hi < 0 || lo < 0) break;
      bytes.push_back(static_cast<char>(hi * 16 + lo));
    }
  } else {
    bytes = std::string(s);  // bytea_output = escape is not used by pgmcp sessions
  }
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t n = (static_cast<unsigned char>(bytes[i]) << 16) |
                       (static_cast<unsigned char>(bytes[i + 1]) << 8) | static_cast<unsigned char>(bytes[i + 2]);
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(kAlphabet[(n >> 6) & 63]);
    out.push_back(kAlphabet[n & 63]);
  }
  if (i < bytes.size()) {
    uint32_t n = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

FastPath FastPathFor(const schema::ColumnType& type) {
  if (type.is_array) return FastPath::kNone;
  switch (type.category) {
    case TypeCategory::kBoolean:
      return FastPath::kBoolean;
    case TypeCategory::kInteger:
    case TypeCategory::kNumeric:
    case TypeCategory::kFloat:
      return FastPath::kNumber;
    case TypeCategory::kTimestamp:
      return FastPath::kTimestamp;
    case TypeCategory::kTimestamptz:
      return FastPath::kTimestamptz;
    case TypeCategory::kDate:
    case TypeCategory::kTime:
    case TypeCategory::kInterval:
    case TypeCategory::kUuid:
      return FastPath::kString;
    case TypeCategory::kText:
    case TypeCategory::kEnum:
    case TypeCategory::kOther:
      return FastPath::kText;
    case TypeCategory::kJson:
    case TypeCategory::kBytea:
      return FastPath::kNone;
  }
  return FastPath::kNone;
}

char* ValueEncoder::WriteFast(FastPath path, std::string_view text, char* p) const {
  switch (path) {
    case FastPath::kNone:
      return nullptr;
    case FastPath::kBoolean:
      if (text == "t") {
        std::memcpy(p, "true", 4);
        return p + 4;
      }
      std::memcpy(p, "false", 5);
      return p + 5;
    case FastPath::kNumber:
      if (!JsonNumber(text)) return nullptr;
      std::memcpy(p, text.data(), text.size());
      return p + text.size();
    case FastPath::kText:
      if (text.size() > static_cast<size_t>(options_.limits.max_text_chars)) return nullptr;
      [[fallthrough]];
    case FastPath::kString:
      if (!IsPlainJsonText(text)) return nullptr;
      *p++ = '"';
      std::memcpy(p, text.data(), text.size());
      p += text.size();
      *p++ = '"';
      return p;
    case FastPath::kTimestamp:
    case FastPath::kTimestamptz:
      if (!IsPlainJsonText(text)) return nullptr;
      *p++ = '"';
      p = WriteTimestampIso(text, path == FastPath::kTimestamptz, p);
      *p++ = '"';
      return p;
  }
  return nullptr;
}

void ValueEncoder::Append(const schema::ColumnType& type, std::string_view text, std::string& out) {
  if (type.is_array) {
    // The database sent at most max_result_bytes + 1 characters (query/value_cut.h): an array
    // that long was cut there and is only the marker here.
    if (LongerThan(text, options_.limits.max_result_bytes)) {
      AppendJsonString(kTruncatedMarker, out);
      return;
    }
    size_t pos = 0;
    // Arrays with non-default bounds start with "[1:2]=".
    if (!text.empty() && text[0] == '[') {
      const size_t eq = text.find('=');
      pos = eq == std::string_view::npos ? text.size() : eq + 1;
    }
    const size_t mark = out.size();
    if (pos < text.size() && text[pos] == '{' && AppendArray(type, text, pos, out)) return;
    out.resize(mark);
    AppendText(text, out);  // not an array literal we understand: keep it readable
    return;
  }
  AppendScalar(type, text, out);
}

void ValueEncoder::AppendScalar(const schema::ColumnType& type, std::string_view text, std::string& out) {
  switch (type.category) {
    case TypeCategory::kBoolean:
      out.append(text == "t" ? "true" : "false");
      return;
    case TypeCategory::kInteger:
    case TypeCategory::kNumeric:
    case TypeCategory::kFloat:
      // Every digit is kept (numeric beyond double precision too); NaN and Infinity are not JSON.
      if (IsJsonNumber(text)) {
        out.append(text);
      } else {
        AppendJsonString(text, out);
      }
      return;
    case TypeCategory::kTimestamp:
    case TypeCategory::kTimestamptz:
      // PostgreSQL writes timestamps in plain ASCII, which the ISO form keeps: no escaping needed.
      if (IsPlainJsonText(text)) {
        out.push_back('"');
        AppendTimestampIso(text, type.category == TypeCategory::kTimestamptz, out);
        out.push_back('"');
      } else {
        AppendJsonString(TimestampToIso(text, type.category == TypeCategory::kTimestamptz), out);
      }
      return;
    case TypeCategory::kDate:
    case TypeCategory::kTime:
    case TypeCategory::kInterval:
    case TypeCategory::kUuid:
      AppendJsonString(text, out);
      return;
    case TypeCategory::kJson:
      // A cut document would not parse: one longer than max_text_chars is only the marker.
      if (LongerThan(text, options_.limits.max_text_chars)) {
        AppendJsonString(kTruncatedMarker, out);
      } else {
        AppendJson(text, out);
      }
      return;
    case TypeCategory::kBytea: {
      // base64 is ASCII: characters are bytes.
      std::string base64 = ByteaHexToBase64(text);
      if (LongerThan(base64, options_.limits.max_text_chars)) {
        base64.resize(static_cast<size_t>(options_.limits.max_text_chars));
        base64.append(kTruncatedMarker);
      }
      AppendJsonString(base64, out);
      return;
    }
    case TypeCategory::kText:
    case TypeCategory::kEnum:
    case TypeCategory::kOther:
      AppendText(text, out);
      return;
  }
}

void ValueEncoder::AppendText(std::string_view text, std::string& out) {
  // The common case in one pass: short enough to keep whole, and nothing to sanitise or escape.
  if (text.size() <= static_cast<size_t>(options_.limits.max_text_chars) && IsPlainJsonText(text)) {
    AppendPlainJsonString(text, out);
    return;
  }
  const size_t keep = Utf8PrefixBytes(text, static_cast<size_t>(options_.limits.max_text_chars));
  const std::string_view kept = text.substr(0, keep);
  const bool cut = keep < text.size();
  if (IsPrintableAscii(kept) && !cut) {
    AppendJsonString(kept, out);
    return;
  }
  scratch_.clear();
  AppendSanitized(kept, options_.sanitize, scratch_);
  if (cut) scratch_.append(kTruncatedMarker);
  AppendJsonString(scratch_, out);
}

void ValueEncoder::AppendJson(std::string_view text, std::string& out) {
  // The text is valid JSON (PostgreSQL checked it); strings inside it are data like any other
  // text, so they are sanitised too, and `json` values come out compact (query/json_document.h).
  if (!AppendCompactJson(text, options_.sanitize, out)) AppendText(text, out);
}

bool ValueEncoder::AppendArray(const schema::ColumnType& type, std::string_view text, size_t& pos, std::string& out) {
  // Text array literal: {a,"b c",NULL,{nested}}; quoted elements use backslash escapes.
  schema::ColumnType element_type = type;
  element_type.is_array = false;
  ++pos;  // '{'
  out.push_back('[');
  bool first = true;
  bool expect_element = true;
  while (pos < text.size()) {
    const char c = text[pos];
    if (c == '}') {
      ++pos;
      out.push_back(']');
      return !(expect_element && !first);
    }
    if (c == ',') {
      if (expect_element) return false;
      expect_element = true;
      ++pos;
      continue;
    }
    if (!expect_element) return false;
    if (!first) out.push_back(',');
    first = false;
    expect_element = false;
    if (c == '{') {
      if (!AppendArray(type, text, pos, out)) return false;
      continue;
    }
    element_.clear();
    if (c == '"') {
      ++pos;
      while (pos < text.size() && text[pos] != '"') {
        if (text[pos] == '\\' && pos + 1 < text.size()) ++pos;
        element_.push_back(text[pos++]);
      }
      if (pos >= text.size()) return false;
      ++pos;  // closing quote
      AppendScalar(element_type, element_, out);
      continue;
    }
    while (pos < text.size() && text[pos] != ',' && text[pos] != '}') element_.push_back(text[pos++]);
    if (element_ == "NULL") {
      out.append("null");
    } else {
      AppendScalar(element_type, element_, out);
    }
  }
  return false;
}

}  // namespace pgmcp::query

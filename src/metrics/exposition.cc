#include "metrics/exposition.h"

#include <charconv>
#include <cmath>

namespace pgmcp::metrics {
namespace {

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

bool IsValidMetricName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool ok = IsAsciiLetter(c) || c == '_' || c == ':' || (i > 0 && IsAsciiDigit(c));
    if (!ok) return false;
  }
  return true;
}

bool IsValidLabelName(std::string_view name) {
  if (name.empty() || name.starts_with("__")) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool ok = IsAsciiLetter(c) || c == '_' || (i > 0 && IsAsciiDigit(c));
    if (!ok) return false;
  }
  return true;
}

namespace {
// The text format escapes backslash and newline everywhere, and double quotes in label values only.
void AppendEscaped(std::string& out, std::string_view text, bool escape_quotes) {
  for (const char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && escape_quotes) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}
}  // namespace

void AppendLabelValue(std::string& out, std::string_view value) { AppendEscaped(out, value, true); }

void AppendHelpText(std::string& out, std::string_view text) { AppendEscaped(out, text, false); }

void AppendDouble(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
  } else if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
  } else {
    // Shortest round-trip digits, written plainly ("10", "0.0005", "123456789") unless the exponent
    // is extreme. Plain to_chars would pick whichever text is shorter and write "5e-04" or "1e+01",
    // which is valid but makes `le` values differ from other clients' and read badly on dashboards.
    char buf[64];
    const auto sci = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
    const std::string_view sci_text(buf, static_cast<size_t>(sci.ptr - buf));
    int exponent = 0;
    const auto e = sci_text.find('e');
    std::from_chars(sci_text.data() + e + (sci_text[e + 1] == '+' ? 2 : 1), sci_text.data() + sci_text.size(),
                    exponent);
    if (exponent < -4 || exponent >= 21) {
      out += sci_text;
      return;
    }
    const auto fixed = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed);
    out.append(buf, fixed.ptr);
  }
}

void AppendUnsigned(std::string& out, uint64_t value) {
  char buf[24];
  const auto res = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, res.ptr);
}

std::string FormatDouble(double value) {
  std::string out;
  AppendDouble(out, value);
  return out;
}

}  // namespace pgmcp::metrics

// Text sanitisation (docs/security.md): strips what could hide instructions from a model inside row
// values, comments and sample values (ANSI escapes, bidi controls, zero-width and tag characters...).
// Pure and thread-safe. It lives in common/ because both schema/ (descriptions) and query/ (results) use it.
#pragma once

#include <string>
#include <string_view>

namespace pgmcp {

// security.sanitize_text (docs/reference.md); descriptions always use kStrict.
enum class SanitizeMode { kStrict, kBasic, kOff };

// Appends `text` (UTF-8; invalid sequences become U+FFFD) to `out` as `mode` prescribes.
void AppendSanitized(std::string_view text, SanitizeMode mode, std::string& out);

// True when `text` is printable ASCII only, which every mode leaves as it is.
bool IsPrintableAscii(std::string_view text);

inline std::string Sanitize(std::string_view text, SanitizeMode mode) {
  std::string out;
  out.reserve(text.size());
  AppendSanitized(text, mode, out);
  return out;
}

}  // namespace pgmcp

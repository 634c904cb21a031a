// Returned-text sanitisation (docs/security.md): strips what could hide instructions from a model
// inside row values (ANSI escapes, bidi controls, zero-width and tag characters...). Pure and thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "config/settings.h"

namespace pgmcp::security {

// Appends `text` (UTF-8; invalid sequences become U+FFFD) to `out` as `mode` prescribes.
void AppendSanitized(std::string_view text, config::SanitizeMode mode, std::string& out);

inline std::string Sanitize(std::string_view text, config::SanitizeMode mode) {
  std::string out;
  out.reserve(text.size());
  AppendSanitized(text, mode, out);
  return out;
}

}  // namespace pgmcp::security

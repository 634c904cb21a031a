// Small ASCII helpers for HTTP header values (RFC 9110: case-insensitive tokens, optional
// whitespace around values), shared by the Authorization and Cache-Control parsers.
#pragma once

#include <algorithm>
#include <string_view>

namespace pgmcp::auth {

inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
           return lower(x) == lower(y);
         });
}

inline std::string_view TrimSpace(std::string_view s) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t'; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace pgmcp::auth

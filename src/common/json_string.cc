#include "common/json_string.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

namespace pgmcp {
namespace {

// Which bytes need escaping in a JSON string: 0 = copy, 1 = short escape, 2 = \u00XX.
constexpr std::array<uint8_t, 256> MakeEscapeTable() {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = 2;
  t['\n'] = t['\t'] = t['\r'] = t['\b'] = t['\f'] = 1;
  t['"'] = t['\\'] = 1;
  return t;
}
constexpr auto kEscape = MakeEscapeTable();
constexpr char kHex[] = "0123456789abcdef";

// True when any of the 8 bytes of `x` is '"', '\\' or a control character (< 0x20): the bit tricks
// of "Bit Twiddling Hacks" (haszero, hasless), exact as a yes/no answer. Most text has none, so
// it is copied 8 bytes per test instead of one table lookup per byte.
bool NeedsEscape8(uint64_t x) {
  constexpr uint64_t k01 = 0x0101010101010101ULL, k80 = 0x8080808080808080ULL;
  auto has_zero = [](uint64_t v) { return (v - k01) & ~v & k80; };
  return (has_zero(x ^ (k01 * '"')) | has_zero(x ^ (k01 * '\\')) | ((x - k01 * 0x20) & ~x & k80)) != 0;
}

}  // namespace

void AppendJsonString(std::string_view text, std::string& out) {
  out.push_back('"');
  const size_t n = text.size();
  size_t run_start = 0;  // the first byte not yet copied
  size_t i = 0;
  while (i < n) {
    if (i + 8 <= n) {
      uint64_t word;
      std::memcpy(&word, text.data() + i, 8);
      if (!NeedsEscape8(word)) {
        i += 8;
        continue;
      }
    }
    // Somewhere in these (up to) 8 bytes is one to escape: look at each.
    for (const size_t end = std::min(i + 8, n); i < end; ++i) {
      const auto c = static_cast<unsigned char>(text[i]);
      const uint8_t kind = kEscape[c];
      if (kind == 0) continue;
      out.append(text.data() + run_start, i - run_start);
      run_start = i + 1;
      if (kind == 2) {
        out.append("\\u00");
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xF]);
        continue;
      }
      out.push_back('\\');
      switch (c) {
        case '\n': out.push_back('n'); break;
        case '\t': out.push_back('t'); break;
        case '\r': out.push_back('r'); break;
        case '\b': out.push_back('b'); break;
        case '\f': out.push_back('f'); break;
        default: out.push_back(static_cast<char>(c)); break;
      }
    }
  }
  out.append(text.data() + run_start, n - run_start);
  out.push_back('"');
}

}  // namespace pgmcp

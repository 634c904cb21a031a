#include "common/json_string.h"

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

constexpr uint64_t kOnes = 0x0101010101010101ULL;
constexpr uint64_t kHighBits = 0x8080808080808080ULL;

// True when some byte of `word` is zero (exact, whatever the other bytes hold).
constexpr bool HasZeroByte(uint64_t word) { return ((word - kOnes) & ~word & kHighBits) != 0; }

// True when some byte of `word` is below `n` (n <= 128; exact as a whole-word answer).
constexpr bool HasByteBelow(uint64_t word, uint8_t n) { return ((word - kOnes * n) & ~word & kHighBits) != 0; }

constexpr bool IsPlainAscii(unsigned char c) { return c >= 0x20 && c <= 0x7E && c != '"' && c != '\\'; }

}  // namespace

size_t PlainAsciiPrefix(std::string_view text) {
  size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, text.data() + i, 8);
    if ((word & kHighBits) != 0 || HasByteBelow(word, 0x20) || HasZeroByte(word ^ (kOnes * '"')) ||
        HasZeroByte(word ^ (kOnes * '\\')) || HasZeroByte(word ^ (kOnes * 0x7F))) {
      break;
    }
  }
  while (i < text.size() && IsPlainAscii(static_cast<unsigned char>(text[i]))) ++i;
  return i;
}

void AppendPlainJsonString(std::string_view plain, std::string& out) {
  out.push_back('"');
  out.append(plain);
  out.push_back('"');
}

void AppendJsonString(std::string_view text, std::string& out) {
  const size_t plain = PlainAsciiPrefix(text);
  if (plain == text.size()) {
    AppendPlainJsonString(text, out);
    return;
  }
  out.push_back('"');
  size_t run_start = 0;
  for (size_t i = plain; i < text.size(); ++i) {
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
  out.append(text.data() + run_start, text.size() - run_start);
  out.push_back('"');
}

}  // namespace pgmcp

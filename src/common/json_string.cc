#include "common/json_string.h"

#include <array>
#include <boost/json/serializer.hpp>
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
// The bytes an escape adds, by kind: none, one (\n), five (\u00XX).
constexpr size_t kExtraBytes[3] = {0, 1, 5};

// The letter after the backslash of a short escape.
constexpr std::array<char, 256> MakeShortEscapeTable() {
  std::array<char, 256> t{};
  t['\n'] = 'n';
  t['\t'] = 't';
  t['\r'] = 'r';
  t['\b'] = 'b';
  t['\f'] = 'f';
  t['"'] = '"';
  t['\\'] = '\\';
  return t;
}
constexpr auto kShortEscape = MakeShortEscapeTable();
constexpr char kHex[] = "0123456789abcdef";
// From this length on, text with escapes is written by Boost's serializer.
constexpr size_t kLongText = 256;

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
  if (text.size() >= kLongText) {
    // Long text -- a tool result's JSON, a quote every few bytes -- goes through Boost's
    // serializer, which copies the runs between escapes faster (measured: bench/profile-call),
    // via a buffer on the stack: no intermediate string.
    boost::json::serializer serializer;
    serializer.reset(boost::json::string_view(text.data(), text.size()));
    char chunk[4096];
    while (!serializer.done()) {
      const boost::json::string_view written = serializer.read(chunk, sizeof chunk);
      out.append(written.data(), written.size());
    }
    return;
  }
  // Two passes: the escaped length, then the bytes written through a pointer.
  size_t escaped = text.size() + 2;
  for (size_t i = plain; i < text.size(); ++i) escaped += kExtraBytes[kEscape[static_cast<unsigned char>(text[i])]];
  const size_t start = out.size();
  out.resize(start + escaped);
  char* p = out.data() + start;
  *p++ = '"';
  std::memcpy(p, text.data(), plain);
  p += plain;
  for (size_t i = plain; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    switch (kEscape[c]) {
      case 0:
        *p++ = static_cast<char>(c);
        break;
      case 1:
        *p++ = '\\';
        *p++ = kShortEscape[c];
        break;
      default:
        std::memcpy(p, "\\u00", 4);
        p[4] = kHex[c >> 4];
        p[5] = kHex[c & 0xF];
        p += 6;
        break;
    }
  }
  *p = '"';
}

}  // namespace pgmcp

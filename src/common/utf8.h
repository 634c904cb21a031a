// UTF-8 in one place: the decoder (well-formed sequences per Unicode Table 3-7) for the code that validates
// caller text and sanitises returned text, and cutting text on a character boundary. Pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace pgmcp {

inline constexpr char32_t kReplacementChar = 0xFFFD;

struct Utf8Sequence {
  char32_t code_point;  // kReplacementChar when the bytes are ill-formed
  std::size_t length;   // bytes consumed, >= 1
  bool valid;
};

// Decodes the sequence that starts at p[0] (n >= 1 bytes available): no overlongs, surrogates or
// values above U+10FFFF. An ill-formed sequence consumes its maximal subpart (Unicode §3.9, the
// practice ICU, WHATWG and Python follow), so a reader replacing it by one U+FFFD gets the same
// text whichever decoder it would have used. Inline: the sanitiser calls it for every non-ASCII
// character of every returned value.
inline Utf8Sequence DecodeUtf8(const unsigned char* p, std::size_t n) {
  const unsigned char b0 = p[0];
  if (b0 < 0x80) return {b0, 1, true};
  std::size_t need;
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
  char32_t cp;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1;
    cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2;
    cp = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;  // below: overlong
    if (b0 == 0xED) hi = 0x9F;  // above: UTF-16 surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3;
    cp = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;  // below: overlong
    if (b0 == 0xF4) hi = 0x8F;  // above: beyond U+10FFFF
  } else {
    return {kReplacementChar, 1, false};  // continuation byte, C0/C1 (overlong) or F5-FF lead
  }
  for (std::size_t k = 1; k <= need; ++k) {
    if (k >= n || p[k] < lo || p[k] > hi) return {kReplacementChar, k, false};
    cp = (cp << 6) | (p[k] & 0x3F);
    lo = 0x80;
    hi = 0xBF;
  }
  return {cp, need + 1, true};
}

// True when every byte of `text` belongs to a well-formed sequence (PostgreSQL rejects anything
// else in a UTF8 database).
bool IsValidUtf8(std::string_view text);

// Byte length of the first `max_code_points` code points of UTF-8 `text` (all of it when
// shorter). Counts lead bytes, so it never ends inside a multi-byte sequence.
size_t Utf8PrefixBytes(std::string_view text, size_t max_code_points);

// `text` cut to at most `max_code_points` code points, with "…" appended when something was cut.
std::string CutUtf8(std::string_view text, size_t max_code_points);

}  // namespace pgmcp

#include "common/json_string.h"

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

// Below this length AppendJsonString first asks IsPlainJsonText; up to kShortPlain it checks and
// copies in one go (AppendShortPlain).
constexpr size_t kShortText = 64;
constexpr size_t kShortPlain = 16;
// AppendJsonString escapes this many bytes at a time (a tool result's text is about 1 KiB).
constexpr size_t kSlice = 2048;

constexpr uint64_t kOnes = 0x0101010101010101ULL;
constexpr uint64_t kHighBits = 0x8080808080808080ULL;

// True when some byte of `word` is zero (exact, whatever the other bytes hold).
constexpr bool HasZeroByte(uint64_t word) { return ((word - kOnes) & ~word & kHighBits) != 0; }

// True when some byte of `word` is below `n` (n <= 128; exact as a whole-word answer).
constexpr bool HasByteBelow(uint64_t word, uint8_t n) { return ((word - kOnes * n) & ~word & kHighBits) != 0; }

// True when every byte of `word` is printable ASCII other than '"' and '\\'.
constexpr bool IsPlainWord(uint64_t word) {
  return (word & kHighBits) == 0 && !HasByteBelow(word, 0x20) && !HasZeroByte(word ^ (kOnes * '"')) &&
         !HasZeroByte(word ^ (kOnes * '\\')) && !HasZeroByte(word ^ (kOnes * 0x7F));
}

#if defined(__SSE2__)
// SSE2 is x86-64's baseline: sixteen bytes a step. A tool result's text is JSON with a quote every
// few bytes, so the runs between escapes are short and each is copied by one unaligned store.
constexpr size_t kBlock = 16;

__m128i LoadBlock(const char* s) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(s)); }
void StoreBlock(char* p, __m128i block) { _mm_storeu_si128(reinterpret_cast<__m128i*>(p), block); }

// 0xFF for each byte of `block` that is '"' or '\\'.
__m128i QuotesAndBackslashes(__m128i block) {
  return _mm_or_si128(_mm_cmpeq_epi8(block, _mm_set1_epi8('"')), _mm_cmpeq_epi8(block, _mm_set1_epi8('\\')));
}

// 0xFF for each control character (<= 0x1F) of `block`.
__m128i ControlCharacters(__m128i block) {
  return _mm_cmpeq_epi8(_mm_min_epu8(block, _mm_set1_epi8(0x1F)), block);
}

// One bit per byte of `block` that needs escaping.
unsigned EscapeMask(__m128i block) {
  return static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(QuotesAndBackslashes(block), ControlCharacters(block))));
}

// One bit per byte of `block` that is not plain (IsPlainWord): a signed compare finds the control
// characters and the bytes >= 0x80 at once.
unsigned NotPlainMask(__m128i block) {
  const __m128i outside = _mm_or_si128(_mm_cmplt_epi8(block, _mm_set1_epi8(0x20)), _mm_cmpeq_epi8(block, _mm_set1_epi8(0x7F)));
  return static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(outside, QuotesAndBackslashes(block))));
}

#endif

// Writes the escape of `c` (a byte kEscape marks) at `p`; returns the end of what it wrote.
char* WriteEscape(unsigned char c, char* p) {
  if (kEscape[c] == 1) [[likely]] {
    p[0] = '\\';
    p[1] = kShortEscape[c];
    return p + 2;
  }
  std::memcpy(p, "\\u00", 4);
  p[4] = kHex[c >> 4];
  p[5] = kHex[c & 0xF];
  return p + 6;
}

// Writes `text` escaped at `p`, which has room for six bytes per byte; returns the end.
char* WriteEscaped(std::string_view text, char* p) {
  const char* s = text.data();
  const size_t n = text.size();
  size_t i = 0;
#if defined(__SSE2__)
  // A block is stored whole before its escapes are looked at: the bytes up to the first are then
  // in place. After each escape the sixteen source bytes that follow it are stored again where
  // they now belong. Every store stays inside the room: it is made only while sixteen source
  // bytes remain, which have room for ninety-six.
  while (i + kBlock <= n) {
    const __m128i block = LoadBlock(s + i);
    StoreBlock(p, block);
    unsigned mask = EscapeMask(block);
    if (mask == 0) {
      i += kBlock;
      p += kBlock;
      continue;
    }
    size_t done = 0;  // bytes of this block written
    for (;;) {
      const size_t escape = static_cast<size_t>(std::countr_zero(mask));
      p = WriteEscape(static_cast<unsigned char>(s[i + escape]), p + (escape - done));
      done = escape + 1;
      mask &= mask - 1;
      if (i + done + kBlock > n) break;  // near the end: the bytewise tail does the rest
      StoreBlock(p, LoadBlock(s + i + done));
      if (mask == 0) {  // the rest of the block is in place
        p += kBlock - done;
        done = kBlock;
        break;
      }
    }
    i += done;
  }
#endif
  for (; i < n; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (kEscape[c] == 0) {
      *p++ = static_cast<char>(c);
    } else {
      p = WriteEscape(c, p);
    }
  }
  return p;
}

}  // namespace

bool IsPlainJsonText(std::string_view text) {
  const char* s = text.data();
  const size_t n = text.size();
#if defined(__SSE2__)
  if (n >= kBlock) {
    for (size_t i = 0; i + kBlock < n; i += kBlock) {
      if (NotPlainMask(LoadBlock(s + i)) != 0) return false;
    }
    return NotPlainMask(LoadBlock(s + n - kBlock)) == 0;  // the last sixteen, overlapping
  }
#endif
  uint64_t word;
  if (n >= 8) {
    for (size_t i = 0; i + 8 < n; i += 8) {
      std::memcpy(&word, s + i, 8);
      if (!IsPlainWord(word)) return false;
    }
    std::memcpy(&word, s + n - 8, 8);  // the last eight, overlapping bytes already looked at
    return IsPlainWord(word);
  }
  if (n >= 4) {  // the first four and the last four
    uint32_t first, last;
    std::memcpy(&first, s, 4);
    std::memcpy(&last, s + n - 4, 4);
    return IsPlainWord(first | static_cast<uint64_t>(last) << 32);
  }
  word = kOnes * 'a';  // plain filler around the (at most three) bytes
  if (n > 0) {
    word = (word & ~uint64_t{0xFFFFFF}) | static_cast<unsigned char>(s[0]) |
           static_cast<uint64_t>(static_cast<unsigned char>(s[n / 2])) << 8 |
           static_cast<uint64_t>(static_cast<unsigned char>(s[n - 1])) << 16;
  }
  return IsPlainWord(word);
}

void AppendPlainJsonString(std::string_view plain, std::string& out) {
  out.push_back('"');
  out.append(plain);
  out.push_back('"');
}

namespace {

// Appends `text` (at most sixteen bytes) as a JSON string literal when it is all plain, and says
// whether it was. The common case -- a name, a status, a key -- is put together with its quotes on
// the stack and appended once, not quote, text and quote one append each.
bool AppendShortPlain(std::string_view text, std::string& out) {
  if (!IsPlainJsonText(text)) return false;
  char quoted[2 + kShortPlain];
  quoted[0] = '"';
  std::memcpy(quoted + 1, text.data(), text.size());
  quoted[text.size() + 1] = '"';
  out.append(quoted, text.size() + 2);
  return true;
}

}  // namespace

void AppendJsonString(std::string_view text, std::string& out) {
  // Short text -- names, values -- is mostly plain: a few word steps tell.
  if (text.size() <= kShortPlain) {
    if (AppendShortPlain(text, out)) return;
  } else if (text.size() < kShortText && IsPlainJsonText(text)) {
    AppendPlainJsonString(text, out);
    return;
  }
  // Escaped a slice at a time into a buffer on the stack with room for the worst (\u00XX for
  // every byte), then appended: no room made in `out` that is zeroed and cut again.
  char buffer[kSlice * 6];
  out.push_back('"');
  for (size_t at = 0; at < text.size(); at += kSlice) {
    const char* end = WriteEscaped(text.substr(at, kSlice), buffer);
    out.append(buffer, static_cast<size_t>(end - buffer));
  }
  out.push_back('"');
}

}  // namespace pgmcp

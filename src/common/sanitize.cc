#include "common/sanitize.h"

#include <unicode/uchar.h>

#include <cstdint>
#include <cstring>

#include "common/utf8.h"
#include "common/escape_sequence.h"

namespace pgmcp {
namespace {

constexpr unsigned char kEsc = 0x1B;

// General categories `strict` keeps as they are (docs/security.md); Zl and Zp become "\n".
constexpr uint32_t kStrictKeep = U_GC_L_MASK | U_GC_M_MASK | U_GC_N_MASK | U_GC_P_MASK | U_GC_S_MASK | U_GC_ZS_MASK;
constexpr uint32_t kLineBreak = U_GC_ZL_MASK | U_GC_ZP_MASK;

// The bytes copied through untouched in bulk: printable ASCII, "\n", "\t", and "\r" in basic mode.
// Real data is mostly this, so the loop below only decodes and classifies what is not.
bool IsPlainWhitespace(unsigned char b, SanitizeMode mode) {
  return b == '\n' || b == '\t' || (b == '\r' && mode == SanitizeMode::kBasic);
}

// Index of the first byte at or after `i` that is not printable ASCII (0x20-0x7E). Eight bytes at a
// time: a word is all printable when no byte has the high bit set, none is below 0x20 and none is
// 0x7F (the usual "has a byte less than n" / "has a zero byte" bit tricks; they can only
// over-report, and a word they flag is rescanned byte by byte).
std::size_t SkipPrintableAscii(const char* p, std::size_t i, std::size_t n) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  while (n - i >= 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    uint64_t below_space = (w - kOnes * 0x20) & ~w;
    uint64_t del = w ^ (kOnes * 0x7F);
    uint64_t is_del = (del - kOnes) & ~del;
    if ((w | below_space | is_del) & kHigh) break;
    i += 8;
  }
  while (i < n) {
    auto b = static_cast<unsigned char>(p[i]);
    if (b < 0x20 || b > 0x7E) break;
    ++i;
  }
  return i;
}

bool IsVariationSelector(char32_t cp) {
  return (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xE0100 && cp <= 0xE01EF);
}

// Emoji and text presentation selectors: the only variation selectors worth keeping (❤️ vs ❤︎).
bool IsPresentationSelector(char32_t cp) { return cp == 0xFE0E || cp == 0xFE0F; }

// U+E0000-E007F: the tag block, which mirrors ASCII invisibly and so can smuggle whole sentences.
bool IsTag(char32_t cp) { return cp >= 0xE0000 && cp <= 0xE007F; }

enum class Action { kKeep, kDrop, kNewline };

// What to do with a well-formed non-ASCII code point other than a variation selector or a C1
// escape introducer.
Action Classify(char32_t cp, SanitizeMode mode) {
  if (cp <= 0x9F) return Action::kDrop;  // C1 controls
  if (IsTag(cp)) return Action::kDrop;
  const uint32_t category = U_MASK(u_charType(static_cast<UChar32>(cp)));
  if (mode == SanitizeMode::kBasic) return (category & U_GC_CF_MASK) ? Action::kDrop : Action::kKeep;
  if (category & kStrictKeep) return Action::kKeep;
  if (category & kLineBreak) return Action::kNewline;
  return Action::kDrop;  // Cc, Cf, Co, Cn (Cs cannot come out of the decoder)
}

void AppendUtf8(char32_t cp, std::string& out) {
  char buf[4];
  std::size_t len;
  if (cp < 0x80) {
    buf[0] = static_cast<char>(cp);
    len = 1;
  } else if (cp < 0x800) {
    buf[0] = static_cast<char>(0xC0 | (cp >> 6));
    buf[1] = static_cast<char>(0x80 | (cp & 0x3F));
    len = 2;
  } else if (cp < 0x10000) {
    buf[0] = static_cast<char>(0xE0 | (cp >> 12));
    buf[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    buf[2] = static_cast<char>(0x80 | (cp & 0x3F));
    len = 3;
  } else {
    buf[0] = static_cast<char>(0xF0 | (cp >> 18));
    buf[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    buf[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    buf[3] = static_cast<char>(0x80 | (cp & 0x3F));
    len = 4;
  }
  out.append(buf, len);
}

}  // namespace

void AppendSanitized(std::string_view text, SanitizeMode mode, std::string& out) {
  if (mode == SanitizeMode::kOff) {
    out.append(text);
    return;
  }
  const char* const p = text.data();
  const std::size_t n = text.size();
  out.reserve(out.size() + n);

  // Kept bytes are not copied one by one: [run_start, i) is the run of input kept so far, appended
  // in one go when something must be dropped or replaced, and at the end.
  std::size_t run_start = 0;
  std::size_t i = 0;
  // Whether the previous code point was kept and is not itself a variation selector: the only
  // place a U+FE0E/U+FE0F may stay. Dropping anything resets it, so a selector cannot attach to
  // something that was removed, and a second selector in a row always goes.
  bool after_kept = false;
  auto drop = [&](std::size_t length) {
    out.append(p + run_start, i - run_start);
    i += length;
    run_start = i;
    after_kept = false;
  };

  while (i < n) {
    const std::size_t plain_start = i;
    for (;;) {
      i = SkipPrintableAscii(p, i, n);
      if (i < n && IsPlainWhitespace(static_cast<unsigned char>(p[i]), mode)) {
        ++i;
        continue;
      }
      break;
    }
    if (i > plain_start) after_kept = true;
    if (i >= n) break;

    const auto b = static_cast<unsigned char>(p[i]);
    if (b < 0x80) {  // a control character or DEL, ESC starting an escape sequence
      drop(b == kEsc ? EscapeSequenceLength(text.substr(i)) : 1);
      continue;
    }
    const Utf8Sequence d = DecodeUtf8(reinterpret_cast<const unsigned char*>(p + i), n - i);
    if (!d.valid) {
      drop(d.length);
      AppendUtf8(kReplacementChar, out);
      after_kept = true;
      continue;
    }
    if (d.code_point >= 0x80 && d.code_point <= 0x9F && StartsEscapeSequence(text.substr(i))) {
      drop(EscapeSequenceLength(text.substr(i)));
      continue;
    }
    if (IsVariationSelector(d.code_point)) {
      if (after_kept && IsPresentationSelector(d.code_point)) {
        i += d.length;
        after_kept = false;
      } else {
        drop(d.length);
      }
      continue;
    }
    switch (Classify(d.code_point, mode)) {
      case Action::kKeep:
        i += d.length;
        after_kept = true;
        break;
      case Action::kDrop:
        drop(d.length);
        break;
      case Action::kNewline:
        drop(d.length);
        out.push_back('\n');
        after_kept = true;
        break;
    }
  }
  out.append(p + run_start, n - run_start);
}

bool IsPrintableAscii(std::string_view text) { return SkipPrintableAscii(text.data(), 0, text.size()) == text.size(); }

}  // namespace pgmcp

#include "common/escape_sequence.h"

namespace pgmcp {
namespace {

constexpr unsigned char kEsc = 0x1B;
constexpr unsigned char kBel = 0x07;
constexpr unsigned char kCan = 0x18;
constexpr unsigned char kSub = 0x1A;
// Second byte of the UTF-8 encodings C2 xx of the C1 controls that matter here.
constexpr unsigned char kC1Dcs = 0x90;
constexpr unsigned char kC1Sos = 0x98;
constexpr unsigned char kC1Csi = 0x9B;
constexpr unsigned char kC1St = 0x9C;
constexpr unsigned char kC1Osc = 0x9D;
constexpr unsigned char kC1Pm = 0x9E;
constexpr unsigned char kC1Apc = 0x9F;

unsigned char At(std::string_view text, std::size_t i) { return static_cast<unsigned char>(text[i]); }

bool InRange(unsigned char b, unsigned char lo, unsigned char hi) { return b >= lo && b <= hi; }

// CSI body from `i`: parameters and intermediates, then the final byte.
std::size_t CsiEnd(std::string_view text, std::size_t i) {
  while (i < text.size() && InRange(At(text, i), 0x20, 0x3F)) ++i;
  if (i < text.size() && InRange(At(text, i), 0x40, 0x7E)) return i + 1;
  return i;  // incomplete (end of text) or malformed: drop what was consumed
}

// Control-string body from `i` (OSC, DCS, SOS, PM, APC). Bytes are scanned, not code points: no
// terminator byte can occur inside a multi-byte UTF-8 sequence, and C2 9C is exactly U+009C.
std::size_t StringEnd(std::string_view text, std::size_t i) {
  for (; i < text.size(); ++i) {
    unsigned char b = At(text, i);
    if (b == kBel) return i + 1;
    if (b == kEsc) return (i + 1 < text.size() && text[i + 1] == '\\') ? i + 2 : i;
    if (b == kCan || b == kSub) return i;  // terminals abort the string there
    if (b == 0xC2 && i + 1 < text.size() && At(text, i + 1) == kC1St) return i + 2;
  }
  return text.size();
}

}  // namespace

bool StartsEscapeSequence(std::string_view text) {
  if (text.empty()) return false;
  if (At(text, 0) == kEsc) return true;
  if (At(text, 0) != 0xC2 || text.size() < 2) return false;
  switch (At(text, 1)) {
    case kC1Dcs: case kC1Sos: case kC1Csi: case kC1Osc: case kC1Pm: case kC1Apc: return true;
    default: return false;
  }
}

std::size_t EscapeSequenceLength(std::string_view text) {
  if (text.empty()) return 0;
  if (At(text, 0) == 0xC2) {  // 8-bit form
    if (text.size() < 2) return 1;
    return At(text, 1) == kC1Csi ? CsiEnd(text, 2) : StringEnd(text, 2);
  }
  if (text.size() < 2) return 1;
  unsigned char next = At(text, 1);
  switch (next) {
    case '[': return CsiEnd(text, 2);
    case ']': case 'P': case 'X': case '^': case '_': return StringEnd(text, 2);
    default: break;
  }
  if (InRange(next, 0x20, 0x2F)) {  // nF: ESC ( B, ESC # 8...
    std::size_t i = 2;
    while (i < text.size() && InRange(At(text, i), 0x20, 0x2F)) ++i;
    if (i < text.size() && InRange(At(text, i), 0x30, 0x7E)) return i + 1;
    return i;
  }
  if (InRange(next, 0x30, 0x7E)) return 2;
  return 1;
}

}  // namespace pgmcp

// Terminal escape sequences (ECMA-48 / xterm): how many bytes of a value one sequence spans, so the
// sanitiser can drop it whole instead of leaving "[31m" or an OSC payload behind. Pure and thread-safe.
#pragma once

#include <cstddef>
#include <string_view>

namespace pgmcp {

// True when `text` starts an escape sequence: ESC (0x1B) or one of the 8-bit C1 introducers that
// open a sequence with a body, UTF-8 encoded (U+0090 DCS, U+0098 SOS, U+009B CSI, U+009D OSC,
// U+009E PM, U+009F APC).
bool StartsEscapeSequence(std::string_view text);

// For `text` starting an escape sequence (StartsEscapeSequence), the number of bytes to drop, >= 1:
//   CSI     ESC [ or U+009B, parameter/intermediate bytes 0x20-0x3F, one final byte 0x40-0x7E;
//   strings OSC (ESC ] or U+009D), DCS (ESC P), SOS (ESC X), PM (ESC ^), APC (ESC _) up to and
//           including BEL, ST (ESC \ or U+009C), or up to CAN/SUB or another ESC (not included);
//   nF      ESC, intermediates 0x20-0x2F, a final byte 0x30-0x7E (ESC ( B);
//   two-character escapes: ESC and one byte 0x30-0x7E (ESC 7, ESC c...).
// An unterminated sequence runs to the end of `text`, as a terminal would swallow it. A malformed
// one stops before the first byte that cannot belong to it, which the caller then handles itself.
// ESC before anything else (a control, a non-ASCII character, another ESC) is a lone ESC: 1 byte.
std::size_t EscapeSequenceLength(std::string_view text);

}  // namespace pgmcp

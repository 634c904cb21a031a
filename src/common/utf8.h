// Cutting UTF-8 text without splitting a character: for echoing caller-supplied names and values
// in messages and for bounding long values. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace pgmcp {

// Byte length of the first `max_code_points` code points of UTF-8 `text` (all of it when
// shorter). Counts lead bytes, so it never ends inside a multi-byte sequence.
size_t Utf8PrefixBytes(std::string_view text, size_t max_code_points);

// `text` cut to at most `max_code_points` code points, with "…" appended when something was cut.
std::string CutUtf8(std::string_view text, size_t max_code_points);

}  // namespace pgmcp

// JSON string literals written by hand, for the hot paths that append to one buffer instead of
// building a boost::json::value: the same bytes Boost.JSON's serializer writes. Pure functions.
#pragma once

#include <string>
#include <string_view>

namespace pgmcp {

// Appends `text` as a JSON string literal (with the quotes). '"', '\\' and control characters are
// escaped as Boost.JSON escapes them; bytes >= 0x7F are copied as they are (the text is UTF-8).
void AppendJsonString(std::string_view text, std::string& out);

// Length of the longest prefix of `text` made of printable ASCII other than '"' and '\\': bytes
// that a JSON string holds as they are and that every sanitising mode keeps. Eight bytes a step.
size_t PlainAsciiPrefix(std::string_view text);

// Appends `plain` (all of it PlainAsciiPrefix) as a JSON string literal: quotes and the bytes.
void AppendPlainJsonString(std::string_view plain, std::string& out);

}  // namespace pgmcp

// JSON string literals written by hand, for the hot paths that append to one buffer instead of
// building a boost::json::value: the same bytes Boost.JSON's serializer writes. Pure functions.
#pragma once

#include <string>
#include <string_view>

namespace pgmcp {

// Appends `text` as a JSON string literal (with the quotes). '"', '\\' and control characters are
// escaped as Boost.JSON escapes them; bytes >= 0x7F are copied as they are (the text is UTF-8).
// Sixteen bytes a step (SSE2, x86-64's baseline; bytewise elsewhere): its longest text is a tool
// result's JSON embedded as the text content, a quote every few bytes.
void AppendJsonString(std::string_view text, std::string& out);

// True when all of `text` is printable ASCII other than '"' and '\\': bytes that a JSON string
// holds as they are and that every sanitising mode keeps. Sixteen or eight bytes a step, the
// last step overlapping the one before instead of a bytewise tail.
bool IsPlainJsonText(std::string_view text);

// Appends `plain` (IsPlainJsonText) as a JSON string literal: quotes and the bytes.
void AppendPlainJsonString(std::string_view plain, std::string& out);

}  // namespace pgmcp

// JSON string literals written straight into an output buffer: the escaper shared by the result
// encoder and the reply writer, cheaper than building a Boost.JSON value to serialise one string.
#pragma once

#include <string>
#include <string_view>

namespace pgmcp {

// Appends `text` as a JSON string literal (with the quotes). Control characters, '"' and '\' are
// escaped; bytes >= 0x80 are copied as they are (the text is UTF-8).
void AppendJsonString(std::string_view text, std::string& out);

}  // namespace pgmcp

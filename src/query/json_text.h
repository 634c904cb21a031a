// JSON text helpers shared by the result encoder and the error messages: string escaping and
// the short, quoted rendering of caller-supplied names inside error sentences.
#pragma once

#include <string>
#include <string_view>

namespace pgmcp::query {

// Appends `text` as a JSON string literal (with the quotes). Control characters are escaped;
// bytes >= 0x80 are copied as they are (the text is UTF-8).
void AppendJsonString(std::string_view text, std::string& out);

// A caller-supplied name or value for an error sentence: JSON-quoted, cut to a few dozen
// characters so a hostile megabyte-long key does not come back in the error.
std::string QuoteForMessage(std::string_view text);

}  // namespace pgmcp::query

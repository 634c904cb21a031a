#include "common/json_string.h"
#include "common/utf8.h"
#include "protocol/backend.h"

namespace pgmcp::protocol {

Error UnknownTool(std::string_view name) {
  return MakeError(ErrorKind::kNotFound, "Unknown tool: " + CutUtf8(name, 64), "unknown_tool");
}

std::string EncodeToolResult(const ToolOutcome& outcome) {
  // Written straight into one buffer: the text is most of a reply and is escaped once, in place.
  constexpr std::string_view kHead = R"({"content":[{"type":"text","text":)";
  std::string out;
  out.reserve(kHead.size() + outcome.text.size() + outcome.text.size() / 4 + outcome.structured_json.size() + 64);
  out += kHead;
  AppendJsonString(outcome.text, out);
  out += "}]";
  if (!outcome.structured_json.empty()) {
    out += R"(,"structuredContent":)";
    out += outcome.structured_json;
  }
  out += outcome.is_error ? R"(,"isError":true})" : R"(,"isError":false})";
  return out;
}

}  // namespace pgmcp::protocol

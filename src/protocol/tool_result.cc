#include "common/json_string.h"
#include "protocol/backend.h"
#include "protocol/errors.h"
#include "protocol/jsonrpc.h"

namespace pgmcp::protocol {

Error UnknownTool(std::string_view name) {
  return MakeError(ErrorKind::kNotFound, "Unknown tool: " + Echo(name), "unknown_tool");
}

std::string EncodeToolResult(const ToolOutcome& outcome) {
  std::string out;
  // The text escaped takes at most two bytes a byte unless it holds control characters.
  out.reserve(2 * outcome.text.size() + outcome.structured_json.size() + 96);
  out += '{';
  AppendToolResultMembers(out, outcome);
  return out;
}

void AppendToolResultMembers(std::string& out, const ToolOutcome& outcome) {
  out += R"("content":[{"type":"text","text":)";
  pgmcp::AppendJsonString(outcome.text, out);
  out += "}]";
  if (!outcome.structured_json.empty()) {
    out += R"(,"structuredContent":)";
    out += outcome.structured_json;
  }
  out += outcome.is_error ? R"(,"isError":true})" : R"(,"isError":false})";
}

}  // namespace pgmcp::protocol

#include <boost/json/serialize.hpp>

#include "common/utf8.h"
#include "protocol/backend.h"

namespace pgmcp::protocol {

Error UnknownTool(std::string_view name) {
  return MakeError(ErrorKind::kNotFound, "Unknown tool: " + CutUtf8(name, 64), "unknown_tool");
}

std::string EncodeToolResult(const ToolOutcome& outcome) {
  std::string out = R"({"content":[{"type":"text","text":)";
  out += boost::json::serialize(boost::json::string_view(outcome.text));
  out += "}]";
  if (!outcome.structured_json.empty()) {
    out += R"(,"structuredContent":)";
    out += outcome.structured_json;
  }
  out += outcome.is_error ? R"(,"isError":true})" : R"(,"isError":false})";
  return out;
}

}  // namespace pgmcp::protocol

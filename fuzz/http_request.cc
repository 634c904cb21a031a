// Fuzzes HTTP request handling without sockets: Beast's request parser on raw bytes (several
// requests on one keep-alive connection), then for each parsed request the header checks in front
// of /mcp (http/request_checks.h) and the classification of a POST (protocol::RoutePost), as the
// server runs them.
#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "http/request_checks.h"
#include "protocol/http_pipeline.h"

namespace {
namespace bhttp = boost::beast::http;
using namespace pgmcp;

void CheckRequest(const bhttp::request<bhttp::string_body>& req) {
  static const std::vector<std::string> allowed = {"https://app.example", "http://localhost:3000"};
  (void)http::HostAllowed(req[bhttp::field::host], true);
  (void)http::HostAllowed(req[bhttp::field::host], false);
  const auto origin = req.find(bhttp::field::origin);
  (void)http::OriginAllowed(origin != req.end() ? origin->value() : "", origin != req.end(), allowed, 8080);
  (void)http::Accepts(req[bhttp::field::accept], "application/json");
  (void)http::Accepts(req[bhttp::field::accept], "text/event-stream");
  const std::string_view content_type = req[bhttp::field::content_type];
  std::string upper(content_type);
  for (char& c : upper) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  PGMCP_FUZZ_CHECK(http::HasMediaType(content_type, "application/json") == http::HasMediaType(upper, "application/json"),
                   "a media type matches whatever its case");
  const protocol::PostedMessage posted{req.body(), req["MCP-Protocol-Version"], req["Mcp-Method"], req["Mcp-Name"],
                                       req["Mcp-Session-Id"]};
  const protocol::Route route = protocol::RoutePost(posted, 64);
  if (const auto* immediate = std::get_if<protocol::Immediate>(&route)) {
    const int status = immediate->reply.http_status;
    PGMCP_FUZZ_CHECK(status >= 200 && status < 600, "an immediate answer has an HTTP status");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  for (int requests = 0; requests < 8 && !bytes.empty(); ++requests) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(16 * 1024);
    parser.body_limit(64 * 1024);
    parser.eager(true);
    boost::beast::error_code ec;
    const size_t used = parser.put(boost::asio::buffer(bytes.data(), bytes.size()), ec);
    if (ec || !parser.is_done()) return 0;
    CheckRequest(parser.get());
    PGMCP_FUZZ_CHECK(used > 0 && used <= bytes.size(), "a parsed request consumed its bytes");
    bytes.remove_prefix(used);
  }
  return 0;
}

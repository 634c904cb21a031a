// Fuzzes the JSON-RPC codec and MCP dispatch of both eras without a database: each line of the
// input is one message, sent to a Session after a fixed handshake and, when it is a stateless-era
// request, through RoutePost to a StatelessServer too. Everything pgmcp sends back must be one well-formed JSON value.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "fuzz/fixed_tools_backend.h"
#include "fuzz/fuzz_check.h"
#include "protocol/eras.h"
#include "protocol/http_pipeline.h"
#include "protocol/session.h"

namespace {
namespace asio = boost::asio;
using namespace pgmcp;

void CheckJson(std::string_view text) {
  boost::json::error_code ec;
  boost::json::parse(text, ec);
  PGMCP_FUZZ_CHECK(!ec, "every message sent is one JSON value");
}

asio::io_context& Io() {
  static asio::io_context io;
  return io;
}

std::shared_ptr<fuzzing::FixedToolsBackend> Backend() {
  static const auto backend = std::make_shared<fuzzing::FixedToolsBackend>();
  return backend;
}

constexpr std::string_view kHandshake[] = {
    R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"fuzz","version":"1"}}})",
    R"({"jsonrpc":"2.0","method":"notifications/initialized"})",
};

// The HTTP server's path to StatelessServer: RoutePost, with the headers a client that agrees with
// its body sends; Serve takes only what RoutePost classified as a stateless request.
void ServeStatelessly(std::string_view line) {
  static const protocol::StatelessServer stateless(Backend(), "fuzz");
  const auto parsed = protocol::ParseMessage(line, 64);
  const auto* request = std::get_if<protocol::Request>(&parsed);
  const auto claim = request != nullptr ? protocol::StatelessClaim(request->params) : std::nullopt;
  if (!claim) return;
  const auto* name = request->params.is_object() ? request->params.get_object().if_contains("name") : nullptr;
  const std::string_view tool = name != nullptr && name->is_string() ? std::string_view(name->get_string()) : "";
  auto route = protocol::RoutePost({line, *claim, request->method, tool, ""}, 64);
  if (auto* routed = std::get_if<protocol::StatelessRequest>(&route)) {
    asio::co_spawn(Io(), stateless.Serve(std::move(routed->request), {}),
                   [](std::exception_ptr failure, protocol::Reply reply) {
                     PGMCP_FUZZ_CHECK(failure == nullptr, "stateless serving throws nothing");
                     if (!reply.text.empty()) CheckJson(reply.text);
                   });
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  asio::io_context& io = Io();
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  auto session = protocol::Session::Create(io.get_executor(), Backend(), protocol::SessionOptions{64, "fuzz", {}, nullptr},
                                           [](protocol::Outgoing message) { CheckJson(message.text); });
  for (const auto line : kHandshake) session->Receive(line);
  for (size_t start = 0; start <= input.size();) {
    size_t end = input.find('\n', start);
    if (end == std::string_view::npos) end = input.size();
    const std::string_view line = input.substr(start, end - start);
    session->Receive(line);
    ServeStatelessly(line);
    start = end + 1;
  }
  io.restart();
  io.run();
  session->CancelAll();
  io.restart();
  io.run();
  return 0;
}

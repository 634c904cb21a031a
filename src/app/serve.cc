// `pgmcp serve`: the MCP server. stdio now; the HTTP transport plugs in beside it.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "app/commands.h"
#include "logging/log.h"
#include "protocol/session.h"
#include "service/startup.h"
#include "service/tool_service.h"
#include "transport/stdio_transport.h"

namespace pgmcp::app {
namespace asio = boost::asio;

namespace {
// How long in-flight calls may run after stdin closes or a stop signal arrives.
constexpr std::chrono::seconds kDrainTimeout{10};
}  // namespace

int Serve(const config::Invocation& inv) {
  const config::Settings& s = inv.settings;
  if (s.transport == config::Transport::kHttp) {
    std::fprintf(stderr, "pgmcp: --transport http is not available in this build yet\n");
    return 2;
  }
  auto snapshot = service::LoadSchema(s);
  if (!snapshot) return service::ReportStartupError(snapshot.error());

  asio::io_context io(1);
  auto settings = std::make_shared<const config::Settings>(s);
  auto pool = database::Pool::Create(io.get_executor(), service::PoolOptionsFrom(s));
  pool->Start();
  auto tools = std::make_shared<service::ToolService>(settings, pool);
  tools->Publish(*snapshot);

  transport::StdioTransport stdio(io.get_executor(), static_cast<size_t>(s.limits.max_line_bytes));
  protocol::SessionOptions options;
  options.max_json_depth = static_cast<size_t>(s.limits.max_json_depth);
  options.server_version = PGMCP_VERSION;
  options.context.session_id = "stdio";
  options.context.role = s.auth.anonymous_role;
  auto session = protocol::Session::Create(io.get_executor(), tools, options,
                                           [&stdio](std::string message) { stdio.Send(std::move(message)); });

  bool stopping = false;
  auto stop = [&](const char* why) {
    if (stopping) return;
    stopping = true;
    logging::Info("shutdown", {{"reason", why}, {"in_flight", session->in_flight()}});
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          // Let calls in flight finish (bounded), then stop.
          auto deadline = std::chrono::steady_clock::now() + kDrainTimeout;
          asio::steady_timer tick(io);
          while (session->in_flight() > 0 && std::chrono::steady_clock::now() < deadline) {
            tick.expires_after(std::chrono::milliseconds(10));
            co_await tick.async_wait(asio::as_tuple(asio::use_awaitable));
          }
          session->CancelAll();
          pool->Close();
          io.stop();
        },
        asio::detached);
  };

  stdio.Start({
      [&](std::string line) {
        if (!stopping) session->Receive(line);
      },
      [&] {
        stdio.Send(protocol::EncodeError(nullptr, protocol::error_code::kInvalidRequest,
                                         "Invalid Request: the message is larger than " +
                                             std::to_string(s.limits.max_line_bytes) + " bytes."));
      },
      [&] { stop("stdin closed"); },
  });
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (!ec) stop("signal");
  });
  logging::Info("serving", {{"transport", "stdio"}, {"tools", (*snapshot)->tables.size()}, {"version", PGMCP_VERSION}});
  io.run();
  stdio.Stop();
  return 0;
}

}  // namespace pgmcp::app

// `pgmcp tools` and `pgmcp call`: the same pipeline as the server, for one answer on stdout.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/serialize.hpp>
#include <cstdio>

#include "app/commands.h"
#include "catalog/pretty_json.h"
#include "common/error_kinds.h"
#include "common/json.h"
#include "logging/log.h"
#include "service/startup.h"
#include "service/tool_service.h"

namespace pgmcp::app {
namespace asio = boost::asio;

int PrintTools(const config::Invocation& inv) {
  auto audited = service::LoadAuditedSchema(inv.settings);
  if (!audited) return service::ReportStartupError(audited.error());
  asio::io_context io;
  auto settings = std::make_shared<const config::Settings>(inv.settings);
  service::ToolService tools(
      settings, database::Pool::Create(io.get_executor(),
                                       service::PoolOptionsFrom(inv.settings, /*max=*/1, audited->login_role)));
  tools.Publish(audited->snapshot);
  // What `pgmcp call` may call: the tools of auth.anonymous_role, else of the login role.
  protocol::CallContext caller;
  caller.role = inv.settings.auth.anonymous_role;
  std::string out = *tools.ViewFor(caller)->catalog->tools_list;  // every tool, unpaged
  out.push_back('\n');
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

namespace {

// `pgmcp call --explain`: the SQL, its parameters and the plan as pretty JSON on stdout. Exit codes
// as for a call: 2 for an unknown tool, 1 when the call could not be planned (its sentence on stderr).
int PrintExplain(asio::io_context& io, service::ToolService& tools, const std::string& tool,
                 boost::json::value arguments, const protocol::CallContext& context) {
  auto future = asio::co_spawn(io, tools.ExplainCall(tool, std::move(arguments), context), asio::use_future);
  io.run();
  Result<boost::json::value> explained = future.get();
  if (!explained) {
    const bool unknown = explained.error().kind == ErrorKind::kNotFound;
    std::fprintf(stderr, "pgmcp: %s%s\n", std::string(ClientSentence(explained.error())).c_str(),
                 unknown ? " (pgmcp tools lists them)" : "");
    return unknown ? 2 : 1;
  }
  const std::string out = catalog::PrettyJson(*explained);  // ends with a newline
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace

int CallOnce(const config::Invocation& inv) {
  auto arguments = ParseJson(inv.arguments, static_cast<size_t>(inv.settings.limits.max_json_depth));
  if (!arguments) {
    std::fprintf(stderr, "pgmcp: the arguments are not valid JSON: %s\n", arguments.error().message.c_str());
    return 2;
  }
  auto audited = service::LoadAuditedSchema(inv.settings);
  if (!audited) return service::ReportStartupError(audited.error());
  asio::io_context io;
  auto settings = std::make_shared<const config::Settings>(inv.settings);
  auto pool =
      database::Pool::Create(io.get_executor(), service::PoolOptionsFrom(inv.settings, /*max=*/1, audited->login_role));
  auto tools = std::make_shared<service::ToolService>(settings, pool);
  tools->Publish(audited->snapshot);
  protocol::CallContext context;
  context.session_id = "cli";
  context.role = inv.settings.auth.anonymous_role;
  if (inv.explain) return PrintExplain(io, *tools, inv.tool, std::move(arguments.value()), context);
  auto future = asio::co_spawn(io, tools->CallTool(inv.tool, std::move(arguments.value()), context), asio::use_future);
  io.run();
  Result<protocol::ToolOutcome> outcome = future.get();
  if (!outcome) {
    // Exit codes (docs/decisions.md): 2 when the command line names a call that cannot be made
    // (arguments not JSON, unknown tool), 1 when the call ran and failed, 0 on success.
    std::fprintf(stderr, "pgmcp: %s (pgmcp tools lists them)\n", std::string(ClientSentence(outcome.error())).c_str());
    return 2;
  }
  std::string out = protocol::EncodeToolResult(*outcome);
  out.push_back('\n');
  std::fwrite(out.data(), 1, out.size(), stdout);
  return outcome->is_error ? 1 : 0;
}

}  // namespace pgmcp::app

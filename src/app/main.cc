// pgmcp entry point: resolves the invocation and runs one command.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "app/commands.h"
#include "logging/log.h"

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);  // a vanished client is an EPIPE to handle, not a fatal signal
  std::vector<std::string> args(argv + 1, argv + argc);
  auto invocation = pgmcp::config::ParseInvocation(args, [](const char* name) { return std::getenv(name); });
  if (!invocation) {
    std::fprintf(stderr, "pgmcp: %s\n", invocation.error().message.c_str());
    return 2;
  }
  pgmcp::logging::SetLevel(invocation->settings.log_level);
  try {
    switch (invocation->command) {
      case pgmcp::config::CommandKind::kHelp:
        std::fputs(pgmcp::config::UsageText().c_str(), stdout);
        return 0;
      case pgmcp::config::CommandKind::kVersion:
        std::printf("pgmcp %s\n", PGMCP_VERSION);
        return 0;
      case pgmcp::config::CommandKind::kServe:
        return pgmcp::app::Serve(*invocation);
      case pgmcp::config::CommandKind::kTools:
        return pgmcp::app::PrintTools(*invocation);
      case pgmcp::config::CommandKind::kCall:
        return pgmcp::app::CallOnce(*invocation);
      case pgmcp::config::CommandKind::kCheck:
        return pgmcp::app::Check(*invocation);
      case pgmcp::config::CommandKind::kRoleSql:
        return pgmcp::app::PrintRoleSql(*invocation);
    }
  } catch (const std::exception& e) {
    // Exceptions are bugs: report and fail, never hang.
    pgmcp::logging::Error("fatal", {{"reason", e.what()}});
    return 1;
  }
  return 1;
}

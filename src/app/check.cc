// `pgmcp check`: connect, check that dsn logs in as the audited role, introspect and run the
// start-up privilege audit (docs/security.md), print every finding on stdout and exit 0 (safe,
// warnings allowed), 2 (unsafe, or another role on dsn) or 1 (unreachable).
#include <cstdio>

#include "app/commands.h"
#include "schema/introspect.h"
#include "security/audit.h"
#include "service/query_settings_check.h"
#include "service/startup.h"

namespace pgmcp::app {

int Check(const config::Invocation& inv) {
  const config::Settings& s = inv.settings;
  auto conn = service::ConnectBlocking(s);
  if (!conn) return service::ReportStartupError(conn.error());
  if (auto same = service::SharedLoginRole(**conn, s); !same) return service::ReportStartupError(same.error());
  auto snapshot = schema::Introspect(**conn, s);
  if (!snapshot) return service::ReportStartupError(snapshot.error());
  auto report = security::AuditRoles(**conn, s, *snapshot);
  if (!report) return service::ReportStartupError(report.error());
  for (const auto& line : security::ReportLines(*report)) std::printf("%s\n", line.c_str());
  if (auto judged = service::CheckQuerySettings(**conn, s); !judged) {
    if (judged.error().kind != ErrorKind::kConfig) return service::ReportStartupError(judged.error());
    std::printf("pgmcp check: %s\n", judged.error().message.c_str());
    std::fflush(stdout);
    return 2;
  }
  if (!report->safe() && s.security.allow_privileged_role) {
    // check tells the truth either way; this only says what serve would do with it.
    std::printf("pgmcp check: security.allow_privileged_role = true: serve would start anyway\n");
  }
  std::fflush(stdout);
  return report->safe() ? 0 : 2;
}

}  // namespace pgmcp::app

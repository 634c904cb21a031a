// `pgmcp role-sql`: prints the SQL that creates the roles pgmcp runs as (docs/roles.md), from the
// command line and the config file alone; exit 0, or 2 for a name PostgreSQL would not take as is.
#include <cstdio>
#include <string>

#include "app/commands.h"
#include "security/role_sql.h"

namespace pgmcp::app {

int PrintRoleSql(const config::Invocation& inv) {
  const config::Settings& s = inv.settings;
  security::RoleSqlRequest request;
  request.authenticator = inv.authenticator;
  request.login_role = !inv.role.empty()   ? inv.role
                       : inv.authenticator ? std::string(security::kDefaultAuthenticatorRole)
                                           : std::string(security::kDefaultReaderRole);
  request.schemas = s.schemas;
  request.read_roles = s.auth.allowed_roles;
  if (!s.auth.anonymous_role.empty()) request.read_roles.push_back(s.auth.anonymous_role);
  auto sql = security::RoleSql(request);
  if (!sql) {
    std::fprintf(stderr, "pgmcp: %s\n", sql.error().message.c_str());
    return 2;
  }
  std::fputs(sql->c_str(), stdout);
  return std::fflush(stdout) == 0 ? 0 : 1;
}

}  // namespace pgmcp::app

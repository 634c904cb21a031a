// The SQL that `pgmcp role-sql` prints: it creates the roles pgmcp logs in as and may switch to,
// with exactly the privileges the start-up audit accepts. Pure text generation, no connection.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace pgmcp::security {

// The login role's name when `--role` is absent (docs/roles.md).
inline constexpr std::string_view kDefaultReaderRole = "pgmcp_reader";
inline constexpr std::string_view kDefaultAuthenticatorRole = "pgmcp_authenticator";

struct RoleSqlRequest {
  std::string login_role;            // the role pgmcp logs in as
  std::vector<std::string> schemas;  // the exposed schemas: USAGE, SELECT on their tables
  // false: the login role reads the schemas itself. true: it is a PostgREST-style authenticator
  // (LOGIN NOINHERIT, holds nothing but CONNECT) and `read_roles` (NOLOGIN) read instead.
  bool authenticator = false;
  std::vector<std::string> read_roles;  // auth.allowed_roles and auth.anonymous_role
};

// A script for psql or one simple-query message, in one transaction, that can run again (existing roles are
// kept, and refused if they hold an attribute the audit reports). Names are quoted, never trusted.
// kConfig errors name what PostgreSQL would refuse or silently change: an empty name, one over 63
// bytes (it would be truncated), control characters, reserved names (public, none, pg_*), the
// login role among the read roles, or an authenticator without read roles.
Result<std::string> RoleSql(const RoleSqlRequest& request);

}  // namespace pgmcp::security

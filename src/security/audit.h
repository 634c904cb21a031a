// The start-up privilege audit (docs/security.md): can the roles pgmcp runs as write, change the schema,
// or read past row-level security? Blocking, a few catalog queries; run before serving.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "common/result.h"
#include "config/settings.h"
#include "database/catalog_reader.h"
#include "schema/snapshot.h"

namespace pgmcp::security {

// kUnsafe makes the roles unsafe: serve/tools/call refuse (exit 2) unless
// security.allow_privileged_role. kWarning is printed and logged; the exit code stays 0.
enum class Severity { kUnsafe, kWarning };

// What kind of thing was found; lets callers treat a group differently (the schema's warnings
// are already logged by the schema loader, so serve does not log them twice).
enum class FindingKind {
  kRoleAttribute,  // SUPERUSER, BYPASSRLS, CREATEROLE, CREATEDB, REPLICATION
  kMembership,     // a predefined role such as pg_write_all_data
  kOwnership,      // owns a table, view, sequence...
  kPrivilege,      // INSERT/UPDATE/DELETE/TRUNCATE/TRIGGER, column grants, sequences, CREATE
  kRoleSetup,      // a configured role that does not exist or cannot be switched to
  kSchema,         // a warning of the schema snapshot (e.g. a plain view left out)
};

struct Finding {
  Severity severity = Severity::kUnsafe;
  FindingKind kind = FindingKind::kPrivilege;
  std::string role;     // the audited role it is about; empty for schema warnings
  std::string message;  // one line naming the role and what was found
};

struct AuditReport {
  std::vector<std::string> roles;  // the audited roles that exist: login role first, then configured
  std::vector<Finding> findings;   // grouped by audited role, in the order of `roles`

  bool safe() const { return Count(Severity::kUnsafe) == 0; }
  size_t Count(Severity severity) const {
    size_t n = 0;
    for (const auto& f : findings) n += f.severity == severity ? 1 : 0;
    return n;
  }
};

// The roles a catalog connection acts as: session_user, the role it logged in as, and
// current_user, which a `role` option in the DSN can make another.
struct LoginRoles {
  std::string session_user;
  std::string current_user;
  bool operator==(const LoginRoles&) const = default;
};
Result<LoginRoles> ReadLoginRoles(database::CatalogReader& reader);
// `role "a"`, or `role "a" acting as "b"` when current_user differs; on one line, for a refusal.
std::string DescribeLoginRoles(const LoginRoles& roles);

// Audits the login role (current_user and session_user), every role of auth.allowed_roles and
// auth.anonymous_role, and every role each of them can become (membership, recursively, with or
// without INHERIT: a NOINHERIT membership is one SET ROLE away). The snapshot says which tables
// are exposed and carries the warnings of introspection. Errors only when the catalog cannot be
// read; findings are values in the report.
Result<AuditReport> AuditRoles(database::CatalogReader& reader, const config::Settings& settings,
                               const schema::SchemaSnapshot& snapshot);

// The table privileges that make a role unsafe on a server of `server_version` (PQserverVersion's
// number): INSERT, UPDATE, DELETE, TRUNCATE, TRIGGER, and since PostgreSQL 17 MAINTAIN (VACUUM,
// CLUSTER, REFRESH MATERIALIZED VIEW, LOCK...). Older servers reject the name MAINTAIN.
std::vector<std::string> TableWritePrivileges(int server_version);

// For `pgmcp check`: one line per finding ("problem: ..." / "warning: ..."), then the summary.
std::vector<std::string> ReportLines(const AuditReport& report);
// "pgmcp check: 2 problems, 1 warning (roles: a, b)" or "pgmcp check: safe (roles: mcp_reader)".
std::string SummaryLine(const AuditReport& report);
// The messages of the unsafe findings, for serve's refusal (one line each on stderr).
std::vector<std::string> RefusalReasons(const AuditReport& report);

}  // namespace pgmcp::security

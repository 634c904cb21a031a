#include "security/audit.h"

#include "common/sql_text.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <string_view>
#include <unordered_set>

namespace pgmcp::security {
namespace {

// Beyond this many privilege findings for one audited role the rest are counted, not listed:
// a role that can write to 500 tables is unsafe already, and serve prints every line.
constexpr size_t kMaxPrivilegeFindingsPerRole = 25;

// ---------------------------------------------------------------------------------------------
// Catalog queries. Role names are data: always bind parameters ($1 text[]), never SQL text.

constexpr const char* kLoginSql = "SELECT current_user::text AS current_user, session_user::text AS session_user";

// Each configured role: does it exist, and can the session user switch to it? $2 is the
// pg_has_role privilege that SET ROLE needs: 'MEMBER' before PostgreSQL 16, 'SET' since.
constexpr const char* kConfiguredSql = R"SQL(
SELECT w.name, r.oid IS NOT NULL AS role_exists,
       COALESCE(pg_catalog.pg_has_role(session_user, r.oid, $2), false) AS can_set_role
FROM unnest($1::text[]) WITH ORDINALITY AS w(name, ord)
LEFT JOIN pg_catalog.pg_roles r ON r.rolname = w.name
ORDER BY w.ord
)SQL";

// Every role each audited role can become, itself included, with the attributes that matter.
// Membership with or without INHERIT counts: a NOINHERIT member is one SET ROLE away from the
// other role's rights. A superuser is a "member" of every role; its own row says enough.
constexpr const char* kReachableSql = R"SQL(
SELECT a.rolname AS audited, x.rolname AS reached, x.oid = a.oid AS self,
       x.rolsuper, x.rolbypassrls, x.rolcreaterole, x.rolcreatedb, x.rolreplication
FROM pg_catalog.pg_roles a
JOIN pg_catalog.pg_roles x
  ON x.oid = a.oid OR (NOT a.rolsuper AND pg_catalog.pg_has_role(a.oid, x.oid, 'MEMBER'))
WHERE a.rolname = ANY ($1::text[])
ORDER BY a.rolname, x.oid <> a.oid, x.rolname
)SQL";

// What the audited roles own or may write, in every schema but TOAST and temporary ones. System
// catalog tables are included (a write grant there is rare and exactly what must not go
// unnoticed); pg_catalog's views are not: PUBLIC's UPDATE on pg_settings is how SET is spelled.
//
// Subjects: the audited role itself (has_*_privilege already counts what it inherits) and each
// role it reaches only through SET ROLE (NOINHERIT membership), named in "via", for what the
// audited role does not hold itself. Superusers are left out: they can do anything, and their
// attribute finding says so.
//
// A relation without an ACL (relacl IS NULL) grants nothing beyond its owner, so only relations
// with one are checked for grants: owners, superusers and pg_write_all_data members (the only
// others who could write to it) have findings of their own. Relations an audited role can
// act as the owner of are reported once, as owned.
//
// $2 is the list of table privileges that write (TableWritePrivileges: it depends on the server's
// version, and has_table_privilege refuses a privilege name it does not know).
//
// Columns: audited, via, what, relkind, object, detail (the privileges), oid, extra (for tables
// the grantees the privileges come through, for column grants the columns), bypasses_rls.
constexpr const char* kObjectsSql = R"SQL(
WITH audited AS (
  SELECT oid, rolname FROM pg_catalog.pg_roles
  WHERE rolname = ANY ($1::text[]) AND NOT rolsuper
), subject AS (
  SELECT a.rolname AS audited, a.oid AS audited_oid, a.oid AS role_oid, ''::text AS via
  FROM audited a
  UNION ALL
  SELECT a.rolname, a.oid, x.oid, x.rolname
  FROM audited a
  JOIN pg_catalog.pg_roles x
    ON x.oid <> a.oid AND NOT x.rolsuper
   AND pg_catalog.pg_has_role(a.oid, x.oid, 'MEMBER')
   AND NOT pg_catalog.pg_has_role(a.oid, x.oid, 'USAGE')
), rel AS (
  SELECT c.oid, c.relkind, c.relowner, c.relacl,
         c.relrowsecurity AND NOT c.relforcerowsecurity AS owner_bypasses_rls,
         pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) AS name
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
    AND n.nspname <> 'pg_toast' AND n.nspname !~ '^pg_(toast_)?temp_'
    AND NOT (n.nspname = 'pg_catalog' AND c.relkind = 'v')
), table_writes AS (
  SELECT s.audited, s.via, s.role_oid, r.oid, r.relkind, r.name, r.relacl,
         ARRAY(SELECT p FROM unnest($2::text[]) AS p
               WHERE pg_catalog.has_table_privilege(s.role_oid, r.oid, p)
                 AND (s.via = '' OR NOT pg_catalog.has_table_privilege(s.audited_oid, r.oid, p))) AS privs
  FROM subject s
  JOIN rel r ON r.relkind IN ('r', 'p', 'v', 'f') AND r.relacl IS NOT NULL
  WHERE NOT pg_catalog.pg_has_role(s.audited_oid, r.relowner, 'MEMBER')
), sequence_writes AS (
  SELECT s.audited, s.via, r.oid, r.relkind, r.name,
         ARRAY(SELECT p FROM unnest(ARRAY['UPDATE', 'USAGE']) AS p
               WHERE pg_catalog.has_sequence_privilege(s.role_oid, r.oid, p)
                 AND (s.via = '' OR NOT pg_catalog.has_sequence_privilege(s.audited_oid, r.oid, p))) AS privs
  FROM subject s
  JOIN rel r ON r.relkind = 'S' AND r.relacl IS NOT NULL
  WHERE NOT pg_catalog.pg_has_role(s.audited_oid, r.relowner, 'MEMBER')
), column_writes AS (
  SELECT s.audited, s.via, r.oid, r.relkind, r.name, p.priv,
         string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum) AS columns
  FROM subject s
  JOIN rel r ON r.relkind IN ('r', 'p', 'v', 'f')
  JOIN pg_catalog.pg_attribute a
    ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attacl IS NOT NULL
  CROSS JOIN (VALUES ('INSERT'), ('UPDATE')) AS p(priv)
  WHERE NOT pg_catalog.pg_has_role(s.audited_oid, r.relowner, 'MEMBER')
    AND NOT pg_catalog.has_table_privilege(s.role_oid, r.oid, p.priv)
    AND pg_catalog.has_column_privilege(s.role_oid, r.oid, a.attnum, p.priv)
    AND (s.via = '' OR NOT pg_catalog.has_column_privilege(s.audited_oid, r.oid, a.attnum, p.priv))
  GROUP BY s.audited, s.via, r.oid, r.relkind, r.name, p.priv
)
SELECT a.rolname AS audited,
       CASE WHEN r.relowner = a.oid THEN '' ELSE pg_catalog.pg_get_userbyid(r.relowner) END AS via,
       'owner' AS what, r.relkind::text AS relkind, r.name AS object, '' AS detail, r.oid, '' AS extra,
       r.owner_bypasses_rls AS bypasses_rls
FROM audited a
JOIN rel r ON pg_catalog.pg_has_role(a.oid, r.relowner, 'MEMBER')
UNION ALL
SELECT w.audited, w.via, 'table', w.relkind::text, w.name, array_to_string(w.privs, ', '), w.oid,
       CASE WHEN w.via <> '' THEN '' ELSE COALESCE((
         SELECT string_agg(DISTINCT CASE WHEN e.grantee = 0 THEN 'PUBLIC'
                                         ELSE 'role "' || pg_catalog.pg_get_userbyid(e.grantee) || '"' END,
                           ', ')
         FROM pg_catalog.aclexplode(w.relacl) e
         WHERE e.privilege_type = ANY (w.privs) AND e.grantee <> w.role_oid
           AND (e.grantee = 0 OR pg_catalog.pg_has_role(w.role_oid, e.grantee, 'USAGE'))), '') END,
       false
FROM table_writes w
WHERE cardinality(w.privs) > 0
UNION ALL
SELECT c.audited, c.via, 'columns', c.relkind::text, c.name, c.priv, c.oid, c.columns, false
FROM column_writes c
UNION ALL
SELECT q.audited, q.via, 'sequence', q.relkind::text, q.name, array_to_string(q.privs, ', '), q.oid, '', false
FROM sequence_writes q
WHERE cardinality(q.privs) > 0
UNION ALL
SELECT s.audited, s.via, 'schema', '', pg_catalog.quote_ident(n.nspname), 'CREATE', 0, '', false
FROM subject s
JOIN pg_catalog.pg_namespace n ON pg_catalog.has_schema_privilege(s.role_oid, n.oid, 'CREATE')
WHERE n.nspname <> 'pg_toast' AND n.nspname !~ '^pg_(toast_)?temp_'
  AND (s.via = '' OR NOT pg_catalog.has_schema_privilege(s.audited_oid, n.oid, 'CREATE'))
UNION ALL
SELECT s.audited, s.via, 'database', '', pg_catalog.quote_ident(current_database()), 'CREATE', 0, '', false
FROM subject s
WHERE pg_catalog.has_database_privilege(s.role_oid, current_database(), 'CREATE')
  AND (s.via = '' OR NOT pg_catalog.has_database_privilege(s.audited_oid, current_database(), 'CREATE'))
)SQL";

// Roles other than the owner (PUBLIC included) that hold CREATE on an exposed schema ($1): they
// can plant functions, operators and types there (docs/security.md, "Name resolution is pinned").
constexpr const char* kSchemaCreateSql = R"SQL(
SELECT n.nspname::text AS schema,
       CASE WHEN e.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(e.grantee)::text END AS grantee
FROM pg_catalog.pg_namespace n
CROSS JOIN LATERAL pg_catalog.aclexplode(n.nspacl) e
WHERE n.nspname = ANY ($1::text[]) AND e.privilege_type = 'CREATE' AND e.grantee <> n.nspowner
ORDER BY n.nspname, e.grantee <> 0, 2
)SQL";

// ---------------------------------------------------------------------------------------------


// Runs one catalog query; its failure is worded for what the audit reads (a timeout stays one).
Result<database::Rows> Run(database::CatalogReader& reader, const char* sql, const std::vector<std::string>& params) {
  auto rows = reader.Query(sql, params);
  if (!rows) {
    Error e = rows.error();
    if (!e.code.empty() && e.kind != ErrorKind::kTimeout) {
      e.message = "Reading the roles and privileges from the database catalog failed.";
    }
    return e;
  }
  return rows;
}

// Catalog names may hold anything, even newlines; a finding must stay one line.
std::string OneLine(std::string s) {
  for (char& c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return s;
}

std::string Quoted(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out + "\"";
}

std::string RelationWord(std::string_view relkind) {
  switch (relkind.empty() ? 'r' : relkind[0]) {
    case 'p':
      return "partitioned table";
    case 'v':
      return "view";
    case 'm':
      return "materialized view";
    case 'f':
      return "foreign table";
    case 'S':
      return "sequence";
    default:
      return "table";
  }
}

// The start of a finding about `role`, reached through `via` when that is another role.
std::string Subject(const std::string& role, const std::string& via, std::string_view via_phrase) {
  std::string s = "role " + Quoted(role);
  if (!via.empty() && via != role) s += " " + std::string(via_phrase) + " role " + Quoted(via) + ", which";
  return s;
}

struct PredefinedRole {
  std::string_view name;
  Severity severity;
  std::string_view why;
};

// Predefined roles that write, run programs or read past privileges make a role unsafe;
// pg_read_all_data and pg_signal_backend neither write nor pass row-level security.
constexpr PredefinedRole kPredefinedRoles[] = {
    {"pg_write_all_data", Severity::kUnsafe, "it can write to every table"},
    {"pg_write_server_files", Severity::kUnsafe, "it can write files on the database server"},
    {"pg_execute_server_program", Severity::kUnsafe, "it can run programs on the database server"},
    {"pg_read_server_files", Severity::kUnsafe,
     "it can read any file the server can, the data files of every table included, past privileges and "
     "row-level security"},
    {"pg_read_all_data", Severity::kWarning,
     "it can SELECT every table, so every table of the exposed schemas is exposed; row-level security "
     "still applies"},
    {"pg_signal_backend", Severity::kWarning, "it can cancel and terminate other sessions"},
    // PostgreSQL 17: MAINTAIN on every table (only a role of that name on 17 and later can exist:
    // names beginning with pg_ are reserved).
    {"pg_maintain", Severity::kUnsafe,
     "it can VACUUM, ANALYZE, CLUSTER, REINDEX, REFRESH and LOCK every table, which changes materialized "
     "views and blocks other sessions"},
};

struct Attribute {
  std::string_view column;  // in kReachableSql
  Severity severity;
  std::string_view phrase;
};

constexpr Attribute kAttributes[] = {
    {"rolbypassrls", Severity::kUnsafe, "has BYPASSRLS (it bypasses row-level security)"},
    {"rolcreaterole", Severity::kUnsafe,
     "has CREATEROLE (it can create roles and grant itself any non-superuser role)"},
    {"rolcreatedb", Severity::kUnsafe, "has CREATEDB (it can create databases)"},
    {"rolreplication", Severity::kUnsafe,
     "has REPLICATION (it can stream every table's data past privileges and row-level security, and its "
     "replication slots can fill the disk)"},
};

void Add(AuditReport& report, Severity severity, FindingKind kind, const std::string& role, std::string message) {
  report.findings.push_back(Finding{severity, kind, role, OneLine(std::move(message))});
}

// The roles of the configuration, in order, each with the setting that names it.
struct ConfiguredRoles {
  std::vector<std::string> names;
  std::map<std::string, std::string> setting_of;
};

ConfiguredRoles Configured(const config::Settings& settings) {
  ConfiguredRoles out;
  for (const auto& r : settings.auth.allowed_roles) {
    if (out.setting_of.emplace(r, "auth.allowed_roles").second) out.names.push_back(r);
  }
  const std::string& anonymous = settings.auth.anonymous_role;
  if (!anonymous.empty() && out.setting_of.emplace(anonymous, "auth.anonymous_role").second) {
    out.names.push_back(anonymous);
  }
  return out;
}

// Findings are collected per audited role and then laid out in the order of the audited roles.
using FindingsByRole = std::map<std::string, AuditReport>;

// Checks that each configured role exists and that the login role can switch to it; the ones
// that exist join `audited`.
Status AuditConfiguredRoles(database::CatalogReader& reader, const config::Settings& settings,
                            const std::string& session_user, std::vector<std::string>& audited,
                            std::vector<Finding>& setup_findings) {
  ConfiguredRoles configured = Configured(settings);
  if (configured.names.empty()) return OkStatus();
  const char* set_privilege = reader.server_version() >= 160000 ? "SET" : "MEMBER";
  auto status = Run(reader, kConfiguredSql, {ArrayLiteral(configured.names), set_privilege});
  if (!status) return status.error();
  for (const auto& row : *status) {
    std::string name = row.Text("name");
    const std::string& setting = configured.setting_of[name];
    if (!row.Bool("role_exists")) {
      setup_findings.push_back(Finding{
          Severity::kUnsafe, FindingKind::kRoleSetup, name,
          OneLine("role " + Quoted(name) + " of " + setting + " does not exist (calls as that role would fail)")});
      continue;
    }
    if (!row.Bool("can_set_role")) {
      setup_findings.push_back(
          Finding{Severity::kUnsafe, FindingKind::kRoleSetup, name,
                  OneLine("login role " + Quoted(session_user) + " cannot SET ROLE to " + Quoted(name) + " of " +
                          setting + " (it is not a member; calls as that role would fail)")});
    }
    if (std::find(audited.begin(), audited.end(), name) == audited.end()) audited.push_back(name);
  }
  return OkStatus();
}

// Role attributes and predefined-role memberships of every role each audited role can become.
Status AuditReachableRoles(database::CatalogReader& reader, const std::vector<std::string>& audited,
                           FindingsByRole& per_role) {
  auto reach = Run(reader, kReachableSql, {ArrayLiteral(audited)});
  if (!reach) return reach.error();
  for (const auto& row : *reach) {
    std::string role = row.Text("audited");
    std::string other = row.Text("reached");
    bool self = row.Bool("self");
    AuditReport& out = per_role[role];
    std::string via = self ? "" : other;
    if (row.Bool("rolsuper")) {
      Add(out, Severity::kUnsafe, FindingKind::kRoleAttribute, role,
          Subject(role, via, "is a member of") + " is a superuser");
      continue;  // a superuser's other attributes add nothing
    }
    for (const auto& a : kAttributes) {
      if (row.Bool(a.column)) {
        Add(out, a.severity, FindingKind::kRoleAttribute, role,
            Subject(role, via, "is a member of") + " " + std::string(a.phrase));
      }
    }
    for (const auto& p : kPredefinedRoles) {
      if (!self && other == p.name) {
        Add(out, p.severity, FindingKind::kMembership, role,
            "role " + Quoted(role) + " is a member of " + other + " (" + std::string(p.why) + ")");
      }
    }
  }
  return OkStatus();
}

// The finding for an object an audited role owns (one row of kObjectsSql with what = 'owner').
std::string OwnershipMessage(const database::Row& row, const std::unordered_set<uint32_t>& exposed) {
  const std::string role = row.Text("audited");
  const std::string word = RelationWord(row.Text("relkind"));
  const std::string object = row.Text("object");
  std::string message = Subject(role, row.Text("via"), "is a member of") + " owns ";
  if (exposed.count(static_cast<uint32_t>(row.Int64("oid"))) > 0) {
    return message + "exposed " + word + " " + object +
           (row.Bool("bypasses_rls") ? " (an owner bypasses its row-level security, and can write to and alter it)"
                                     : " (an owner can write to and alter it)");
  }
  return message + word + " " + object + " (an owner can write to and alter it)";
}

// The finding for a privilege an audited role holds (one row of kObjectsSql other than 'owner').
std::pair<Severity, std::string> PrivilegeFinding(const database::Row& row) {
  const std::string what = row.Text("what");
  const std::string object = row.Text("object");
  const std::string detail = row.Text("detail");
  const std::string extra = row.Text("extra");
  std::string message = Subject(row.Text("audited"), row.Text("via"), "can SET ROLE to") + " holds ";
  if (what == "table") {
    message += detail + " on " + RelationWord(row.Text("relkind")) + " " + object;
    if (!extra.empty()) message += " (granted to " + extra + ")";
  } else if (what == "columns") {
    message += detail + " on columns (" + extra + ") of " + RelationWord(row.Text("relkind")) + " " + object;
  } else if (what == "sequence") {
    // nextval() only consumes numbers (and is refused in pgmcp's read-only transactions);
    // setval() (UPDATE) can rewind a sequence and make the application's inserts collide.
    bool update = detail.find("UPDATE") != std::string::npos;
    message += detail + " on sequence " + object +
               (update ? " (setval can reset it)" : " (nextval consumes its values)");
    return {update ? Severity::kUnsafe : Severity::kWarning, std::move(message)};
  } else if (what == "schema") {
    message += "CREATE on schema " + object;
  } else {
    message += "CREATE on database " + object;
  }
  return {Severity::kUnsafe, std::move(message)};
}

// What the audited roles own or may write; past kMaxPrivilegeFindingsPerRole privileges of one
// role, the rest are counted in one closing finding.
Status AuditObjects(database::CatalogReader& reader, const std::vector<std::string>& audited,
                    const schema::SchemaSnapshot& snapshot, FindingsByRole& per_role) {
  std::unordered_set<uint32_t> exposed;
  for (const auto& t : snapshot.tables) exposed.insert(t.oid);
  auto objects =
      Run(reader, kObjectsSql, {ArrayLiteral(audited), ArrayLiteral(TableWritePrivileges(reader.server_version()))});
  if (!objects) return objects.error();
  std::map<std::string, size_t> listed;    // privilege findings listed per role
  std::map<std::string, size_t> unlisted;  // and those only counted
  std::map<std::string, bool> unlisted_unsafe;
  for (const auto& row : *objects) {
    std::string role = row.Text("audited");
    AuditReport& out = per_role[role];
    if (row.Text("what") == "owner") {
      Add(out, Severity::kUnsafe, FindingKind::kOwnership, role, OwnershipMessage(row, exposed));
      continue;
    }
    auto [severity, message] = PrivilegeFinding(row);
    if (listed[role] >= kMaxPrivilegeFindingsPerRole) {
      ++unlisted[role];
      unlisted_unsafe[role] = unlisted_unsafe[role] || severity == Severity::kUnsafe;
      continue;
    }
    ++listed[role];
    Add(out, severity, FindingKind::kPrivilege, role, std::move(message));
  }
  for (const auto& [role, n] : unlisted) {
    Add(per_role[role], unlisted_unsafe[role] ? Severity::kUnsafe : Severity::kWarning, FindingKind::kPrivilege, role,
        "role " + Quoted(role) + " holds " + std::to_string(n) + " more privileges like these (not listed)");
  }
  return OkStatus();
}

// Exposed schemas where a role other than the owner (and other than the audited roles, whose
// CREATE is a problem) may create objects: a warning each. pgmcp's
// own calls are pinned against what is planted there, but the schema is still not what its
// owner alone decides.
Status AuditExposedSchemas(database::CatalogReader& reader, const config::Settings& settings,
                           const std::vector<std::string>& audited, std::vector<Finding>& out) {
  if (settings.schemas.empty()) return OkStatus();
  auto rows = Run(reader, kSchemaCreateSql, {ArrayLiteral(settings.schemas)});
  if (!rows) return rows.error();
  for (const auto& row : *rows) {
    const std::string grantee = row.Text("grantee");
    // An audited role's own CREATE is a problem of its own already (AuditObjects).
    if (std::find(audited.begin(), audited.end(), grantee) != audited.end()) continue;
    const std::string who = grantee == "PUBLIC" ? std::string("PUBLIC (every role)") : "role " + Quoted(grantee);
    out.push_back(Finding{Severity::kWarning, FindingKind::kPrivilege, "",
                          OneLine("exposed schema " + Quoted(row.Text("schema")) + " lets " + who +
                                  ", not its owner, CREATE objects in it (functions, operators and types "
                                  "planted there could change what other clients' queries compute; "
                                  "REVOKE CREATE ON SCHEMA)")});
  }
  return OkStatus();
}

}  // namespace

std::vector<std::string> TableWritePrivileges(int server_version) {
  std::vector<std::string> privileges{"INSERT", "UPDATE", "DELETE", "TRUNCATE", "TRIGGER"};
  if (server_version >= 170000) privileges.emplace_back("MAINTAIN");
  return privileges;
}

Result<LoginRoles> ReadLoginRoles(database::CatalogReader& reader) {
  auto login = Run(reader, kLoginSql, {});
  if (!login) return login.error();
  if (login->row_count() != 1) return MakeError(ErrorKind::kInternal, "Reading the login role failed.");
  return LoginRoles{(*login)[0].Text("session_user"), (*login)[0].Text("current_user")};
}

std::string DescribeLoginRoles(const LoginRoles& roles) {
  std::string out = "role " + OneLine(Quoted(roles.session_user));
  if (roles.current_user != roles.session_user) out += " acting as " + OneLine(Quoted(roles.current_user));
  return out;
}

Result<AuditReport> AuditRoles(database::CatalogReader& reader, const config::Settings& settings,
                               const schema::SchemaSnapshot& snapshot) {
  auto login = ReadLoginRoles(reader);
  if (!login) return login.error();
  const std::string& current_user = login->current_user;
  const std::string& session_user = login->session_user;

  // Audited roles in report order: the login role(s), then the configured ones that exist.
  std::vector<std::string> audited = {session_user};
  if (current_user != session_user) audited.push_back(current_user);
  std::vector<Finding> setup_findings;
  if (auto st = AuditConfiguredRoles(reader, settings, session_user, audited, setup_findings); !st) return st.error();

  FindingsByRole per_role;
  if (auto st = AuditReachableRoles(reader, audited, per_role); !st) return st.error();
  if (auto st = AuditObjects(reader, audited, snapshot, per_role); !st) return st.error();
  std::vector<Finding> schema_findings;
  if (auto st = AuditExposedSchemas(reader, settings, audited, schema_findings); !st) return st.error();

  // Roles that are missing or out of reach first: they explain why calls would fail.
  AuditReport report;
  report.roles = audited;
  report.findings = std::move(setup_findings);
  for (const auto& role : audited) {
    auto it = per_role.find(role);
    if (it == per_role.end()) continue;
    for (auto& f : it->second.findings) report.findings.push_back(std::move(f));
  }
  for (auto& f : schema_findings) report.findings.push_back(std::move(f));
  for (const auto& w : snapshot.warnings) {
    Add(report, Severity::kWarning, FindingKind::kSchema, "", w);
  }
  return report;
}

std::vector<std::string> ReportLines(const AuditReport& report) {
  std::vector<std::string> lines;
  for (const auto& f : report.findings) {
    lines.push_back((f.severity == Severity::kUnsafe ? "problem: " : "warning: ") + f.message);
  }
  lines.push_back(SummaryLine(report));
  return lines;
}

std::string SummaryLine(const AuditReport& report) {
  auto count = [](size_t n, const char* word) { return std::to_string(n) + " " + word + (n == 1 ? "" : "s"); };
  std::string roles;
  for (const auto& r : report.roles) roles += (roles.empty() ? "" : ", ") + OneLine(r);
  size_t problems = report.Count(Severity::kUnsafe);
  size_t warnings = report.Count(Severity::kWarning);
  std::string line = "pgmcp check: ";
  if (problems == 0) {
    line += "safe";
    if (warnings > 0) line += ", " + count(warnings, "warning");
  } else {
    line += count(problems, "problem");
    if (warnings > 0) line += ", " + count(warnings, "warning");
  }
  return line + " (roles: " + roles + ")";
}

std::vector<std::string> RefusalReasons(const AuditReport& report) {
  std::vector<std::string> out;
  for (const auto& f : report.findings) {
    if (f.severity == Severity::kUnsafe) out.push_back(f.message);
  }
  return out;
}

}  // namespace pgmcp::security

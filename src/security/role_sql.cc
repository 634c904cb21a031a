#include "security/role_sql.h"

#include <algorithm>
#include <cctype>

#include "common/sql_text.h"

namespace pgmcp::security {
namespace {

// PostgreSQL truncates longer identifiers (NAMEDATALEN - 1): the role created would not be the
// one the script's catalog lookups and `pgmcp check` name.
constexpr size_t kMaxNameBytes = 63;

Error NameError(const std::string& what) { return MakeError(ErrorKind::kConfig, what); }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Names end up in comments too (as quoted identifiers): without control characters a name can
// never end a `--` comment and become SQL.
Status CheckName(std::string_view what, const std::string& name) {
  if (name.empty()) return NameError(std::string(what) + " must not be empty");
  if (name.size() > kMaxNameBytes) {
    return NameError(std::string(what) + " " + QuoteIdentifier(name) + " is longer than PostgreSQL's " +
                     std::to_string(kMaxNameBytes) + " bytes");
  }
  for (char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return NameError(std::string(what) + " must not contain control characters");
    }
  }
  return OkStatus();
}

Status CheckRoleName(std::string_view what, const std::string& name) {
  if (auto st = CheckName(what, name); !st) return st;
  // "public" in a GRANT ... TO would mean every role; "none" and pg_* are reserved by PostgreSQL.
  std::string lower = Lower(name);
  if (lower == "public" || lower == "none" || lower.rfind("pg_", 0) == 0) {
    return NameError(std::string(what) + " " + QuoteIdentifier(name) +
                     " is reserved (public, none and names starting with pg_ cannot be roles)");
  }
  return OkStatus();
}

// A string literal that reads the same whatever standard_conforming_strings says.
std::string Literal(std::string_view s) {
  bool backslash = s.find('\\') != std::string_view::npos;
  std::string out = backslash ? "E'" : "'";
  for (char c : s) {
    if (c == '\'') out.push_back('\'');
    if (c == '\\' && backslash) out.push_back('\\');
    out.push_back(c);
  }
  return out + "'";
}

std::string JoinQuoted(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + QuoteIdentifier(n);
  return out;
}

// Where a dollar-quote tag goes; see WithDollarTag.
constexpr char kTag = '\x01';

constexpr const char* kAttributes = "NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS";

// Creates `role`, or keeps an existing one after making sure the audit would not refuse it for
// an attribute. Changing an existing role's SUPERUSER or BYPASSRLS is left to the operator: a
// script that demoted `postgres` because of a typo in --role would do more harm than good.
// `login` is the LOGIN/NOLOGIN/NOINHERIT part; `alter` what an existing role is brought to ("" none).
std::string CreateRole(const std::string& role, const std::string& login, const std::string& alter) {
  std::string name = QuoteIdentifier(role);
  std::string lookup = "SELECT FROM pg_catalog.pg_roles WHERE rolname = " + Literal(role);
  std::string out = "DO \x01\nBEGIN\n";  // \x01: kTag
  out += "  IF NOT EXISTS (" + lookup + ") THEN\n";
  out += "    CREATE ROLE " + name + " " + login + " " + kAttributes + ";\n";
  out += "  ELSIF EXISTS (" + lookup + "\n";
  out += "                  AND (rolsuper OR rolcreatedb OR rolcreaterole OR rolreplication OR rolbypassrls)) THEN\n";
  out +=
      "    RAISE EXCEPTION 'role % already exists with SUPERUSER, CREATEDB, CREATEROLE, REPLICATION or BYPASSRLS', " +
      Literal(name) + "\n";
  out +=
      "      USING HINT = 'pgmcp role-sql does not change an existing role''s attributes: "
      "ALTER ROLE it yourself, or choose another --role.';\n";
  if (!alter.empty()) {
    out += "  ELSE\n";
    out += "    ALTER ROLE " + name + " " + alter + ";\n";
  }
  out += "  END IF;\nEND\n\x01;\n";
  return out;
}

// Replaces every kTag with a dollar-quote tag that occurs nowhere in the text, so no name can end a
// DO block's body early. kTag is a control character, which CheckName keeps out of every name.
std::string WithDollarTag(const std::string& text) {
  std::string tag = "$pgmcp$";
  for (int n = 1; text.find(tag) != std::string::npos; ++n) tag = "$pgmcp" + std::to_string(n) + "$";
  std::string out;
  size_t start = 0;
  for (size_t at; (at = text.find(kTag, start)) != std::string::npos; start = at + 1) {
    out.append(text, start, at - start);
    out += tag;
  }
  out.append(text, start, std::string::npos);
  return out;
}

}  // namespace

Result<std::string> RoleSql(const RoleSqlRequest& request) {
  if (auto st = CheckRoleName("role name", request.login_role); !st) return st.error();
  std::vector<std::string> schemas;
  for (const auto& s : request.schemas) {
    if (auto st = CheckName("schema name", s); !st) return st.error();
    if (std::find(schemas.begin(), schemas.end(), s) == schemas.end()) schemas.push_back(s);
  }
  if (schemas.empty()) return NameError("no schema to expose");
  std::vector<std::string> readers;
  if (request.authenticator) {
    for (const auto& r : request.read_roles) {
      if (auto st = CheckRoleName("role name", r); !st) return st.error();
      if (r == request.login_role) {
        return NameError("the authenticator " + QuoteIdentifier(r) +
                         " cannot also be a role it switches to (auth.allowed_roles, auth.anonymous_role)");
      }
      if (std::find(readers.begin(), readers.end(), r) == readers.end()) readers.push_back(r);
    }
    if (readers.empty()) {
      return NameError("--authenticator needs the roles it switches to: set auth.allowed_roles in the config file");
    }
  } else {
    readers.push_back(request.login_role);
  }
  const std::string login = QuoteIdentifier(request.login_role);
  const std::string grantees = JoinQuoted(readers);

  std::string sql;
  sql += "-- Roles for pgmcp, from `pgmcp role-sql` (docs/roles.md explains every statement).\n";
  sql += "-- Run it as a superuser, or as a role with CREATEROLE that owns the exposed schemas and tables,\n";
  sql += "-- connected to the database pgmcp will serve:\n";
  sql += "--   pgmcp role-sql ... | psql -v ON_ERROR_STOP=1 -d DATABASE\n";
  sql += "-- Roles belong to the whole cluster, grants to one database: run it in each database pgmcp\n";
  sql += "-- serves. It can run again (after adding a schema, say): existing roles are kept, grants repeated.\n";
  sql += "BEGIN;\n\n";

  if (request.authenticator) {
    sql += "-- The login role is an authenticator: it logs in and switches, per call, to the role the\n";
    sql += "-- caller's token names; it reads nothing itself. NOINHERIT keeps those roles' privileges out\n";
    sql += "-- of its own session.\n";
    sql += CreateRole(request.login_role, "LOGIN NOINHERIT", "LOGIN NOINHERIT");
    sql += "\n-- The roles calls run as (auth.allowed_roles, auth.anonymous_role): no login, read only.\n";
    for (const auto& r : readers) sql += CreateRole(r, "NOLOGIN", "");
    sql += "-- Lets the authenticator SET ROLE to them; with NOINHERIT, it gains nothing else.\n";
    sql += "GRANT " + grantees + " TO " + login + ";\n\n";
  } else {
    sql += "-- The login role: it logs in and reads the exposed schemas, nothing else.\n";
    sql += CreateRole(request.login_role, "LOGIN", "LOGIN");
    sql += "\n";
  }

  sql += "-- Connect to this database (PUBLIC usually may; this keeps working where that was revoked).\n";
  sql +=
      "DO \x01\nBEGIN\n  EXECUTE pg_catalog.format('GRANT CONNECT ON DATABASE %I TO %s', "
      "pg_catalog.current_database(), " +
      Literal(login) + ");\nEND\n\x01;\n";

  for (const auto& schema : schemas) {
    const std::string s = QuoteIdentifier(schema);
    sql += "\n-- Schema " + s + ": use it and read its tables, views and materialized views. CREATE held by\n";
    sql += "-- PUBLIC (PostgreSQL 14 and older grant it on schema public) would let every role create\n";
    sql += "-- objects in it, these included: revoked.\n";
    sql += "REVOKE CREATE ON SCHEMA " + s + " FROM PUBLIC;\n";
    sql += "GRANT USAGE ON SCHEMA " + s + " TO " + grantees + ";\n";
    sql += "GRANT SELECT ON ALL TABLES IN SCHEMA " + s + " TO " + grantees + ";\n";
    sql += "-- Tables the role running this script creates in " + s + " later are readable too. For tables\n";
    sql += "-- another role creates (your migration role, say), run this line again with FOR ROLE that role:\n";
    sql += "--   ALTER DEFAULT PRIVILEGES FOR ROLE app_owner IN SCHEMA " + s + " GRANT SELECT ON TABLES TO " +
           grantees + ";\n";
    sql += "ALTER DEFAULT PRIVILEGES IN SCHEMA " + s + " GRANT SELECT ON TABLES TO " + grantees + ";\n";
  }

  if (request.authenticator) {
    const std::string first = QuoteIdentifier(schemas.front());
    sql += "\n-- Row-level security decides which rows each of these roles sees. The grants above are all\n";
    sql += "-- it needs from them: policies are checked with the caller's role, which owns nothing (an\n";
    sql += "-- owner would bypass them). Tables or functions a policy looks up outside these schemas need\n";
    sql += "-- SELECT or EXECUTE for these roles as well. pgmcp passes the token's claims as\n";
    sql += "-- current_setting('request.jwt.claims', true); for each table with per-caller rows, e.g.:\n";
    sql += "--   ALTER TABLE " + first + ".orders ENABLE ROW LEVEL SECURITY;\n";
    sql += "--   CREATE POLICY orders_by_tenant ON " + first + ".orders FOR SELECT TO " + grantees + "\n";
    sql += "--     USING (tenant = current_setting('request.jwt.claims', true)::jsonb ->> 'tenant');\n";
  }

  sql += "\nCOMMIT;\n\n";
  sql += "-- " + login + " has no password yet: set one in psql with\n";
  sql += "--   \\password " + login + "\n";
  sql += "-- (psql sends only a hash of it), or let it in without one through pg_hba.conf (peer, cert).\n";
  sql += "-- Then `pgmcp check`, logged in as " + login + ", should end with \"pgmcp check: safe\".\n";
  return WithDollarTag(sql);
}

}  // namespace pgmcp::security

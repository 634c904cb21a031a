// `pgmcp role-sql` through the real binary: its output, run by psql as the superuser on a scratch
// database, must make roles that `pgmcp check` calls safe, that can read the exposed tables and
// that can write and create nothing -- for the plain reader, the authenticator, and hostile names.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "support/run_program.h"
#include "support/test_database.h"

namespace pgmcp::security {
namespace {

using testing::Outcome;
using testing::RunProgram;

// A libpq connection-string value: quoted, with ' and \ escaped, so any role name fits.
std::string ConninfoValue(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "'";
}

std::string TomlString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

std::string Ident(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out + "\"";
}

std::string LastLine(const std::string& text) {
  std::string t = text;
  while (!t.empty() && t.back() == '\n') t.pop_back();
  auto nl = t.rfind('\n');
  return nl == std::string::npos ? t : t.substr(nl + 1);
}

struct ConnCloser {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct ResultCloser {
  void operator()(PGresult* r) const { PQclear(r); }
};

class RoleSqlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    suffix_ = db_.name();
    scratch_ = ::testing::TempDir() + "pgmcp_role_sql_" + suffix_;
    db_.Exec(
        "CREATE TABLE orders (id int PRIMARY KEY, tenant text, status text);"
        "INSERT INTO orders VALUES (1, 'a', 'paid'), (2, 'b', 'open');"
        "CREATE TABLE customers (id int PRIMARY KEY, name text);"
        "CREATE SCHEMA sales; CREATE TABLE sales.invoices (id int PRIMARY KEY, amount numeric);"
        "CREATE SCHEMA hidden; CREATE TABLE hidden.secrets (id int);");
  }
  void TearDown() override {
    for (const auto& r : roles_) {
      try {
        db_.Exec("DROP OWNED BY " + Ident(r) + "; DROP ROLE " + Ident(r));
      } catch (...) {
        // A role the test never got to create.
      }
    }
    std::remove((scratch_ + ".toml").c_str());
    std::remove((scratch_ + ".sql").c_str());
  }

  Outcome Pgmcp(const std::vector<std::string>& args) { return RunProgram(PGMCP_BINARY, args, scratch_); }

  std::string DsnAs(const std::string& role) const {
    std::string dsn = db_.Dsn();
    auto at = dsn.find("user=postgres");
    return dsn.replace(at, std::string("user=postgres").size(), "user=" + ConninfoValue(role));
  }

  // Prints role-sql's SQL and runs it with psql as the superuser, stopping at the first error.
  Outcome RoleSqlThroughPsql(const std::vector<std::string>& args) {
    std::vector<std::string> full = {"role-sql"};
    full.insert(full.end(), args.begin(), args.end());
    auto sql = Pgmcp(full);
    EXPECT_EQ(sql.exit_code, 0) << sql.err;
    std::ofstream(scratch_ + ".sql") << sql.out;
    return RunProgram("psql", {"-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db_.Dsn()}, scratch_, scratch_ + ".sql");
  }

  void WriteConfig(const std::string& text) { std::ofstream(scratch_ + ".toml") << text; }

  // Runs `sql` logged in as `role` (after `set_role`, if any); returns "" or the SQLSTATE.
  std::string SqlStateAs(const std::string& role, const std::string& sql, const std::string& set_role = "") {
    std::unique_ptr<PGconn, ConnCloser> c(PQconnectdb(DsnAs(role).c_str()));
    if (PQstatus(c.get()) != CONNECTION_OK) return std::string("connect: ") + PQerrorMessage(c.get());
    std::string text = (set_role.empty() ? "" : "SET ROLE " + Ident(set_role) + "; ") + sql;
    std::unique_ptr<PGresult, ResultCloser> r(PQexec(c.get(), text.c_str()));
    auto st = PQresultStatus(r.get());
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return "";
    const char* state = PQresultErrorField(r.get(), PG_DIAG_SQLSTATE);
    return state ? state : "?";
  }

  // What a reader role may and may not do, logged in as `login` (through SET ROLE `reader` if set).
  void ExpectReadsOnly(const std::string& login, const std::string& reader = "") {
    EXPECT_EQ(SqlStateAs(login, "SELECT count(*) FROM orders", reader), "");
    EXPECT_EQ(SqlStateAs(login, "SELECT count(*) FROM sales.invoices", reader), "");
    EXPECT_EQ(SqlStateAs(login, "SELECT count(*) FROM hidden.secrets", reader), "42501") << "not exposed";
    EXPECT_EQ(SqlStateAs(login, "INSERT INTO orders VALUES (3, 'c', 'x')", reader), "42501");
    EXPECT_EQ(SqlStateAs(login, "UPDATE orders SET status = 'x'", reader), "42501");
    EXPECT_EQ(SqlStateAs(login, "DELETE FROM sales.invoices", reader), "42501");
    EXPECT_EQ(SqlStateAs(login, "CREATE TABLE public.planted (id int)", reader), "42501");
    EXPECT_EQ(SqlStateAs(login, "CREATE TABLE sales.planted (id int)", reader), "42501");
    EXPECT_EQ(SqlStateAs(login, "CREATE SCHEMA planted", reader), "42501");
  }

  testing::TestDatabase db_;
  std::string suffix_;
  std::string scratch_;
  std::vector<std::string> roles_;  // dropped in TearDown
};

TEST_F(RoleSqlTest, ReaderRoleIsSafeReadsAndWritesNothing) {
  std::string reader = "reader_" + suffix_;
  roles_ = {reader};
  auto psql = RoleSqlThroughPsql({"--role", reader, "--schemas", "public,sales"});
  ASSERT_EQ(psql.exit_code, 0) << psql.err;

  auto check = Pgmcp({"check", "--dsn", DsnAs(reader), "--schemas", "public,sales"});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_EQ(check.out, "pgmcp check: safe (roles: " + reader + ")\n");
  ExpectReadsOnly(reader);

  // A table the administrator creates later is readable through the default privileges.
  db_.Exec("CREATE TABLE sales.refunds (id int)");
  EXPECT_EQ(SqlStateAs(reader, "SELECT count(*) FROM sales.refunds"), "");

  // Running it again changes nothing and fails nothing.
  auto again = RoleSqlThroughPsql({"--role", reader, "--schemas", "public,sales"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(Pgmcp({"check", "--dsn", DsnAs(reader), "--schemas", "public,sales"}).exit_code, 0);
}

TEST_F(RoleSqlTest, AuthenticatorSwitchesToAllowedRolesThatReadUnderRowLevelSecurity) {
  std::string login = "auth_" + suffix_;
  std::string analyst = "analyst_" + suffix_;
  std::string support = "support_" + suffix_;
  roles_ = {login, analyst, support};
  WriteConfig("schemas = [\"public\", \"sales\"]\n[auth]\nallowed_roles = [" + TomlString(analyst) + ", " +
              TomlString(support) + "]\n");
  auto psql = RoleSqlThroughPsql({"--authenticator", "--role", login, "--config", scratch_ + ".toml"});
  ASSERT_EQ(psql.exit_code, 0) << psql.err;

  auto check = Pgmcp({"check", "--dsn", DsnAs(login), "--config", scratch_ + ".toml"});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_EQ(check.out, "pgmcp check: safe (roles: " + login + ", " + analyst + ", " + support + ")\n");

  // The authenticator itself reads nothing; the roles it switches to read and write nothing.
  EXPECT_EQ(SqlStateAs(login, "SELECT count(*) FROM orders"), "42501");
  ExpectReadsOnly(login, analyst);
  ExpectReadsOnly(login, support);
  EXPECT_NE(SqlStateAs(analyst, "SELECT 1"), "") << "the allowed roles cannot log in";

  // Row-level security as the script's comment suggests: the claims decide the rows.
  db_.Exec(
      "ALTER TABLE orders ENABLE ROW LEVEL SECURITY;"
      "CREATE POLICY by_tenant ON orders FOR SELECT TO " +
      Ident(analyst) + ", " + Ident(support) +
      " USING (tenant = current_setting('request.jwt.claims', true)::jsonb ->> 'tenant')");
  std::unique_ptr<PGconn, ConnCloser> c(PQconnectdb(DsnAs(login).c_str()));
  ASSERT_EQ(PQstatus(c.get()), CONNECTION_OK);
  std::unique_ptr<PGresult, ResultCloser> r(
      PQexec(c.get(), ("BEGIN READ ONLY; SELECT set_config('role', '" + analyst +
                       "', true), set_config('request.jwt.claims', '{\"tenant\":\"b\"}', true);"
                       "SELECT string_agg(id::text, ',') FROM orders")
                          .c_str()));
  ASSERT_EQ(PQresultStatus(r.get()), PGRES_TUPLES_OK) << PQerrorMessage(c.get());
  EXPECT_STREQ(PQgetvalue(r.get(), 0, 0), "2");
  EXPECT_EQ(Pgmcp({"check", "--dsn", DsnAs(login), "--config", scratch_ + ".toml"}).exit_code, 0);
}

TEST_F(RoleSqlTest, HostileNamesAreQuotedEverywhere) {
  // Quotes of both kinds, a backslash, spaces, a semicolon, non-ASCII letters, and the dollar-quote
  // tag the script would otherwise use for its DO blocks.
  std::string reader = "r\"o l'e\\ \xc3\xbc\xe6\x97\xa5 $pgmcp$; " + suffix_;
  std::string login = "a'u\"th $pgmcp1$ " + suffix_;
  std::string allowed = "an\"a l'y\\st \xf0\x9f\x93\x8a " + suffix_;
  std::string schema = "s\"c h'e\\m\xc3\xa4 $x$";
  roles_ = {reader, login, allowed};
  db_.Exec("CREATE SCHEMA " + Ident(schema) + "; CREATE TABLE " + Ident(schema) + ".t (id int)");

  auto psql = RoleSqlThroughPsql({"--role", reader, "--schemas", schema});
  ASSERT_EQ(psql.exit_code, 0) << psql.err;
  auto check = Pgmcp({"check", "--dsn", DsnAs(reader), "--schemas", schema});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_EQ(LastLine(check.out), "pgmcp check: safe (roles: " + reader + ")");
  EXPECT_EQ(SqlStateAs(reader, "SELECT count(*) FROM " + Ident(schema) + ".t"), "");
  EXPECT_EQ(SqlStateAs(reader, "INSERT INTO " + Ident(schema) + ".t VALUES (1)"), "42501");

  WriteConfig("[auth]\nallowed_roles = [" + TomlString(allowed) + "]\n");
  psql = RoleSqlThroughPsql({"--authenticator", "--role", login, "--schemas", schema, "--config", scratch_ + ".toml"});
  ASSERT_EQ(psql.exit_code, 0) << psql.err;
  check = Pgmcp({"check", "--dsn", DsnAs(login), "--schemas", schema, "--config", scratch_ + ".toml"});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_EQ(LastLine(check.out), "pgmcp check: safe (roles: " + login + ", " + allowed + ")");
  EXPECT_EQ(SqlStateAs(login, "SELECT count(*) FROM " + Ident(schema) + ".t", allowed), "");

  // Exactly these roles were made: no name was cut, split or unquoted on the way.
  EXPECT_EQ(db_.Scalar("SELECT count(*) FROM pg_roles WHERE rolname LIKE '%" + suffix_ + "'"), "3");
}

TEST_F(RoleSqlTest, AnExistingPrivilegedRoleIsRefusedNotChanged) {
  std::string admin = "admin_" + suffix_;
  roles_ = {admin};
  db_.Exec("CREATE ROLE " + Ident(admin) + " LOGIN CREATEDB");
  auto psql = RoleSqlThroughPsql({"--role", admin});
  EXPECT_NE(psql.exit_code, 0);
  EXPECT_NE(psql.err.find("already exists with SUPERUSER, CREATEDB"), std::string::npos) << psql.err;
  EXPECT_EQ(db_.Scalar("SELECT rolcreatedb FROM pg_roles WHERE rolname = '" + admin + "'"), "t");
  EXPECT_EQ(db_.Scalar("SELECT has_table_privilege('" + admin + "', 'orders', 'SELECT')"), "f")
      << "the transaction was rolled back whole";
}

TEST_F(RoleSqlTest, NamesPostgresWouldRefuseOrChangeAreRefusedUpFront) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"--role", "public"},
           {"--role", "pg_reader"},
           {"--role", std::string(64, 'a')},
           {"--role", "two\nlines"},
           {"--authenticator"},  // no auth.allowed_roles
       }) {
    std::vector<std::string> full = {"role-sql"};
    full.insert(full.end(), args.begin(), args.end());
    auto o = Pgmcp(full);
    EXPECT_EQ(o.exit_code, 2) << args[0];
    EXPECT_EQ(o.out, "") << args[0];
    EXPECT_EQ(o.err.rfind("pgmcp: ", 0), 0u) << o.err;
  }
}

}  // namespace
}  // namespace pgmcp::security

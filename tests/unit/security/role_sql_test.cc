// The text of `pgmcp role-sql` (security::RoleSql): which statements for which roles, quoting, and
// the names refused before any SQL is written. tests/pg/security/role_sql_pgtest.cc runs it.
#include "security/role_sql.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pgmcp::security {
namespace {

bool Has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

Result<std::string> Reader(const std::string& role, std::vector<std::string> schemas) {
  RoleSqlRequest r;
  r.login_role = role;
  r.schemas = std::move(schemas);
  return RoleSql(r);
}

Result<std::string> Authenticator(const std::string& role, std::vector<std::string> schemas,
                                  std::vector<std::string> read_roles) {
  RoleSqlRequest r;
  r.login_role = role;
  r.schemas = std::move(schemas);
  r.authenticator = true;
  r.read_roles = std::move(read_roles);
  return RoleSql(r);
}

TEST(RoleSqlTextTest, ReaderGetsLoginUsageSelectAndDefaultPrivilegesOnEachSchema) {
  auto sql = Reader("mcp_reader", {"public", "sales", "public"});
  ASSERT_TRUE(sql.ok()) << sql.error().message;
  EXPECT_TRUE(Has(*sql,
                  "CREATE ROLE \"mcp_reader\" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION "
                  "NOBYPASSRLS;"));
  for (std::string s : {"\"public\"", "\"sales\""}) {
    EXPECT_TRUE(Has(*sql, "GRANT USAGE ON SCHEMA " + s + " TO \"mcp_reader\";"));
    EXPECT_TRUE(Has(*sql, "GRANT SELECT ON ALL TABLES IN SCHEMA " + s + " TO \"mcp_reader\";"));
    EXPECT_TRUE(Has(*sql, "\nALTER DEFAULT PRIVILEGES IN SCHEMA " + s + " GRANT SELECT ON TABLES TO \"mcp_reader\";"));
    EXPECT_TRUE(Has(*sql, "REVOKE CREATE ON SCHEMA " + s + " FROM PUBLIC;"));
  }
  EXPECT_EQ(sql->find("GRANT USAGE ON SCHEMA \"public\""), sql->rfind("GRANT USAGE ON SCHEMA \"public\""))
      << "a schema named twice is granted once";
  EXPECT_FALSE(Has(*sql, "NOINHERIT"));
  EXPECT_FALSE(Has(*sql, "PASSWORD")) << "no secret is generated";
  EXPECT_TRUE(Has(*sql, "\nBEGIN;\n"));
  EXPECT_TRUE(Has(*sql, "\nCOMMIT;\n"));
}

TEST(RoleSqlTextTest, AuthenticatorHoldsNothingAndTheReadRolesRead) {
  auto sql = Authenticator("auth", {"public"}, {"analyst", "support", "analyst"});
  ASSERT_TRUE(sql.ok()) << sql.error().message;
  EXPECT_TRUE(Has(*sql, "CREATE ROLE \"auth\" LOGIN NOINHERIT NOSUPERUSER"));
  EXPECT_TRUE(Has(*sql, "CREATE ROLE \"analyst\" NOLOGIN NOSUPERUSER"));
  EXPECT_TRUE(Has(*sql, "CREATE ROLE \"support\" NOLOGIN NOSUPERUSER"));
  EXPECT_TRUE(Has(*sql, "GRANT \"analyst\", \"support\" TO \"auth\";"));
  EXPECT_TRUE(Has(*sql, "GRANT SELECT ON ALL TABLES IN SCHEMA \"public\" TO \"analyst\", \"support\";"));
  EXPECT_FALSE(Has(*sql, "TO \"auth\";\nDO")) << "the authenticator gets CONNECT and memberships only";
  EXPECT_FALSE(Has(*sql, "SCHEMA \"public\" TO \"auth\""));
}

TEST(RoleSqlTextTest, NoNameCanEndADollarQuotedBlock) {
  auto sql = Reader("x$pgmcp$y", {"$pgmcp1$"});
  ASSERT_TRUE(sql.ok()) << sql.error().message;
  EXPECT_TRUE(Has(*sql, "DO $pgmcp2$\n"));
  EXPECT_FALSE(Has(*sql, "DO $pgmcp$\n"));
  EXPECT_TRUE(Has(*sql, "CREATE ROLE \"x$pgmcp$y\" LOGIN"));
}

TEST(RoleSqlTextTest, QuotesAndBackslashesAreQuotedForIdentifiersAndLiterals) {
  auto sql = Reader("o'h\"a\\", {"public"});
  ASSERT_TRUE(sql.ok()) << sql.error().message;
  EXPECT_TRUE(Has(*sql, "CREATE ROLE \"o'h\"\"a\\\" LOGIN"));
  EXPECT_TRUE(Has(*sql, "WHERE rolname = E'o''h\"a\\\\'"));
}

TEST(RoleSqlTextTest, NamesPostgresWouldRefuseOrChangeAreErrors) {
  for (const std::string& bad :
       {std::string(""), std::string("public"), std::string("PUBLIC"), std::string("none"), std::string("pg_monitor"),
        std::string(64, 'x'), std::string("a\nb"), std::string("a\x7f")}) {
    auto sql = Reader(bad, {"public"});
    EXPECT_FALSE(sql.ok()) << bad;
    if (!sql.ok()) {
      EXPECT_EQ(sql.error().kind, ErrorKind::kConfig);
    }
  }
  EXPECT_TRUE(Reader(std::string(63, 'x'), {"public"}).ok());
  EXPECT_FALSE(Reader("r", {"bad\nschema"}).ok());
  EXPECT_FALSE(Reader("r", {}).ok());
  EXPECT_FALSE(Authenticator("a", {"public"}, {}).ok()) << "an authenticator needs roles to switch to";
  EXPECT_FALSE(Authenticator("a", {"public"}, {"a"}).ok());
  EXPECT_FALSE(Authenticator("a", {"public"}, {"public"}).ok());
}

}  // namespace
}  // namespace pgmcp::security

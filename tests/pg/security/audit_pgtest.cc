// The start-up privilege audit against a real server: a proper read-only role is safe, and each
// dangerous attribute, membership, ownership or grant is found and named.
#include "security/audit.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "schema/introspect.h"
#include "support/test_database.h"

namespace pgmcp::security {
namespace {

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    reader_ = Role("reader");
    db_.Exec(R"SQL(
      CREATE TABLE orders (id int PRIMARY KEY, status text, tenant text);
      CREATE SEQUENCE order_numbers;
      CREATE SCHEMA other;
      CREATE TABLE other.audit_log (id int, entry text);
    )SQL");
    CreateRole(reader_, "LOGIN");
    db_.Exec("GRANT SELECT ON orders TO " + reader_);
  }

  void TearDown() override {
    for (auto it = roles_.rbegin(); it != roles_.rend(); ++it) {
      db_.Exec("DROP OWNED BY " + *it + "; DROP ROLE " + *it);
    }
  }

  // Roles are cluster-wide and tests run in parallel: every name carries the database's name.
  std::string Role(const std::string& suffix) const { return suffix + "_" + db_.name(); }

  void CreateRole(const std::string& name, const std::string& options = "NOLOGIN") {
    db_.Exec("CREATE ROLE " + name + " " + options);
    roles_.push_back(name);
  }

  AuditReport Audit(const std::string& login, const config::Settings& settings = {}) {
    auto conn = database::ConnectCatalogReader(db_.DsnFor(login), database::Clock::now() + std::chrono::seconds(10));
    EXPECT_TRUE(conn.ok()) << (conn.ok() ? "" : conn.error().message);
    if (!conn.ok()) return {};
    auto snapshot = schema::Introspect(**conn, settings);
    EXPECT_TRUE(snapshot.ok()) << (snapshot.ok() ? "" : snapshot.error().code);
    if (!snapshot.ok()) return {};
    auto report = AuditRoles(**conn, settings, *snapshot);
    EXPECT_TRUE(report.ok()) << (report.ok() ? "" : report.error().code);
    return report.ok() ? std::move(report.value()) : AuditReport{};
  }

  static std::string Lines(const AuditReport& report) {
    std::string out;
    for (const auto& line : ReportLines(report)) out += line + "\n";
    return out;
  }

  // The one finding whose message contains every fragment; fails the test unless exactly one.
  static const Finding* Only(const AuditReport& report, const std::vector<std::string>& fragments) {
    const Finding* found = nullptr;
    int n = 0;
    for (const auto& f : report.findings) {
      bool all = true;
      for (const auto& part : fragments) all = all && f.message.find(part) != std::string::npos;
      if (all) {
        found = &f;
        ++n;
      }
    }
    EXPECT_EQ(n, 1) << Lines(report);
    return found;
  }

  static void ExpectUnsafe(const AuditReport& report, const std::vector<std::string>& fragments) {
    const Finding* f = Only(report, fragments);
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->severity, Severity::kUnsafe) << f->message;
    EXPECT_FALSE(report.safe());
  }

  testing::TestDatabase db_;
  std::string reader_;
  std::vector<std::string> roles_;
};

TEST_F(AuditTest, ReadOnlyRoleIsSafe) {
  auto report = Audit(reader_);
  EXPECT_TRUE(report.safe());
  EXPECT_TRUE(report.findings.empty()) << Lines(report);
  EXPECT_EQ(report.roles, std::vector<std::string>{reader_});
  EXPECT_EQ(SummaryLine(report), "pgmcp check: safe (roles: " + reader_ + ")");
}

TEST_F(AuditTest, Superuser) {
  db_.Exec("ALTER ROLE " + reader_ + " SUPERUSER");
  auto report = Audit(reader_);
  ExpectUnsafe(report, {"role \"" + reader_ + "\" is a superuser"});
  // A superuser can do anything; listing every table it could write to would bury the point.
  EXPECT_EQ(report.findings.size(), 1u) << Lines(report);
}

TEST_F(AuditTest, BypassRls) {
  db_.Exec("ALTER ROLE " + reader_ + " BYPASSRLS");
  ExpectUnsafe(Audit(reader_), {"role \"" + reader_ + "\" has BYPASSRLS"});
}

TEST_F(AuditTest, CreateRole) {
  db_.Exec("ALTER ROLE " + reader_ + " CREATEROLE");
  ExpectUnsafe(Audit(reader_), {"role \"" + reader_ + "\" has CREATEROLE"});
}

TEST_F(AuditTest, CreateDbAndReplication) {
  db_.Exec("ALTER ROLE " + reader_ + " CREATEDB REPLICATION");
  auto report = Audit(reader_);
  ExpectUnsafe(report, {reader_, "has CREATEDB"});
  ExpectUnsafe(report, {reader_, "has REPLICATION"});
}

TEST_F(AuditTest, OwnerOfExposedTable) {
  db_.Exec("ALTER TABLE orders OWNER TO " + reader_ + "; ALTER TABLE orders ENABLE ROW LEVEL SECURITY");
  auto report = Audit(reader_);
  ExpectUnsafe(report, {"role \"" + reader_ + "\" owns exposed table public.orders", "row-level security"});
  // Owned relations are reported once, as owned, not again for every privilege an owner has.
  EXPECT_EQ(report.findings.size(), 1u) << Lines(report);
}

TEST_F(AuditTest, OwnerOfTableThroughParentRole) {
  std::string owners = Role("owners");
  CreateRole(owners);
  db_.Exec("ALTER TABLE other.audit_log OWNER TO " + owners + "; GRANT " + owners + " TO " + reader_);
  ExpectUnsafe(Audit(reader_),
               {"role \"" + reader_ + "\" is a member of role \"" + owners + "\"", "owns table other.audit_log"});
}

TEST_F(AuditTest, PgWriteAllDataMember) {
  db_.Exec("GRANT pg_write_all_data TO " + reader_);
  ExpectUnsafe(Audit(reader_), {"role \"" + reader_ + "\" is a member of pg_write_all_data"});
}

TEST_F(AuditTest, ServerFileAndProgramRolesAreUnsafeButReadAllDataIsAWarning) {
  db_.Exec("GRANT pg_execute_server_program, pg_read_server_files, pg_read_all_data TO " + reader_);
  auto report = Audit(reader_);
  ExpectUnsafe(report, {"is a member of pg_execute_server_program"});
  ExpectUnsafe(report, {"is a member of pg_read_server_files"});
  const Finding* read_all = Only(report, {"is a member of pg_read_all_data"});
  ASSERT_NE(read_all, nullptr);
  EXPECT_EQ(read_all->severity, Severity::kWarning);
}

TEST_F(AuditTest, InheritedWriteThroughParentRole) {
  std::string writers = Role("writers");
  CreateRole(writers);
  db_.Exec("GRANT INSERT ON other.audit_log TO " + writers + "; GRANT " + writers + " TO " + reader_);
  ExpectUnsafe(Audit(reader_), {"role \"" + reader_ + "\" holds INSERT on table other.audit_log",
                                "granted to role \"" + writers + "\""});
}

TEST_F(AuditTest, NoInheritMembershipIsOneSetRoleAway) {
  // NOINHERIT hides the parent's privileges from has_table_privilege, not from SET ROLE.
  std::string writers = Role("writers");
  CreateRole(writers);
  db_.Exec("ALTER ROLE " + reader_ + " NOINHERIT; GRANT DELETE ON orders TO " + writers + "; GRANT " + writers +
           " TO " + reader_);
  ExpectUnsafe(Audit(reader_), {"role \"" + reader_ + "\" can SET ROLE to role \"" + writers + "\"",
                                "holds DELETE on table public.orders"});
}

TEST_F(AuditTest, InsertOnTableOutsideTheExposedSchemas) {
  db_.Exec("GRANT INSERT ON other.audit_log TO " + reader_);
  auto report = Audit(reader_);
  ExpectUnsafe(report, {"role \"" + reader_ + "\" holds INSERT on table other.audit_log"});
}

TEST_F(AuditTest, ColumnLevelUpdate) {
  db_.Exec("GRANT UPDATE (status) ON orders TO " + reader_);
  ExpectUnsafe(Audit(reader_), {"role \"" + reader_ + "\" holds UPDATE on columns (status) of table public.orders"});
}

TEST_F(AuditTest, Truncate) {
  db_.Exec("GRANT TRUNCATE ON orders TO " + reader_);
  ExpectUnsafe(Audit(reader_), {"role \"" + reader_ + "\" holds TRUNCATE on table public.orders"});
}

TEST_F(AuditTest, GrantToPublicCountsForEveryRole) {
  db_.Exec("GRANT UPDATE ON other.audit_log TO PUBLIC");
  ExpectUnsafe(Audit(reader_), {"holds UPDATE on table other.audit_log", "granted to PUBLIC"});
}

TEST_F(AuditTest, SequenceUpdateIsUnsafeUsageAWarning) {
  db_.Exec("GRANT USAGE ON order_numbers TO " + reader_);
  auto report = Audit(reader_);
  const Finding* usage = Only(report, {"holds USAGE on sequence public.order_numbers"});
  ASSERT_NE(usage, nullptr);
  EXPECT_EQ(usage->severity, Severity::kWarning);
  EXPECT_TRUE(report.safe());

  db_.Exec("GRANT UPDATE ON order_numbers TO " + reader_);
  ExpectUnsafe(Audit(reader_), {"holds UPDATE, USAGE on sequence public.order_numbers"});
}

TEST_F(AuditTest, CreateOnSchemaPublic) {
  db_.Exec("GRANT CREATE ON SCHEMA public TO " + reader_);
  ExpectUnsafe(Audit(reader_), {"role \"" + reader_ + "\" holds CREATE on schema public"});
}

TEST_F(AuditTest, CreateOnDatabase) {
  db_.Exec("GRANT CREATE ON DATABASE " + db_.name() + " TO " + reader_);
  ExpectUnsafe(Audit(reader_), {"role \"" + reader_ + "\" holds CREATE on database " + db_.name()});
}

TEST_F(AuditTest, TemporaryOnDatabaseIsNotReported) {
  // PUBLIC holds TEMPORARY by default, and pgmcp's read-only transactions refuse CREATE TEMP TABLE.
  db_.Exec("GRANT TEMPORARY ON DATABASE " + db_.name() + " TO " + reader_);
  EXPECT_TRUE(Audit(reader_).findings.empty());
}

TEST_F(AuditTest, AllowedRoleThatDoesNotExist) {
  config::Settings settings;
  settings.auth.allowed_roles = {Role("ghost")};
  ExpectUnsafe(Audit(reader_, settings), {"role \"" + Role("ghost") + "\" of auth.allowed_roles does not exist"});
}

TEST_F(AuditTest, AllowedRoleTheLoginRoleCannotSwitchTo) {
  std::string analyst = Role("analyst");
  CreateRole(analyst);
  config::Settings settings;
  settings.auth.allowed_roles = {analyst};
  auto report = Audit(reader_, settings);
  ExpectUnsafe(report, {"login role \"" + reader_ + "\" cannot SET ROLE to \"" + analyst + "\""});
  EXPECT_EQ(report.roles, (std::vector<std::string>{reader_, analyst}));
}

TEST_F(AuditTest, AnonymousRoleIsAuditedToo) {
  std::string anon = Role("anon");
  CreateRole(anon);
  db_.Exec("GRANT " + anon + " TO " + reader_ + "; GRANT INSERT ON orders TO " + anon);
  config::Settings settings;
  settings.auth.anonymous_role = anon;
  ExpectUnsafe(Audit(reader_, settings), {"role \"" + anon + "\" holds INSERT on table public.orders"});
}

TEST_F(AuditTest, AuthenticatorPatternIsSafe) {
  // The login role only switches; the allowed roles read, row-level security filters.
  std::string authenticator = Role("authenticator");
  std::string tenant = Role("tenant");
  CreateRole(authenticator, "LOGIN NOINHERIT");
  CreateRole(tenant);
  db_.Exec("GRANT SELECT ON orders TO " + tenant + "; GRANT " + tenant + " TO " + authenticator +
           "; ALTER TABLE orders ENABLE ROW LEVEL SECURITY; CREATE POLICY by_tenant ON orders TO " + tenant +
           " USING (tenant = current_setting('request.jwt.claims', true)::jsonb ->> 'tenant')");
  config::Settings settings;
  settings.auth.allowed_roles = {tenant};
  auto report = Audit(authenticator, settings);
  EXPECT_TRUE(report.safe()) << Lines(report);
  EXPECT_TRUE(report.findings.empty()) << Lines(report);
  EXPECT_EQ(SummaryLine(report), "pgmcp check: safe (roles: " + authenticator + ", " + tenant + ")");
}

TEST_F(AuditTest, PlainViewIsAWarning) {
  db_.Exec(
      "CREATE VIEW order_totals AS SELECT status, count(*) FROM orders GROUP BY status;"
      "GRANT SELECT ON order_totals TO " +
      reader_);
  auto report = Audit(reader_);
  EXPECT_TRUE(report.safe());
  const Finding* view = Only(report, {"view public.order_totals is not exposed"});
  ASSERT_NE(view, nullptr);
  EXPECT_EQ(view->severity, Severity::kWarning);
  EXPECT_EQ(view->kind, FindingKind::kSchema);
  EXPECT_EQ(SummaryLine(report), "pgmcp check: safe, 1 warning (roles: " + reader_ + ")");
}

TEST_F(AuditTest, RoleNamesAreDataNotSql) {
  // A configured name that would break a query built by concatenation.
  config::Settings settings;
  settings.auth.allowed_roles = {"x'); DROP TABLE orders; --\n\"y"};
  auto report = Audit(reader_, settings);
  const Finding* f = Only(report, {"does not exist"});
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->message.find('\n'), std::string::npos) << "a finding stays on one line";
  EXPECT_EQ(db_.Scalar("SELECT count(*) FROM pg_class WHERE relname = 'orders'"), "1");
}

TEST_F(AuditTest, ManyGrantsAreCountedBeyondTheFirstTwentyFive) {
  db_.Exec(
      "DO $$ BEGIN FOR i IN 1..30 LOOP EXECUTE format('CREATE TABLE other.t%s (a int)', i); END LOOP; END $$;"
      "GRANT INSERT ON ALL TABLES IN SCHEMA other TO " +
      reader_);
  auto report = Audit(reader_);
  ASSERT_EQ(report.findings.size(), 26u) << Lines(report);
  EXPECT_EQ(report.findings.back().message, "role \"" + reader_ + "\" holds 6 more privileges like these (not listed)");
  EXPECT_EQ(report.findings.back().severity, Severity::kUnsafe);
}

TEST_F(AuditTest, SummaryCountsProblemsAndWarnings) {
  db_.Exec("GRANT INSERT, UPDATE ON orders TO " + reader_ + "; GRANT CREATE ON SCHEMA public TO " + reader_ +
           "; GRANT USAGE ON order_numbers TO " + reader_);
  auto report = Audit(reader_);
  EXPECT_EQ(SummaryLine(report), "pgmcp check: 2 problems, 1 warning (roles: " + reader_ + ")");
  EXPECT_EQ(RefusalReasons(report).size(), 2u);
  auto lines = ReportLines(report);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "problem: role \"" + reader_ + "\" holds INSERT, UPDATE on table public.orders");
}

// Another role (or PUBLIC) with CREATE on an exposed schema could plant operators and functions
// there (docs/security.md, "Name resolution is pinned"): a warning, not a problem; the audited
// role's own CREATE stays a problem and is not reported twice; unexposed schemas are not named.
TEST_F(AuditTest, AnotherRoleWithCreateOnAnExposedSchemaIsAWarning) {
  const std::string planter = Role("planter");
  CreateRole(planter);
  db_.Exec("GRANT CREATE ON SCHEMA public TO " + planter);
  auto report = Audit(reader_);
  EXPECT_TRUE(report.safe()) << Lines(report);
  ASSERT_EQ(report.Count(Severity::kWarning), 1u) << Lines(report);
  EXPECT_EQ(ReportLines(report)[0], "warning: exposed schema \"public\" lets role \"" + planter +
                                        "\", not its owner, CREATE objects in it (functions, operators and types "
                                        "planted there could change what other clients' queries compute; "
                                        "REVOKE CREATE ON SCHEMA)");

  // PUBLIC's CREATE on another exposed schema: the reader holds it too (a problem), and PUBLIC
  // is named in a warning of its own. Unexposed, the schema is not named at all.
  db_.Exec("GRANT CREATE ON SCHEMA other TO PUBLIC");
  config::Settings both;
  both.schemas = {"public", "other"};
  report = Audit(reader_, both);
  EXPECT_FALSE(report.safe()) << Lines(report);
  EXPECT_EQ(report.Count(Severity::kWarning), 2u) << Lines(report);
  EXPECT_NE(Lines(report).find("warning: exposed schema \"other\" lets PUBLIC (every role)"), std::string::npos)
      << Lines(report);
  db_.Exec("REVOKE CREATE ON SCHEMA other FROM PUBLIC");

  // The audited role's own CREATE is a problem, and not repeated as a warning.
  db_.Exec("GRANT CREATE ON SCHEMA public TO " + reader_);
  report = Audit(reader_);
  EXPECT_FALSE(report.safe());
  EXPECT_EQ(report.Count(Severity::kWarning), 1u) << "the planter only, not the reader again: " << Lines(report);
}

}  // namespace
}  // namespace pgmcp::security

// The audit through the real binary: `pgmcp check` exit codes and lines, and `serve` refusing an
// unsafe role unless security.allow_privileged_role says to start anyway; every command refusing a
// schema.listen_dsn that logs in as another role than dsn; `pgmcp call --explain`, which starts the
// same way and then only plans.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/run_program.h"
#include "support/test_database.h"

namespace pgmcp::security {
namespace {

using testing::Outcome;

// Runs the built pgmcp with stdin at EOF.
Outcome RunPgmcp(const std::vector<std::string>& args, const std::string& scratch) {
  return testing::RunProgram(PGMCP_BINARY, args, scratch);
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream s(text);
  for (std::string line; std::getline(s, line);) lines.push_back(line);
  return lines;
}

class CheckCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    reader_ = "reader_" + db_.name();
    db_.Exec("CREATE TABLE orders (id int PRIMARY KEY, status text); CREATE ROLE " + reader_ +
             " LOGIN; GRANT SELECT ON orders TO " + reader_);
    scratch_ = ::testing::TempDir() + "pgmcp_" + db_.name();
  }
  void TearDown() override {
    db_.Exec("DROP OWNED BY " + reader_ + "; DROP ROLE " + reader_);
    std::remove((scratch_ + ".toml").c_str());
  }

  Outcome Pgmcp(std::vector<std::string> args) {
    args.insert(args.end(), {"--dsn", db_.DsnFor(reader_)});
    return RunPgmcp(args, scratch_);
  }

  testing::TestDatabase db_;
  std::string reader_;
  std::string scratch_;
};

TEST_F(CheckCommandTest, SafeRoleExitsZero) {
  auto o = Pgmcp({"check"});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "pgmcp check: safe (roles: " + reader_ + ")\n");
}

TEST_F(CheckCommandTest, UnsafeRoleExitsTwoNamingEachProblem) {
  db_.Exec("GRANT INSERT ON orders TO " + reader_ + "; GRANT CREATE ON SCHEMA public TO " + reader_);
  auto o = Pgmcp({"check"});
  EXPECT_EQ(o.exit_code, 2) << o.err;
  EXPECT_EQ(SplitLines(o.out), (std::vector<std::string>{
                                   "problem: role \"" + reader_ + "\" holds INSERT on table public.orders",
                                   "problem: role \"" + reader_ + "\" holds CREATE on schema public",
                                   "pgmcp check: 2 problems (roles: " + reader_ + ")",
                               }));
}

TEST_F(CheckCommandTest, WarningsAloneExitZero) {
  db_.Exec(
      "CREATE VIEW status_counts AS SELECT status, count(*) FROM orders GROUP BY status;"
      "GRANT SELECT ON status_counts TO " +
      reader_);
  auto o = Pgmcp({"check"});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  auto lines = SplitLines(o.out);
  ASSERT_EQ(lines.size(), 2u) << o.out;
  EXPECT_EQ(lines[0].rfind("warning: view public.status_counts is not exposed", 0), 0u) << lines[0];
  EXPECT_EQ(lines[1], "pgmcp check: safe, 1 warning (roles: " + reader_ + ")");
}

TEST_F(CheckCommandTest, UnreachableDatabaseExitsOne) {
  auto o = RunPgmcp({"check", "--dsn", "host=127.0.0.1 port=1 dbname=x connect_timeout=2"}, scratch_);
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_NE(o.err.find("cannot connect to the database"), std::string::npos) << o.err;
  EXPECT_EQ(o.out, "");
}

// A name only the database can judge, judged where an operator checks a config: exit 2 naming the
// key, after the audit's lines; serve refuses to start the same way.
TEST_F(CheckCommandTest, ATimeZoneTheDatabaseDoesNotKnowExitsTwoNamingTheKey) {
  {
    std::ofstream config(scratch_ + ".toml");
    config << "[query]\ntimezone = \"Europe/Berln\"\n";
  }
  auto c = Pgmcp({"check", "--config", scratch_ + ".toml"});
  EXPECT_EQ(c.exit_code, 2) << c.err;
  EXPECT_EQ(SplitLines(c.out), (std::vector<std::string>{
                                   "pgmcp check: safe (roles: " + reader_ + ")",
                                   "pgmcp check: config key 'query.timezone': the database knows no time zone 'Europe/Berln'",
                               }));
  auto s = Pgmcp({"serve", "--config", scratch_ + ".toml"});
  EXPECT_EQ(s.exit_code, 2);
  EXPECT_NE(s.err.find("config key 'query.timezone'"), std::string::npos) << s.err;
}

TEST_F(CheckCommandTest, ServeRefusesAnUnsafeRole) {
  db_.Exec("GRANT TRUNCATE ON orders TO " + reader_);
  auto o = Pgmcp({"serve"});
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.err.find("pgmcp: unsafe: role \"" + reader_ + "\" holds TRUNCATE on table public.orders\n"),
            std::string::npos)
      << o.err;
  EXPECT_NE(o.err.find("security.allow_privileged_role"), std::string::npos) << o.err;
  EXPECT_EQ(o.out, "") << "nothing but protocol messages on stdout";
}

TEST_F(CheckCommandTest, ToolsAndCallRefuseAnUnsafeRoleToo) {
  db_.Exec("GRANT DELETE ON orders TO " + reader_);
  for (std::vector<std::string> args :
       {std::vector<std::string>{"tools"}, std::vector<std::string>{"call", "query_orders", "{}"}}) {
    auto o = Pgmcp(args);
    EXPECT_EQ(o.exit_code, 2) << args[0] << ": " << o.err;
    EXPECT_NE(o.err.find("holds DELETE on table public.orders"), std::string::npos) << o.err;
    EXPECT_EQ(o.out, "");
  }
}

TEST_F(CheckCommandTest, CallExplainPrintsTheSqlParametersAndPlanAndRunsNothingElse) {
  db_.Exec("INSERT INTO orders VALUES (1, 'new'), (2, 'done')");
  auto o = Pgmcp({"call", "--explain", "query_orders", R"({"where": {"status": "done"}})"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.out.find("\"sql\": \"SELECT "), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("\"done\""), std::string::npos) << "the parameters: " << o.out;
  EXPECT_NE(o.out.find("\"Total Cost\""), std::string::npos) << "the plan: " << o.out;
  EXPECT_EQ(o.out.find("\"rows\""), std::string::npos) << "no result rows: " << o.out;
  auto unknown = Pgmcp({"call", "--explain", "query_nothing"});
  EXPECT_EQ(unknown.exit_code, 2) << unknown.err;
  auto invalid = Pgmcp({"call", "--explain", "query_orders", R"({"where": {"nope": 1}})"});
  EXPECT_EQ(invalid.exit_code, 1) << invalid.err;
  EXPECT_NE(invalid.err.find("nope"), std::string::npos) << invalid.err;
}

TEST_F(CheckCommandTest, ServeStartsAnywayWhenAllowedAndWarnsLoudly) {
  db_.Exec("GRANT TRUNCATE ON orders TO " + reader_);
  {
    std::ofstream config(scratch_ + ".toml");
    config << "[security]\nallow_privileged_role = true\n";
  }
  auto o = Pgmcp({"serve", "--config", scratch_ + ".toml"});
  EXPECT_EQ(o.exit_code, 0) << o.err;  // stdin at EOF: a clean shutdown
  EXPECT_NE(o.err.find("\"event\":\"privileged_role\""), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("holds TRUNCATE on table public.orders"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("\"event\":\"serving\""), std::string::npos) << o.err;

  // check still tells the truth, and says what serve would do.
  auto c = Pgmcp({"check", "--config", scratch_ + ".toml"});
  EXPECT_EQ(c.exit_code, 2);
  EXPECT_NE(c.out.find("serve would start anyway"), std::string::npos) << c.out;
}

// The audit reads the catalog through schema.listen_dsn, every call runs on dsn's pool. Found in
// review: dsn as the superuser, listen_dsn as a read-only role, and check said safe while every
// call bypassed row-level security. Each command now compares the two login roles first.
TEST_F(CheckCommandTest, ListenDsnLoggingInAsAnotherRoleThanDsnIsRefusedNamingBoth) {
  {
    std::ofstream config(scratch_ + ".toml");
    config << "[schema]\nlisten_dsn = \"" << db_.DsnFor(reader_) << "\"\n";
  }
  for (std::vector<std::string> args : {std::vector<std::string>{"check"}, std::vector<std::string>{"serve"},
                                        std::vector<std::string>{"tools"},
                                        std::vector<std::string>{"call", "query_orders", "{}"}}) {
    args.insert(args.end(), {"--config", scratch_ + ".toml", "--dsn", db_.Dsn()});
    auto o = RunPgmcp(args, scratch_);
    EXPECT_EQ(o.exit_code, 2) << args[0] << ": " << o.err;
    EXPECT_NE(o.err.find("dsn as role \"postgres\", schema.listen_dsn as role \"" + reader_ + "\""),
              std::string::npos)
        << args[0] << ": " << o.err;
    EXPECT_EQ(o.out, "") << args[0];
  }
}

TEST_F(CheckCommandTest, ListenDsnLoggingInAsTheSameRoleAsDsnIsFine) {
  {
    std::ofstream config(scratch_ + ".toml");
    config << "[schema]\nlisten_dsn = \"" << db_.DsnFor(reader_) << " application_name=pgmcp_catalog\"\n";
  }
  auto check = Pgmcp({"check", "--config", scratch_ + ".toml"});
  EXPECT_EQ(check.exit_code, 0) << check.err;
  EXPECT_EQ(check.out, "pgmcp check: safe (roles: " + reader_ + ")\n");
  auto serve = Pgmcp({"serve", "--config", scratch_ + ".toml"});
  EXPECT_EQ(serve.exit_code, 0) << serve.err;  // stdin at EOF: a clean shutdown
  EXPECT_NE(serve.err.find("\"event\":\"serving\""), std::string::npos) << serve.err;
}

}  // namespace
}  // namespace pgmcp::security

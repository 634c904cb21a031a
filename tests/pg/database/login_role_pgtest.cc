// Every pooled connection must log in as the role the privilege audit vouched for
// (PoolOptions::login_role): one whose server reports another session_authorization is closed
// before a call runs on it, and the call is refused as when the database cannot be reached. The
// case the check is for: a PgBouncer whose database entry forces `user=` (a superuser here) while
// pgmcp logs in as its read-only role.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <cstdlib>

#include "common/error_kinds.h"
#include "database/read_only_call.h"
#include "support/run_program.h"
#include "support/run_to_completion.h"
#include "support/test_database.h"

namespace pgmcp::database {
namespace {
namespace asio = boost::asio;

class LoginRoleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    reader_ = "reader_" + db_.name();
    db_.Exec("CREATE ROLE " + reader_ + " LOGIN");
  }
  void TearDown() override {
    if (!bouncer_.empty()) testing::RunProgram(Script(), {"stop", bouncer_}, bouncer_ + "_stop");
    db_.Exec("DROP ROLE IF EXISTS " + reader_);
  }

  static std::string Script() { return std::string(PGMCP_SOURCE_DIR) + "/tests/support/pgbouncer"; }

  std::shared_ptr<Pool> MakePool(std::string dsn, std::string login_role) {
    PoolOptions o;
    o.dsn = std::move(dsn);
    o.min = 0;
    o.max = 2;
    o.login_role = std::move(login_role);
    return Pool::Create(io_.get_executor(), o);
  }
  Result<Rows> Call(Pool& pool) {
    return testing::RunToCompletion(
        io_, RunReadOnly(pool, {}, Statement{"SELECT session_user::text", {}}, Clock::now() + std::chrono::seconds(5)));
  }
  static void ExpectRefused(const Result<Rows>& r, Pool& pool) {
    ASSERT_FALSE(r.ok()) << "a call ran on a connection of another role";
    EXPECT_EQ(r.error().kind, ErrorKind::kUnavailable);
    EXPECT_EQ(r.error().message, Describe(ErrorKind::kUnavailable).client_sentence);
    EXPECT_FALSE(pool.reachable()) << "counted as a failed connect: one attempt per backoff step";
  }

  testing::TestDatabase db_;
  std::string reader_;
  std::string bouncer_;  // PgBouncer's directory, once started
  asio::io_context io_;
};

TEST_F(LoginRoleTest, AConnectionOfTheAuditedRoleServes) {
  auto pool = MakePool(db_.DsnFor(reader_), reader_);
  auto r = Call(*pool);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)[0].Text("session_user"), reader_);
}

TEST_F(LoginRoleTest, AConnectionOfAnotherRoleIsClosedBeforeACallRunsOnIt) {
  auto pool = MakePool(db_.Dsn(), reader_);  // logs in as postgres
  ExpectRefused(Call(*pool), *pool);
}

TEST_F(LoginRoleTest, APgBouncerThatForcesAnotherUserIsRefused) {
  bouncer_ = ::testing::TempDir() + "pgbouncer_" + db_.name();
  auto started = testing::RunProgram(
      Script(), {"start", bouncer_, std::getenv("PGMCP_TEST_CLUSTER"), db_.name(), reader_, "postgres"}, bouncer_ + "_start");
  ASSERT_EQ(started.exit_code, 0) << started.err;
  const std::string port = started.out.substr(0, started.out.find('\n'));
  // The database entry logs in to PostgreSQL as postgres, whoever the client is.
  auto forced = testing::RunProgram(
      "sed", {"-i", "s/^" + db_.name() + " = .*$/& user=postgres/", bouncer_ + "/pgbouncer.ini"}, bouncer_ + "_sed");
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  auto restarted = testing::RunProgram(Script(), {"restart", bouncer_}, bouncer_ + "_restart");
  ASSERT_EQ(restarted.exit_code, 0) << restarted.err;

  auto pool = MakePool("host=127.0.0.1 port=" + port + " user=" + reader_ + " dbname=" + db_.name(), reader_);
  ExpectRefused(Call(*pool), *pool);
  auto unchecked = MakePool("host=127.0.0.1 port=" + port + " user=" + reader_ + " dbname=" + db_.name(), "");
  auto r = Call(*unchecked);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)[0].Text("session_user"), "postgres") << "what the check stops: calls as the superuser";
}

}  // namespace
}  // namespace pgmcp::database

// The transaction envelope leaves nothing behind (docs/security.md, "Every call is one read-only
// transaction"): after a call that succeeded, failed,
// used an unknown role or hit the statement timeout, the one pooled connection — the same backend
// — is idle, back to the login role, with empty claims and the session's own statement_timeout
// and TimeZone. The state is read outside any envelope (tests/pg/database/read_only_call_pgtest.cc
// reads it through a new envelope, which sets timeout and claims itself and so cannot see a leak).
#include "database/read_only_call.h"
#include "service_pg_support.h"

namespace pgmcp::service {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace): the suite's own helpers
using database::Clock;
using database::Envelope;
using database::Statement;

class EnvelopeState : public ::testing::Test {
 protected:
  void SetUp() override {
    role_ = "tenant_" + db_.name();
    db_.Exec("CREATE TABLE t (id int PRIMARY KEY, tenant text);"
             "INSERT INTO t SELECT g, 'a' FROM generate_series(1, 10) g;"
             "CREATE ROLE " + role_ + " NOLOGIN; GRANT SELECT ON t TO " + role_ + ";"
             "CREATE ROLE " + role_ + "_login LOGIN; GRANT " + role_ + " TO " + role_ + "_login;");
    database::PoolOptions o;
    o.dsn = db_.DsnFor(role_ + "_login");
    o.min = 0;
    o.max = 1;  // one connection: every call and every probe sees the same backend
    pool_ = database::Pool::Create(io_.get_executor(), o);
  }
  void TearDown() override {
    pool_->Close();
    io_.restart();
    io_.run();
    pool_.reset();
    db_.Exec("DROP OWNED BY " + role_ + "; DROP ROLE " + role_ + "_login; DROP ROLE " + role_);
  }

  template <typename T>
  T Run(asio::awaitable<T> a) {
    return pgmcp::testing::RunToCompletion(io_, std::move(a));
  }

  Result<database::Rows> Call(Envelope env, std::string sql) {
    return Run(database::RunReadOnly(*pool_, std::move(env), Statement{std::move(sql), {}}, Clock::now() + std::chrono::seconds(5)));
  }

  // A call as the caller's role with claims, a short timeout and another time zone: everything the
  // envelope sets, so that a leak of any of it would show.
  Envelope CallerEnvelope() const {
    Envelope env;
    env.role = role_;
    env.claims_json = R"({"sub":"u1","role":")" + role_ + R"(","tenant":"a"})";
    env.statement_timeout_ms = 200;
    env.timezone = "Asia/Kolkata";
    return env;
  }

  int BackendPid() {
    auto r = Call({}, "SELECT pg_backend_pid()");
    EXPECT_TRUE(r.ok());
    return r.ok() ? std::stoi(std::string(r->Value(0, 0))) : 0;
  }

  // The one pooled connection is the backend `pid`, idle, as the login role, with nothing set.
  void ExpectClean(int pid) {
    EXPECT_EQ(pool_->stats().idle, 1);
    const auto states = Run(InspectIdle(*pool_));
    ASSERT_EQ(states.size(), 1u);
    const auto& s = states[0];
    EXPECT_EQ(s.backend_pid, pid) << "the connection was kept (rolled back), not replaced";
    EXPECT_TRUE(s.idle);
    EXPECT_EQ(s.current_user, role_ + "_login");
    EXPECT_EQ(s.session_user, role_ + "_login");
    EXPECT_EQ(s.claims, "");
    EXPECT_EQ(s.statement_timeout, s.statement_timeout_reset);
    EXPECT_EQ(s.timezone, s.timezone_reset);
    EXPECT_NE(s.timezone, "Asia/Kolkata");
    EXPECT_EQ(s.transaction_read_only, "off") << "outside a call the session is a plain one";
    EXPECT_EQ(db_.Scalar("SELECT state FROM pg_stat_activity WHERE pid = " + std::to_string(pid)), "idle");
  }

  pgmcp::testing::TestDatabase db_;
  asio::io_context io_;
  std::shared_ptr<database::Pool> pool_;
  std::string role_;
};

TEST_F(EnvelopeState, AfterASuccessfulCallAsAnotherRoleNothingRemains) {
  const int pid = BackendPid();
  auto r = Call(CallerEnvelope(), "SELECT current_user, current_setting('request.jwt.claims', true), "
                                  "current_setting('statement_timeout'), current_setting('TimeZone')");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(std::string(r->Value(0, 0)), role_);
  EXPECT_EQ(r->Value(0, 2), "200ms");
  EXPECT_EQ(r->Value(0, 3), "Asia/Kolkata");
  ExpectClean(pid);
}

TEST_F(EnvelopeState, AfterAStatementTimeoutNothingRemains) {
  const int pid = BackendPid();
  auto r = Call(CallerEnvelope(), "SELECT pg_sleep(5)");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kTimeout);
  ExpectClean(pid);
}

TEST_F(EnvelopeState, AfterAFailedStatementNothingRemains) {
  const int pid = BackendPid();
  auto r = Call(CallerEnvelope(), "SELECT 1/0");
  ASSERT_FALSE(r.ok());
  ExpectClean(pid);
  // A statement the read-only transaction refuses (the envelope's own guarantee) leaves it clean too.
  auto w = Call(CallerEnvelope(), "WITH d AS (DELETE FROM public.t RETURNING 1) SELECT count(*) FROM d");
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().code, "25006");
  ExpectClean(pid);
  EXPECT_EQ(db_.Scalar("SELECT count(*) FROM t"), "10");
}

TEST_F(EnvelopeState, AfterAPermissionErrorNothingRemains) {
  const int pid = BackendPid();
  db_.Exec("CREATE TABLE secret (x int)");  // the caller's role has no SELECT on it
  auto r = Call(CallerEnvelope(), "SELECT * FROM public.secret");  // qualified: the envelope pins search_path
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kPermissionDenied);
  ExpectClean(pid);
}

TEST_F(EnvelopeState, AfterAnUnusableRoleNothingRemains) {
  const int pid = BackendPid();
  Envelope env = CallerEnvelope();
  env.role = "no_such_role";
  auto r = Call(env, "SELECT 1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kPermissionDenied);
  ExpectClean(pid);
}

TEST_F(EnvelopeState, ManyCallsInARowWithDifferentOutcomesLeaveNothing) {
  const int pid = BackendPid();
  for (int i = 0; i < 20; ++i) {
    auto sql = i % 4 == 0 ? "SELECT 1/0" : i % 4 == 1 ? "SELECT pg_sleep(1)" : i % 4 == 2 ? "SELECT count(*) FROM public.t" : "SELECT x";
    (void)Call(CallerEnvelope(), sql);
  }
  ExpectClean(pid);
}

}  // namespace
}  // namespace pgmcp::service

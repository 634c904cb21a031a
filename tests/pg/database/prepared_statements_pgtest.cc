// Named prepared statements (docs/reference.md, "Prepared statements") against a real PostgreSQL:
// what a connection holds on the server, the bound on it, failures that leave it usable, and
// nothing about a caller outliving its call on the one connection every call shares.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "database/read_only_call.h"
#include "database/statement_cache.h"
#include "support/run_to_completion.h"
#include "support/test_database.h"

namespace pgmcp::database {
namespace {
namespace asio = boost::asio;

class PreparedStatementsTest : public ::testing::Test {
 protected:
  std::shared_ptr<Pool> MakePool(PreparedMode mode, size_t cache_size = 256) {
    PoolOptions o;
    o.dsn = db_.Dsn();
    o.min = 0;
    o.max = 1;  // one connection: every call and every probe sees the same backend
    o.prepared_statements = mode;
    o.statement_cache_size = cache_size;
    return Pool::Create(io_.get_executor(), o);
  }

  template <typename T>
  T Run(asio::awaitable<T> a) {
    return pgmcp::testing::RunToCompletion(io_, std::move(a));
  }

  Result<Rows> Call(Pool& pool, Envelope env, std::string sql, std::vector<std::optional<std::string>> params = {}) {
    return Run(RunReadOnly(pool, std::move(env), Statement{std::move(sql), std::move(params)},
                           Clock::now() + std::chrono::seconds(5)));
  }

  // (name, statement) of every prepared statement of the pool's one connection, read unnamed
  // outside any envelope.
  std::vector<std::pair<std::string, std::string>> PreparedOnServer(Pool& pool) {
    return Run([](Pool& p) -> asio::awaitable<std::vector<std::pair<std::string, std::string>>> {
      std::vector<std::pair<std::string, std::string>> out;
      auto lease = co_await p.Acquire(Clock::now() + std::chrono::seconds(5));
      if (!lease) co_return out;
      std::vector<Statement> probe{Statement{"SELECT name, statement FROM pg_catalog.pg_prepared_statements "
                                             "ORDER BY name", {}, /*named=*/false}};
      auto rows = co_await lease.value()->RunPipeline(probe, Clock::now() + std::chrono::seconds(5));
      if (!rows) co_return out;
      for (const auto& row : rows.value()[0]) out.emplace_back(row.Text("name"), row.Text("statement"));
      co_return out;
    }(pool));
  }

  testing::TestDatabase db_;
  asio::io_context io_;
};

TEST_F(PreparedStatementsTest, TheEnvelopeAndTheSelectArePreparedOnceUnderTheirSqlsNames) {
  auto pool = MakePool(PreparedMode::kOn);
  for (int i = 1; i <= 3; ++i) {
    auto r = Call(*pool, {}, "SELECT $1::int * 2", {std::to_string(i)});
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->Value(0, 0), std::to_string(i * 2));
  }
  auto prepared = PreparedOnServer(*pool);
  ASSERT_EQ(prepared.size(), 2u) << "the settings and the SELECT, each once";
  for (const auto& [name, sql] : prepared) EXPECT_EQ(name, StatementName(sql)) << sql;
  const auto stats = pool->stats();
  EXPECT_TRUE(stats.named_statements);
  EXPECT_EQ(stats.statements.misses, 2u);
  EXPECT_EQ(stats.statements.hits, 4u);
  EXPECT_EQ(stats.statements.evictions, 0u);
}

TEST_F(PreparedStatementsTest, OffPreparesNothing) {
  auto pool = MakePool(PreparedMode::kOff);
  ASSERT_TRUE(Call(*pool, {}, "SELECT 1").ok());
  EXPECT_TRUE(PreparedOnServer(*pool).empty());
  const auto stats = pool->stats();
  EXPECT_FALSE(stats.named_statements);
  EXPECT_EQ(stats.statements.hits + stats.statements.misses, 0u);
}

TEST_F(PreparedStatementsTest, TheCacheSizeBoundsWhatTheServerHolds) {
  auto pool = MakePool(PreparedMode::kOn, 5);
  for (int i = 0; i < 30; ++i) {
    auto r = Call(*pool, {}, "SELECT " + std::to_string(i % 10) + " AS n");
    ASSERT_TRUE(r.ok()) << i << ": " << r.error().message;
    EXPECT_EQ(r->Value(0, 0), std::to_string(i % 10));
  }
  auto prepared = PreparedOnServer(*pool);
  // The last call's evictions are deallocated with the next pipeline: at most one more.
  EXPECT_LE(prepared.size(), 6u);
  EXPECT_GE(prepared.size(), 5u);
  // Each call's settings statement hits; its SELECT misses every time (ten texts round a cache of
  // five, the settings among them), and each miss past the fifth statement evicts one.
  const auto stats = pool->stats();
  EXPECT_EQ(stats.statements.hits, 29u);
  EXPECT_EQ(stats.statements.misses, 31u);
  EXPECT_EQ(stats.statements.evictions, 26u);
}

// A cache of one statement is smaller than one call's pipeline: each statement evicts the one
// before it within the pipeline, and the DEALLOCATEs of the next pipeline must not hit a
// statement that pipeline uses again.
TEST_F(PreparedStatementsTest, ACacheSmallerThanOneCallStillAnswersRight) {
  auto pool = MakePool(PreparedMode::kOn, 1);
  for (int i = 0; i < 12; ++i) {
    auto r = Call(*pool, {}, i % 2 == 0 ? "SELECT $1::int + 1" : "SELECT $1::int + 2", {std::to_string(i)});
    ASSERT_TRUE(r.ok()) << i << ": " << r.error().message;
    EXPECT_EQ(r->Value(0, 0), std::to_string(i + 1 + i % 2)) << i;
  }
  EXPECT_LE(PreparedOnServer(*pool).size(), 2u);
}

// A statement that fails when it is parsed (an unknown column) is not prepared: the next call
// with the same SQL fails the same way, not with "prepared statement does not exist", and the
// connection serves other calls.
TEST_F(PreparedStatementsTest, AStatementThatFailsToPrepareIsPreparedAgainNextTime) {
  auto pool = MakePool(PreparedMode::kOn);
  for (int i = 0; i < 3; ++i) {
    auto bad = Call(*pool, {}, "SELECT no_such_column");
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().code, "42703");
    auto good = Call(*pool, {}, "SELECT 7");
    ASSERT_TRUE(good.ok()) << good.error().message;
    EXPECT_EQ(good->Value(0, 0), "7");
  }
  EXPECT_EQ(pool->stats().idle, 1);
}

// After a statement fails, the server skips every message up to the Sync, the Parse of a
// statement prepared in that pipeline among them: the settings fail on an unknown role, so the
// SELECT after them is not prepared, and the next call with that SELECT must prepare it rather
// than execute a statement that does not exist. A SELECT that fails when it runs was prepared.
// With a cache smaller than a call, evictions and DEALLOCATEs cross the failures too.
TEST_F(PreparedStatementsTest, AFailedCallInTheMiddleOfAPipelineLeavesTheCacheTrue) {
  for (size_t cache_size : {256u, 1u}) {
    auto pool = MakePool(PreparedMode::kOn, cache_size);
    Envelope unknown_role;
    unknown_role.role = "no_such_role_" + db_.name();
    for (int i = 0; i < 20; ++i) {
      const std::string select = "SELECT " + std::to_string(i % 4) + " AS n";
      auto refused = Call(*pool, unknown_role, select);
      ASSERT_FALSE(refused.ok());
      EXPECT_EQ(refused.error().kind, ErrorKind::kPermissionDenied) << cache_size << "/" << i;
      auto fine = Call(*pool, {}, select);
      ASSERT_TRUE(fine.ok()) << cache_size << "/" << i << ": " << fine.error().message;
      EXPECT_EQ(fine->Value(0, 0), std::to_string(i % 4));
      // Runs (and fails) at execution.
      auto failing = Call(*pool, {}, "SELECT 1 / ($1::int - $1::int) AS n" + std::string(i % 3, ' '), {"1"});
      ASSERT_FALSE(failing.ok());
      EXPECT_EQ(failing.error().code, "22012") << cache_size << "/" << i;
    }
    pool->Close();
  }
}

// Nothing about a caller outlives its transaction (docs/security.md): on one connection, with the
// same named statements every time, two tenants' roles and claims alternate and each call sees
// only its own rows under row-level security.
TEST_F(PreparedStatementsTest, AlternatingTenantsOnOneConnectionSeeOnlyTheirOwnRows) {
  const std::string a = "tenant_a_" + db_.name(), b = "tenant_b_" + db_.name();
  db_.Exec("CREATE TABLE orders (id int PRIMARY KEY, tenant text, owner name);"
           "INSERT INTO orders SELECT g, CASE WHEN g % 3 = 0 THEN 'a' ELSE 'b' END, "
           "  CASE WHEN g % 3 = 0 THEN '" + a + "' ELSE '" + b + "' END FROM generate_series(1, 30) g;"
           "ALTER TABLE orders ENABLE ROW LEVEL SECURITY;"
           "CREATE POLICY by_claims ON orders USING "
           "  (tenant = current_setting('request.jwt.claims', true)::json->>'tenant' AND owner = current_user);"
           "CREATE ROLE " + a + " NOLOGIN; CREATE ROLE " + b + " NOLOGIN;"
           "GRANT SELECT ON orders TO " + a + ", " + b + ";");
  auto pool = MakePool(PreparedMode::kOn);
  const std::string sql = "SELECT count(*) AS n, coalesce(min(tenant), '-') AS t, "
                          "coalesce(string_agg(DISTINCT owner::text, ','), '-') AS o FROM public.orders WHERE id > $1::int";
  for (int i = 0; i < 100; ++i) {
    const bool is_a = i % 2 == 0;
    Envelope env;
    env.role = is_a ? a : b;
    env.claims_json = std::string(R"({"tenant":")") + (is_a ? "a" : "b") + "\"}";
    auto r = Call(*pool, env, sql, {"0"});
    ASSERT_TRUE(r.ok()) << i << ": " << r.error().message;
    EXPECT_EQ(r->Value(0, 0), is_a ? "10" : "20") << i;
    EXPECT_EQ(r->Value(0, 1), is_a ? "a" : "b") << i;
    EXPECT_EQ(r->Value(0, 2), is_a ? a : b) << i;
    // Claims of one tenant with the other's role: no row (the role's policy match is per call too).
    Envelope mixed = env;
    mixed.role = is_a ? b : a;
    auto none = Call(*pool, mixed, sql, {"0"});
    ASSERT_TRUE(none.ok()) << i << ": " << none.error().message;
    EXPECT_EQ(none->Value(0, 0), "0") << i;
  }
  // And without role or claims (the login role, a superuser here, bypasses RLS; claims are empty).
  auto plain = Call(*pool, {}, "SELECT coalesce(current_setting('request.jwt.claims', true), '') AS c, current_user AS u");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->Value(0, 0), "");
  EXPECT_EQ(plain->Value(0, 1), "postgres");
  EXPECT_EQ(PreparedOnServer(*pool).size(), 4u) << "the same statements every time (two settings shapes, two SELECTs)";
  db_.Exec("DROP OWNED BY " + a + "; DROP OWNED BY " + b + "; DROP ROLE " + a + "; DROP ROLE " + b);
}

}  // namespace
}  // namespace pgmcp::database

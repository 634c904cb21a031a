// The settings only the database can judge (service/query_settings_check.h): a time zone or a text
// search configuration it does not know is a config error naming the key, at start-up on the
// catalog connection and through the pool as a SIGHUP asks, instead of every call failing later
// with a sentence about roles. And the discovery tools' names are the discovery tools' only in
// discovery mode: per table, a table named "table" has query_table for its own.
#include "database/host_lookup.h"
#include "service/query_settings_check.h"
#include "service_pg_support.h"

namespace pgmcp::service {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace): the suite's own helpers

class QuerySettingsTest : public ::testing::Test {
 protected:
  config::Settings Settings(std::string timezone, std::string text_search_config) {
    config::Settings s;
    s.dsn = db_.Dsn();
    s.pool.min = 0;
    s.pool.max = 1;
    s.query.timezone = std::move(timezone);
    s.query.text_search_config = std::move(text_search_config);
    return s;
  }
  Status OnCatalog(const config::Settings& s) {
    auto conn = ConnectBlocking(s);
    if (!conn) return conn.error();
    return CheckQuerySettings(**conn, s);
  }
  Status OnPool(const config::Settings& s) {
    boost::asio::io_context io;
    auto pool = database::Pool::Create(io.get_executor(), PoolOptionsFrom(s));
    auto verdict = pgmcp::testing::RunToCompletion(io, CheckQuerySettings(*pool, s));
    pool->Close();
    io.restart();
    io.run();
    return verdict;
  }
  // The catalog connection (start-up) and the pool (a SIGHUP) give the same config error.
  void ExpectRefusedOnBoth(const config::Settings& s, const std::string& message) {
    for (Status verdict : {OnCatalog(s), OnPool(s)}) {
      ASSERT_FALSE(verdict.ok());
      EXPECT_EQ(verdict.error().kind, ErrorKind::kConfig);
      EXPECT_EQ(verdict.error().message, message);
    }
  }
  pgmcp::testing::TestDatabase db_;
};

TEST_F(QuerySettingsTest, NamesTheDatabaseKnowsPass) {
  for (const auto& s : {Settings("UTC", "english"), Settings("Europe/Berlin", "simple"), Settings("-03:30", "german")}) {
    EXPECT_TRUE(OnCatalog(s).ok()) << s.query.timezone;
    EXPECT_TRUE(OnPool(s).ok()) << s.query.timezone;
  }
}

TEST_F(QuerySettingsTest, AnUnknownTimeZoneIsAConfigErrorNamingTheKey) {
  ExpectRefusedOnBoth(Settings("Europe/Berln", "english"),
                      "config key 'query.timezone': the database knows no time zone 'Europe/Berln'");
}

TEST_F(QuerySettingsTest, AnUnknownTextSearchConfigurationIsAConfigErrorNamingTheKey) {
  ExpectRefusedOnBoth(Settings("UTC", "englsh"),
                      "config key 'query.text_search_config': the database has no text search configuration 'englsh'");
}

TEST_F(QuerySettingsTest, StartUpRefusesThem) {
  config::Settings s = Settings("Mars/Olympus_Mons", "english");
  s.security.allow_privileged_role = true;  // the test logs in as the superuser; the audit runs first
  auto loaded = LoadAuditedSchema(s);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().kind, ErrorKind::kConfig);
  EXPECT_NE(loaded.error().message.find("query.timezone"), std::string::npos) << loaded.error().message;
}

// libpq's parse errors quote the text around the fault, and that can be the password.
TEST_F(QuerySettingsTest, ADsnThatDoesNotParseIsAConfigErrorThatQuotesNothingOfIt) {
  for (const std::string& dsn : {std::string("host=127.0.0.1 password=S3cret PW"),
                                 std::string("postgresql://u:S3cret%zzPW@127.0.0.1/db")}) {
    config::Settings s = Settings("UTC", "english");
    s.dsn = dsn;
    auto conn = ConnectBlocking(s);
    ASSERT_FALSE(conn.ok()) << dsn;
    EXPECT_EQ(conn.error().kind, ErrorKind::kConfig);
    EXPECT_NE(conn.error().message.find("config key 'dsn'"), std::string::npos) << conn.error().message;
    EXPECT_EQ(conn.error().message.find("S3cret"), std::string::npos) << conn.error().message;
    EXPECT_EQ(conn.error().message.find("PW"), std::string::npos) << conn.error().message;
    // The pool connects with `dsn` too: its error (logged as db_unreachable) quotes nothing either.
    s.dsn = db_.Dsn();
    s.schema.listen_dsn = dsn;
    auto listen = ConnectBlocking(s);
    ASSERT_FALSE(listen.ok());
    EXPECT_NE(listen.error().message.find("config key 'schema.listen_dsn'"), std::string::npos);
    boost::asio::io_context io;
    auto resolved =
        pgmcp::testing::RunToCompletion(io, database::ResolveHostNames(dsn, database::Clock::now() + std::chrono::seconds(5)));
    ASSERT_FALSE(resolved.ok());
    EXPECT_EQ(resolved.error().message.find("S3cret"), std::string::npos) << resolved.error().message;
  }
}

TEST_F(QuerySettingsTest, PerTableATableNamedTableIsQueriedThroughItsOwnTool) {
  db_.Exec(R"(CREATE TABLE "table" (id int PRIMARY KEY, label text); INSERT INTO "table" VALUES (1, 'mine'))");
  config::Settings s = Settings("UTC", "english");
  s.schema.tool_mode = config::ToolMode::kPerTable;
  ServiceHarness h(s);
  auto called = h.Call("query_table", json::object{});
  ASSERT_FALSE(called.outcome.is_error) << called.outcome.text;
  auto rows = Structured(called)["rows"];
  ASSERT_TRUE(rows.is_array());
  EXPECT_EQ(json::serialize(rows), R"([[1,"mine"]])");
  // The other discovery names are no tools at all here.
  auto find = h.Call("find_tables", json::object{{"query", "table"}});
  EXPECT_EQ(find.outcome.text, "Unknown tool: find_tables");
}

}  // namespace
}  // namespace pgmcp::service

// Name resolution is pinned (docs/security.md, "Name resolution is pinned"): a role with CREATE on
// `public` plants operators, aggregates and functions with exact signatures for an enum, a domain
// over an integer, a domain over text in another schema and a domain over timestamptz -- the
// CVE-2018-1058 pattern, where an exact-signature object beats pg_catalog's polymorphic one
// whatever the search_path order. Every planted object also tries to leave a session setting
// behind. The answers stay right, and the one pooled connection carries nothing afterwards.
#include "service_pg_support.h"

namespace pgmcp::service {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace): the suite's own helpers

class PlantedOperator : public ::testing::Test {
 protected:
  void SetUp() override {
    reader_ = "reader_" + db_.name();
    planter_ = "planter_" + db_.name();
    db_.Exec(
        "CREATE TYPE public.mood AS ENUM ('sad', 'ok', 'happy');"
        "CREATE DOMAIN public.score AS integer;"
        "CREATE DOMAIN public.stamp AS timestamptz;"
        "CREATE SCHEMA ext; CREATE DOMAIN ext.label AS text; CREATE EXTENSION citext WITH SCHEMA ext;"
        "CREATE TABLE public.people (id int PRIMARY KEY, m public.mood, s public.score, l ext.label, "
        "  t public.stamp, n text, c ext.citext);"
        "INSERT INTO people SELECT g, CASE WHEN g <= 5 THEN 'sad' ELSE 'happy' END::mood, g, "
        "  CASE WHEN g <= 5 THEN 'Alpha' ELSE 'beta' END, timestamptz '2024-01-01 12:00Z' + g * interval '1 month', "
        "  'n' || g, CASE WHEN g <= 5 THEN 'Alpha' ELSE 'beta' END FROM generate_series(1, 10) g;"
        "CREATE ROLE " + reader_ + " LOGIN; GRANT USAGE ON SCHEMA ext TO " + reader_ + ";"
        "GRANT SELECT ON people TO " + reader_ + ";"
        "CREATE ROLE " + planter_ + "; GRANT CREATE ON SCHEMA public TO " + planter_ + ";"
        "GRANT USAGE ON SCHEMA ext TO " + planter_ + ";");
    // What the attacker plants, as the attacker. leak() is what each planted object calls: it
    // sets a session-level (is_local = false) setting that would outlive the transaction.
    std::string plant = "SET ROLE " + planter_ + ";"
        "CREATE FUNCTION public.leak() RETURNS bool LANGUAGE sql VOLATILE "
        "  AS $$SELECT pg_catalog.set_config('x.y', 'leak', false) IS NOT NULL$$;"
        // The issue's own reproduction, verbatim.
        "CREATE FUNCTION public.ev(public.mood, public.mood) RETURNS bool LANGUAGE sql IMMUTABLE AS 'SELECT true';"
        "CREATE OPERATOR public.= (LEFTARG = public.mood, RIGHTARG = public.mood, FUNCTION = public.ev);"
        "CREATE FUNCTION public.yes(public.mood, public.mood) RETURNS bool LANGUAGE sql VOLATILE AS 'SELECT public.leak()';"
        "CREATE FUNCTION public.yes(public.score, integer) RETURNS bool LANGUAGE sql VOLATILE AS 'SELECT public.leak()';"
        "CREATE FUNCTION public.yes(ext.label, text) RETURNS bool LANGUAGE sql VOLATILE AS 'SELECT public.leak()';"
        "CREATE OPERATOR public.= (LEFTARG = public.score, RIGHTARG = integer, FUNCTION = public.yes);"
        "CREATE OPERATOR public.= (LEFTARG = ext.label, RIGHTARG = text, FUNCTION = public.yes);"
        "CREATE OPERATOR public.~~* (LEFTARG = ext.label, RIGHTARG = text, FUNCTION = public.yes);"
        // An extension's type: citext's operators live in ext, where the planter cannot create.
        "CREATE FUNCTION public.yes(ext.citext, ext.citext) RETURNS bool LANGUAGE sql VOLATILE AS 'SELECT public.leak()';"
        "CREATE OPERATOR public.= (LEFTARG = ext.citext, RIGHTARG = ext.citext, FUNCTION = public.yes);"
        // Aggregates with an exact signature beat pg_catalog's (anyenum, any, integer) ones.
        "CREATE FUNCTION public.sfn_mood(public.mood, public.mood) RETURNS public.mood LANGUAGE sql VOLATILE "
        "  AS $$SELECT CASE WHEN public.leak() THEN 'ok'::public.mood END$$;"
        "CREATE AGGREGATE public.min(public.mood) (SFUNC = public.sfn_mood, STYPE = public.mood);"
        "CREATE AGGREGATE public.max(public.mood) (SFUNC = public.sfn_mood, STYPE = public.mood);"
        "CREATE FUNCTION public.sfn_num(numeric, public.score) RETURNS numeric LANGUAGE sql VOLATILE "
        "  AS $$SELECT CASE WHEN public.leak() THEN 999::numeric END$$;"
        "CREATE AGGREGATE public.sum(public.score) (SFUNC = public.sfn_num, STYPE = numeric);"
        "CREATE AGGREGATE public.avg(public.score) (SFUNC = public.sfn_num, STYPE = numeric);"
        "CREATE FUNCTION public.sfn_count(bigint, public.score) RETURNS bigint LANGUAGE sql VOLATILE "
        "  AS $$SELECT CASE WHEN public.leak() THEN 999::bigint END$$;"
        "CREATE AGGREGATE public.count(public.score) (SFUNC = public.sfn_count, STYPE = bigint);"
        "CREATE FUNCTION public.date_trunc(text, public.stamp) RETURNS timestamptz LANGUAGE sql VOLATILE "
        "  AS $$SELECT CASE WHEN public.leak() THEN timestamptz '1999-01-01Z' END$$;";
    for (const char* op : {"<>", "<", ">", "<=", ">="}) {
      for (const char* args : {"public.mood, RIGHTARG = public.mood", "public.score, RIGHTARG = integer"}) {
        plant += std::string("CREATE OPERATOR public.") + op + " (LEFTARG = " + args + ", FUNCTION = public.yes);";
      }
    }
    plant += "RESET ROLE;";
    db_.Exec(plant);

    config::Settings s;
    s.dsn = db_.DsnFor(reader_);
    s.pool.min = 0;
    s.pool.max = 1;  // one connection: both calls and the probe see the same backend
    harness_ = std::make_unique<ServiceHarness>(std::move(s));
  }
  void TearDown() override {
    harness_.reset();
    db_.Exec("DROP OWNED BY " + planter_ + "; DROP OWNED BY " + reader_ + "; DROP ROLE " + planter_ +
             "; DROP ROLE " + reader_);
  }

  // The first row of a call's result, as JSON text per column ("5", "\"sad\"").
  std::vector<std::string> FirstRow(const std::string& args) {
    auto out = harness_->Call("query_people", json::parse(args));
    EXPECT_FALSE(out.outcome.is_error) << args << ": " << out.outcome.text;
    std::vector<std::string> cells;
    boost::system::error_code ec;
    auto doc = json::parse(out.outcome.structured_json, ec);
    if (ec || !doc.is_object() || !doc.as_object().contains("rows")) {
      ADD_FAILURE() << args << ": " << out.outcome.structured_json;
      return cells;
    }
    const auto& rows = doc.at("rows").as_array();
    if (rows.empty()) return cells;
    const auto& row = rows.front();
    if (row.is_array()) {
      for (const auto& v : row.as_array()) cells.push_back(json::serialize(v));
    } else {
      for (const auto& kv : row.as_object()) cells.push_back(json::serialize(kv.value()));
    }
    return cells;
  }

  std::string Count(const std::string& where) {
    auto row = FirstRow(R"({"where":)" + where + R"(,"aggregates":[{"fn":"count"}]})");
    return row.empty() ? "<no row>" : row.back();
  }

  // The setting leak() would have left on the pooled connection, read outside any envelope.
  std::string LeftBehind() {
    return harness_->Run([](database::Pool& pool) -> asio::awaitable<std::string> {
      auto lease = co_await pool.Acquire(database::Clock::now() + std::chrono::seconds(5));
      if (!lease) co_return "<no connection>";
      std::vector<database::Statement> probe(1);
      probe[0].sql = "SELECT COALESCE(pg_catalog.current_setting('x.y', true), '')";
      auto r = co_await lease.value()->RunPipeline(probe, database::Clock::now() + std::chrono::seconds(5));
      if (!r) co_return "<probe failed: " + r.error().message + ">";
      co_return std::string(r.value()[0].Value(0, 0));
    }(harness_->pool()));
  }

  pgmcp::testing::TestDatabase db_;
  std::string reader_;
  std::string planter_;
  std::unique_ptr<ServiceHarness> harness_;
};

TEST_F(PlantedOperator, ThePlantedObjectsWouldWinWithoutPinning) {
  // The attack is real: with the default search_path, plain SQL picks the planted objects.
  EXPECT_EQ(db_.Scalar("SELECT count(*) FROM people WHERE m = 'sad'::mood"), "10");
  EXPECT_EQ(db_.Scalar("SELECT min(m)::text FROM people"), "ok");
  EXPECT_EQ(db_.Scalar("SELECT sum(s) FROM people"), "999");
  EXPECT_EQ(db_.Scalar("SELECT count(*) FROM people WHERE c = 'nothing'::ext.citext"), "10");
}

TEST_F(PlantedOperator, FiltersOnAnEnumCountRight) {
  EXPECT_EQ(Count(R"({"m":"sad"})"), "5");  // the issue's reproduction: 10 of 10 before the fix
  EXPECT_EQ(Count(R"({"m":{"eq":"sad"}})"), "5");
  EXPECT_EQ(Count(R"({"m":{"neq":"sad"}})"), "5");
  EXPECT_EQ(Count(R"({"m":{"in":["sad"]}})"), "5");
  EXPECT_EQ(Count(R"({"m":{"not_in":["sad"]}})"), "5");
  // Enums offer no ordering filters; min/max over them are attacked below.
  EXPECT_EQ(LeftBehind(), "");
}

TEST_F(PlantedOperator, FiltersOnDomainsCountRight) {
  EXPECT_EQ(Count(R"({"s":3})"), "1");
  EXPECT_EQ(Count(R"({"s":{"neq":3}})"), "9");
  EXPECT_EQ(Count(R"({"s":{"gt":8}})"), "2");
  EXPECT_EQ(Count(R"({"s":{"gte":8}})"), "3");
  EXPECT_EQ(Count(R"({"s":{"lt":3}})"), "2");
  EXPECT_EQ(Count(R"({"s":{"lte":3}})"), "3");
  EXPECT_EQ(Count(R"({"s":{"in":[1,2]}})"), "2");
  EXPECT_EQ(Count(R"({"l":"Alpha"})"), "5");
  EXPECT_EQ(Count(R"({"l":{"starts_with":"al"}})"), "5");
  EXPECT_EQ(Count(R"({"l":{"contains":"et"}})"), "5");
  EXPECT_EQ(Count(R"({"c":"ALPHA"})"), "5") << "citext's own case-insensitive =, not text's";
  EXPECT_EQ(Count(R"({"c":{"in":["alpha","BETA"]}})"), "10");
  EXPECT_EQ(Count(R"({"c":{"neq":"alpha"}})"), "5");
  EXPECT_EQ(Count(R"({"c":{"starts_with":"AL"}})"), "5");
  EXPECT_EQ(LeftBehind(), "");
}

TEST_F(PlantedOperator, AggregatesAndBucketsComputeRight) {
  auto row = FirstRow(R"({"aggregates":[{"fn":"sum","column":"s"},{"fn":"avg","column":"s"},)"
                      R"({"fn":"count_distinct","column":"s"},{"fn":"min","column":"m"},{"fn":"max","column":"m"}]})");
  ASSERT_EQ(row.size(), 5u);
  EXPECT_EQ(row[0], "55");
  EXPECT_NE(row[1].find("5.5"), std::string::npos) << row[1];
  EXPECT_EQ(row[2], "10");
  EXPECT_EQ(row[3], "\"sad\"");
  EXPECT_EQ(row[4], "\"happy\"");
  auto bucket = FirstRow(R"({"group_by":[{"column":"t","bucket":"year"}],"aggregates":[{"fn":"count"}]})");
  ASSERT_EQ(bucket.size(), 2u);
  EXPECT_NE(bucket[0].find("2024"), std::string::npos) << bucket[0];
  EXPECT_EQ(bucket[1], "10");
  EXPECT_EQ(LeftBehind(), "");
}

}  // namespace
}  // namespace pgmcp::service

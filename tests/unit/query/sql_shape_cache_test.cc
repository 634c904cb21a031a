// SQL built once per query shape (query/sql_shape_cache.h): a shape's calls share the SQL text and
// bind their own values; calls that differ in anything the text shows never share it.
#include "query/sql_shape_cache.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "query/query.h"
#include "unit/query/shop_fixture.h"

namespace pgmcp::query {
namespace {

namespace json = boost::json;

class SqlShapeCacheTest : public ::testing::Test {
 protected:
  SqlQuery Build(std::string_view args, const QueryOptions& options = {}) {
    auto built = BuildQuery(snapshot_, *orders_, json::parse(args), options, &shapes_);
    EXPECT_TRUE(built.ok()) << args << ": " << (built.ok() ? "" : built.error().message);
    return built.ok() ? std::move(built.value()) : SqlQuery{};
  }

  const schema::SchemaSnapshot snapshot_ = testing::FixtureSnapshot();
  const schema::Table* orders_ = testing::FixtureTable(snapshot_, "orders");
  SqlShapeCache shapes_;
};

TEST_F(SqlShapeCacheTest, CallsDifferingOnlyInValuesShareTheSqlAndBindTheirOwn) {
  const SqlQuery first = Build(R"({"where":{"id":5,"status":{"in":["paid","new"]}}})");
  const SqlQuery second = Build(R"({"where":{"id":7,"status":{"in":["cancelled"]}}})");
  EXPECT_EQ(second.sql, first.sql);
  ASSERT_EQ(first.params.size(), 2u);
  ASSERT_EQ(second.params.size(), 2u);
  EXPECT_EQ(first.params[0], "5");
  EXPECT_EQ(second.params[0], "7");
  EXPECT_EQ(first.params[1], "{\"paid\",\"new\"}");
  EXPECT_EQ(second.params[1], "{\"cancelled\"}");
  EXPECT_EQ(shapes_.GetStats().hits, 1u);
  EXPECT_EQ(shapes_.GetStats().size, 1u);
}

TEST_F(SqlShapeCacheTest, CallsDifferingInShapeNeverShareAnEntry) {
  const char* shapes[] = {
      R"({})",  // every column: the shape's key does not list them
      R"({"where":{"id":5}})",
      R"({"where":{"id":{"neq":5}}})",
      R"({"where":{"qty":5}})",
      R"({"where":{"id":{"in":[]}}})",
      R"({"where":{"id":{"in":[5]}}})",
      R"({"where":{"status":{"not_in":[]}}})",
      R"({"where":{"status":{"not_in":["paid"]}}})",
      R"({"where":{"id":{"is_null":true}}})",
      R"({"where":{"id":{"is_null":false}}})",
      R"({"where":{"id":5,"qty":6}})",
      R"({"where":{"customer":{"starts_with":"A"}}})",
      R"({"where":{"customer":{"ends_with":"A"}}})",
      R"({"where":{"tags":{"contains":["a"]}}})",
      R"({"where":{"customer":{"search":"a"}}})",
      R"({"order_by":[{"column":"id"}]})",
      R"({"order_by":[{"column":"id","direction":"desc"}]})",
      R"({"select":["id"]})",
      R"({"select":["id","status"]})",
      R"({"select":["status","id"]})",
      R"({"aggregates":[{"fn":"count"}]})",
      R"({"aggregates":[{"fn":"sum","column":"amount"}]})",
      R"({"aggregates":[{"fn":"max","column":"amount"}]})",
      R"({"group_by":["status"],"aggregates":[{"fn":"count"}]})",
      R"({"group_by":["customer"],"aggregates":[{"fn":"count"}]})",
  };
  // Some of these print the same SQL (starts_with and ends_with differ only in the bound pattern),
  // but each is a shape of its own: its own entry, never another's, and the SQL it builds alone.
  size_t built = 0;
  for (const char* args : shapes) {
    const auto alone = BuildQuery(snapshot_, *orders_, json::parse(args), {});
    ASSERT_TRUE(alone.ok()) << args << ": " << alone.error().message;
    const auto cached = BuildQuery(snapshot_, *orders_, json::parse(args), {}, &shapes_);
    ASSERT_TRUE(cached.ok()) << args;
    EXPECT_EQ(cached->sql, alone->sql) << args;
    ++built;
  }
  EXPECT_EQ(shapes_.GetStats().hits, 0u) << "no two of these shapes share an entry";
  EXPECT_EQ(shapes_.GetStats().size, built);
}

TEST_F(SqlShapeCacheTest, EveryColumnOfOneTableIsNotEveryColumnOfAnother) {
  const schema::Table* events = testing::FixtureTable(snapshot_, "events");
  ASSERT_NE(events, nullptr);
  const SqlQuery orders = Build("{}");
  auto built = BuildQuery(snapshot_, *events, json::parse("{}"), {}, &shapes_);
  ASSERT_TRUE(built.ok()) << built.error().message;
  const auto alone = BuildQuery(snapshot_, *events, json::parse("{}"), {});
  ASSERT_TRUE(alone.ok());
  EXPECT_EQ(built->sql, alone->sql);
  EXPECT_NE(built->sql, orders.sql);
  EXPECT_EQ(built->columns.size(), events->columns.size());
  EXPECT_EQ(shapes_.GetStats().hits, 0u);
}

TEST_F(SqlShapeCacheTest, LimitAndOffsetAreWrittenPerCall) {
  const SqlQuery first = Build(R"({"limit":5})");
  const SqlQuery second = Build(R"({"limit":7,"offset":20})");
  EXPECT_TRUE(first.sql.ends_with(" LIMIT 6")) << first.sql;
  EXPECT_TRUE(second.sql.ends_with(" LIMIT 8 OFFSET 20")) << second.sql;
  EXPECT_EQ(second.limit, 7);
  EXPECT_EQ(shapes_.GetStats().hits, 1u);
}

TEST_F(SqlShapeCacheTest, TheLimitsThatCutValuesAreInTheShape) {
  QueryOptions narrow;
  narrow.limits.max_text_chars = 10;
  const SqlQuery wide = Build("{}");
  const SqlQuery cut = Build("{}", narrow);
  EXPECT_NE(cut.sql, wide.sql);
  EXPECT_EQ(shapes_.GetStats().hits, 0u);
  EXPECT_EQ(cut.sql, BuildQuery(snapshot_, *orders_, json::parse("{}"), narrow).value().sql);
}

TEST(SqlShapeCacheBound, AFullCacheStartsAgainAndCapacityZeroStoresNothing) {
  SqlShapeCache small(2);
  auto shape = std::make_shared<const SqlShape>();
  small.Insert("a", shape);
  small.Insert("b", shape);
  small.Insert("c", shape);
  EXPECT_EQ(small.GetStats().size, 1u);
  EXPECT_EQ(small.Lookup("c"), shape);
  EXPECT_EQ(small.Lookup("a"), nullptr);
  SqlShapeCache off(0);
  off.Insert("a", shape);
  EXPECT_EQ(off.Lookup("a"), nullptr);
  EXPECT_EQ(off.GetStats().size, 0u);
}

}  // namespace
}  // namespace pgmcp::query

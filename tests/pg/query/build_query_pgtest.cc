// The built SQL executed on the fixture data. Every operator and aggregate compared with a
// hand-written query: the differential cases (differential_pgtest.cc).
#include <gtest/gtest.h>

#include "pg/query/query_pg_support.h"

namespace pgmcp::query {
namespace {

using testing::QueryDatabase;

class BuildQueryPg : public ::testing::Test {
 protected:
  QueryDatabase db_;
  schema::SchemaSnapshot snapshot_ = testing::FixtureSnapshot();
  const schema::Table& table_ = *testing::FixtureTable(snapshot_, "orders");
  QueryOptions options_;
};

TEST_F(BuildQueryPg, NoArgumentsReturnsEveryExposedColumnInKeyOrder) {
  const auto built = BuildQuery(snapshot_, table_, boost::json::value(nullptr), options_);
  ASSERT_TRUE(built.ok());
  auto r = db_.Execute(built.value());
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(PQntuples(r.get()), 6);
  EXPECT_EQ(PQnfields(r.get()), static_cast<int>(table_.columns.size()));  // api_token is not there
  for (int row = 0; row < PQntuples(r.get()); ++row) {
    EXPECT_EQ(std::string(PQgetvalue(r.get(), row, 0)), std::to_string(row + 1)) << "row " << row;
  }
}

}  // namespace
}  // namespace pgmcp::query

// Differential cases (tests/golden/query/differential/*.test), one test per case, named
// query.differential.<file>.<case>: the query layer's SQL for the case's arguments, run on the
// fixture database, returns exactly the rows of the hand-written reference SQL.
//
// Format (tests/unit/query/golden_file.h): cases separated by blank lines; each case is
//   case <name>
//   [table orders|events|shop.<table>]   (default orders; tests/unit/query/shop_fixture.h)
//   args <JSON on one line>
//   reference <SQL on one line, written by hand>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "pg/query/query_pg_support.h"
#include "unit/query/golden_file.h"

namespace pgmcp::query {
namespace {

namespace fs = std::filesystem;
using testing::QueryDatabase;

fs::path DifferentialDir() { return fs::path(PGMCP_SOURCE_DIR) / "tests/golden/query/differential"; }

class DifferentialCase : public ::testing::Test {
 public:
  DifferentialCase(fs::path path, testing::GoldenCase c) : path_(std::move(path)), case_(std::move(c)) {}

  void TestBody() override {
    SCOPED_TRACE(path_.filename().string() + ":" + std::to_string(case_.line_number) + " " + case_.name);
    const std::string* args = case_.Find("args");
    const std::string* reference = case_.Find("reference");
    ASSERT_NE(args, nullptr) << "no args line";
    ASSERT_NE(reference, nullptr) << "no reference line";
    const schema::SchemaSnapshot snapshot = testing::FixtureSnapshot();
    const schema::Table* table = testing::FixtureTable(snapshot, case_.Get("table", "orders"));
    ASSERT_NE(table, nullptr) << "unknown table " << case_.Get("table");

    const auto built = BuildQuery(snapshot, *table, boost::json::parse(*args), QueryOptions{});
    ASSERT_TRUE(built.ok()) << built.error().message;
    QueryDatabase db;
    std::string error;
    auto ours = db.Execute(built.value(), &error);
    ASSERT_NE(ours, nullptr) << error << "\n" << built->sql;
    auto theirs = db.ExecuteSql(*reference);
    ASSERT_NE(theirs, nullptr);
    // limit + 1 rows are fetched; compare the rows the caller gets.
    auto rows = QueryDatabase::Rows(ours.get());
    if (static_cast<int64_t>(rows.size()) > built->limit) rows.resize(built->limit);
    EXPECT_EQ(rows, QueryDatabase::Rows(theirs.get())) << built->sql;
  }

 private:
  fs::path path_;
  testing::GoldenCase case_;
};

const bool kCasesRegistered = testing::RegisterGoldenCases<DifferentialCase>(
    DifferentialDir(), "differential",
    [](const fs::path& path, const testing::GoldenCase& c) { return new DifferentialCase(path, c); });

// An empty or missing directory would register no case and pass.
TEST(DifferentialFiles, HoldCasesWithArgumentsAndReference) {
  ASSERT_TRUE(kCasesRegistered);
  const auto problems = testing::GoldenDirectoryProblems(DifferentialDir(), {{"args"}, {"reference"}});
  for (const auto& problem : problems) ADD_FAILURE() << problem;
  size_t cases = 0;
  for (const auto& path : testing::GoldenFiles(DifferentialDir())) cases += testing::ReadGoldenFile(path).cases.size();
  EXPECT_GE(cases, 59U);
}

}  // namespace
}  // namespace pgmcp::query

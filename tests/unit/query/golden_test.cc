// Golden files (tests/golden/query/*.test): tool arguments -> SQL + parameters, or the exact error
// sentence; one test per case, named query.golden.<file>.<case>. PGMCP_UPDATE_GOLDEN=1 rewrites the
// expected lines from what the builder produces now.
//
// Format (tests/unit/query/golden_file.h): cases separated by blank lines; each case is
//   case <name>
//   [table orders|events|shop.<table>] (default orders; tests/unit/query/shop_fixture.h)
//   [options {"max_rows": 50, ...}]    (overrides of QueryOptions limits)
//   args <JSON on one line>
//   sql <SQL>  and  params <JSON array>  |  error <sentence>
// Lines starting with '#' are comments and are kept on update.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "query/query.h"
#include "query/sql_shape_cache.h"
#include "unit/query/golden_file.h"
#include "unit/query/shop_fixture.h"

namespace pgmcp::query {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

QueryOptions OptionsFor(const std::string& text) {
  QueryOptions options;
  if (text.empty()) return options;
  const json::object o = json::parse(text).as_object();
  if (auto* v = o.if_contains("max_rows")) options.limits.max_rows = v->as_int64();
  if (auto* v = o.if_contains("default_limit")) options.limits.default_limit = v->as_int64();
  if (auto* v = o.if_contains("max_in_values")) options.limits.max_in_values = v->as_int64();
  if (auto* v = o.if_contains("max_offset")) options.max_offset = v->as_int64();
  if (auto* v = o.if_contains("max_text_chars")) options.limits.max_text_chars = v->as_int64();
  if (auto* v = o.if_contains("max_result_bytes")) options.limits.max_result_bytes = v->as_int64();
  if (auto* v = o.if_contains("text_search_config")) options.text_search_config = std::string(v->as_string());
  return options;
}

std::string ParamsJson(const SqlQuery& q) {
  json::array a;
  for (const auto& p : q.params) {
    if (p) {
      a.emplace_back(*p);
    } else {
      a.emplace_back(nullptr);
    }
  }
  return json::serialize(a);
}

fs::path GoldenDir() { return fs::path(PGMCP_SOURCE_DIR) / "tests/golden/query"; }

bool UpdateRequested() {
  const char* update = std::getenv("PGMCP_UPDATE_GOLDEN");
  return update != nullptr && std::string(update) == "1";
}

// Replaces the expected lines (sql, params, error) of case `name` in `path` by `expected`.
void RewriteExpected(const fs::path& path, const std::string& name, const std::vector<std::string>& expected) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  in.close();
  std::vector<std::string> out;
  for (size_t i = 0; i < lines.size(); ++i) {
    out.push_back(lines[i]);
    if (lines[i] != "case " + name) continue;
    for (++i; i < lines.size() && !lines[i].empty(); ++i) {
      const bool is_expected = lines[i].rfind("sql ", 0) == 0 || lines[i].rfind("params ", 0) == 0 ||
                               lines[i].rfind("error ", 0) == 0;
      if (!is_expected) out.push_back(lines[i]);
    }
    out.insert(out.end(), expected.begin(), expected.end());
    if (i < lines.size()) out.push_back(lines[i]);
  }
  std::ofstream file(path, std::ios::trunc);
  for (const auto& line : out) file << line << "\n";
  ASSERT_TRUE(file.good()) << "cannot write " << path;
}

// One case of one file: the builder's SQL and parameters, or its error sentence, must be the
// expected lines. PGMCP_UPDATE_GOLDEN=1 rewrites them instead (ctest runs the cases one at a time).
class QueryGoldenCase : public ::testing::Test {
 public:
  QueryGoldenCase(fs::path path, testing::GoldenCase c) : path_(std::move(path)), case_(std::move(c)) {}

  void TestBody() override {
    SCOPED_TRACE(path_.filename().string() + ":" + std::to_string(case_.line_number) + " " + case_.name);
    const std::string* args_text = case_.Find("args");
    ASSERT_NE(args_text, nullptr) << "no args line";
    json::error_code ec;
    const json::value args = json::parse(*args_text, ec);
    ASSERT_FALSE(ec) << "bad args JSON";
    const schema::SchemaSnapshot snapshot = testing::FixtureSnapshot();
    const schema::Table* table = testing::FixtureTable(snapshot, case_.Get("table", "orders"));
    ASSERT_NE(table, nullptr) << "unknown table " << case_.Get("table");
    const auto built = BuildQuery(snapshot, *table, args, OptionsFor(case_.Get("options")));
    std::string sql, params, error;
    if (built.ok()) {
      sql = built->sql;
      params = ParamsJson(built.value());
    } else {
      EXPECT_EQ(built.error().kind, ErrorKind::kInvalidArgument);
      error = built.error().message;
    }
    if (UpdateRequested()) {
      RewriteExpected(path_, case_.name,
                      built.ok() ? std::vector<std::string>{"sql " + sql, "params " + params}
                                 : std::vector<std::string>{"error " + error});
      return;
    }
    ASSERT_TRUE(case_.Find("sql") != nullptr || case_.Find("error") != nullptr) << "no expected sql or error line";
    EXPECT_EQ(case_.Get("sql"), sql);
    EXPECT_EQ(case_.Get("params"), params);
    EXPECT_EQ(case_.Get("error"), error);
  }

 private:
  fs::path path_;
  testing::GoldenCase case_;
};

const bool kCasesRegistered = testing::RegisterGoldenCases<QueryGoldenCase>(
    GoldenDir(), "golden",
    [](const fs::path& path, const testing::GoldenCase& c) { return new QueryGoldenCase(path, c); });

// The cases above are tests only if the files hold them: an empty or missing directory, a file
// without cases or a case without input would otherwise pass by running nothing.
TEST(QueryGoldenFiles, HoldCasesWithInputAndExpectation) {
  ASSERT_TRUE(kCasesRegistered);
  const auto problems = testing::GoldenDirectoryProblems(GoldenDir(), {{"args"}, {"sql", "error"}});
  for (const auto& problem : problems) ADD_FAILURE() << problem;
  size_t cases = 0;
  for (const auto& path : testing::GoldenFiles(GoldenDir())) cases += testing::ReadGoldenFile(path).cases.size();
  EXPECT_GE(cases, 80U);
}

// SQL built once per shape (query/sql_shape_cache.h): every case through one cache, twice, builds
// exactly what it builds without one. A shape key missing anything that changes the text would hand
// one case the SQL of another case that differs from it only there.
TEST(QueryGoldenFiles, OneShapeCacheForEveryCaseChangesNothing) {
  const schema::SchemaSnapshot snapshot = testing::FixtureSnapshot();
  SqlShapeCache shapes(1 << 20);
  size_t built = 0;
  for (int round = 0; round < 2; ++round) {
    for (const auto& path : testing::GoldenFiles(GoldenDir())) {
      for (const auto& c : testing::ReadGoldenFile(path).cases) {
        const std::string* args_text = c.Find("args");
        const schema::Table* table = testing::FixtureTable(snapshot, c.Get("table", "orders"));
        if (args_text == nullptr || table == nullptr) continue;
        SCOPED_TRACE(path.filename().string() + ":" + std::to_string(c.line_number) + " " + c.name);
        const json::value args = json::parse(*args_text);
        const QueryOptions options = OptionsFor(c.Get("options"));
        const auto alone = BuildQuery(snapshot, *table, args, options);
        const auto cached = BuildQuery(snapshot, *table, args, options, &shapes);
        ASSERT_EQ(cached.ok(), alone.ok());
        if (!alone.ok()) {
          EXPECT_EQ(cached.error().message, alone.error().message);
          continue;
        }
        ++built;
        EXPECT_EQ(cached->sql, alone->sql);
        EXPECT_EQ(ParamsJson(cached.value()), ParamsJson(alone.value()));
        EXPECT_EQ(cached->limit, alone->limit);
        ASSERT_EQ(cached->columns.size(), alone->columns.size());
        for (size_t i = 0; i < alone->columns.size(); ++i) {
          EXPECT_EQ(cached->columns[i].name, alone->columns[i].name);
          EXPECT_EQ(cached->columns[i].type.category, alone->columns[i].type.category);
          EXPECT_EQ(cached->columns[i].type.is_array, alone->columns[i].type.is_array);
        }
      }
    }
  }
  const auto stats = shapes.GetStats();
  EXPECT_GE(built, 100U);
  EXPECT_GE(stats.hits, built / 2) << "the second round finds every shape of the first";
  EXPECT_EQ(stats.hits + stats.misses, built);
}

}  // namespace
}  // namespace pgmcp::query

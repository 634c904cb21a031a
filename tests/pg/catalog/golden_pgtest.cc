// Golden files: tests/golden/schema/<case>.sql loaded into a fresh database, introspected as
// the role its "-- pgmcp-golden-login:" line names with <case>.toml as settings, must give the
// tools/list of <case>.json byte for byte, every inputSchema portable (tests/unit/query/portable_schema.h).
// PGMCP_UPDATE_GOLDEN=1 rewrites the .json instead.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "catalog/pretty_json.h"
#include "catalog/tool_catalog.h"
#include "config/invocation.h"
#include "schema/introspect.h"
#include "support/test_database.h"
#include "unit/query/portable_schema.h"

namespace pgmcp::catalog {
namespace {

namespace fs = std::filesystem;

fs::path GoldenDir() { return fs::path(PGMCP_SOURCE_DIR) / "tests" / "golden" / "schema"; }

// None when the directory is missing: SchemaGoldenFiles.HoldCases fails then.
std::vector<std::string> GoldenCases() {
  std::vector<std::string> cases;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(GoldenDir(), ec)) {
    if (entry.path().extension() == ".sql") cases.push_back(entry.path().stem().string());
  }
  std::sort(cases.begin(), cases.end());
  return cases;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string LoginRole(const std::string& sql) {
  const std::string marker = "-- pgmcp-golden-login:";
  auto pos = sql.find(marker);
  if (pos == std::string::npos) return "postgres";
  auto end = sql.find('\n', pos);
  std::string role = sql.substr(pos + marker.size(), end - pos - marker.size());
  role.erase(0, role.find_first_not_of(' '));
  role.erase(role.find_last_not_of(" \r") + 1);
  return role;
}

class GoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenTest, ToolsListMatches) {
  const std::string name = GetParam();
  const fs::path sql_path = GoldenDir() / (name + ".sql");
  const fs::path toml_path = GoldenDir() / (name + ".toml");
  const fs::path json_path = GoldenDir() / (name + ".json");

  config::Settings settings;
  if (fs::exists(toml_path)) {
    auto loaded = config::LoadConfigText(ReadFile(toml_path), toml_path.string(), settings);
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  }
  testing::TestDatabase db;
  const std::string sql = ReadFile(sql_path);
  db.Exec(sql);

  auto conn = database::ConnectCatalogReader(db.DsnFor(LoginRole(sql)), database::Clock::now() + std::chrono::seconds(10));
  ASSERT_TRUE(conn.ok()) << conn.error().message;
  auto snapshot = schema::Introspect(**conn, settings);
  ASSERT_TRUE(snapshot.ok()) << snapshot.error().message << " " << snapshot.error().code;

  query::QueryOptions options;
  options.limits = settings.limits;
  options.text_search_config = settings.query.text_search_config;
  options.sanitize = settings.security.sanitize_text;
  ToolCatalog catalog = BuildToolCatalog(*snapshot, options);
  std::string actual = PrettyJson(boost::json::object{{"tools", catalog.tools}});
  // The wire form and the golden form are the same JSON.
  EXPECT_EQ(boost::json::parse(*catalog.tools_list), boost::json::parse(actual));

  // Every node of every tool's inputSchema is one that every model provider accepts.
  for (const auto& tool : catalog.tools) {
    const auto problems = query::testing::PortabilityProblems(tool.at("inputSchema"));
    std::string listed;
    for (const auto& p : problems) listed += p + "\n";
    EXPECT_TRUE(problems.empty()) << tool.at("name").as_string() << ":\n" << listed;
  }

  for (const auto& t : snapshot->tables) {
    std::cout << "[ description ] " << t.tool_name << ": " << t.description.size() << " chars\n";
  }
  std::cout << "[ tools/list  ] " << catalog.tools_list->size() << " chars, ~" << catalog.tools_list->size() / 4
            << " tokens\n";

  const char* update = std::getenv("PGMCP_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream out(json_path, std::ios::binary | std::ios::trunc);
    out << actual;
    ASSERT_TRUE(out.good()) << "cannot write " << json_path;
    return;
  }
  ASSERT_TRUE(fs::exists(json_path)) << json_path << " is missing: run scripts/update-golden";
  std::string expected = ReadFile(json_path);
  EXPECT_TRUE(expected == actual) << "tools/list differs from " << json_path
                                  << " (PGMCP_UPDATE_GOLDEN=1 regenerates it); got:\n"
                                  << actual;
}

INSTANTIATE_TEST_SUITE_P(Schema, GoldenTest, ::testing::ValuesIn(GoldenCases()),
                         [](const ::testing::TestParamInfo<std::string>& case_info) { return case_info.param; });
// An empty directory would instantiate no case above and pass.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(GoldenTest);

// The cases above are tests only if the directory holds them.
TEST(SchemaGoldenFiles, HoldCases) { EXPECT_FALSE(GoldenCases().empty()) << GoldenDir() << " holds no <case>.sql"; }

}  // namespace
}  // namespace pgmcp::catalog

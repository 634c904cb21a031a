// Golden files (tests/golden/query/*.test): tool arguments -> SQL + parameters, or the exact error
// sentence. PGMCP_UPDATE_GOLDEN=1 rewrites the expected lines from what the builder produces now.
//
// Format: cases separated by blank lines; each case is
//   case <name>
//   [table orders|events]              (default orders)
//   [options {"max_rows": 50, ...}]    (overrides of QueryOptions limits)
//   args <JSON on one line>
//   sql <SQL>  and  params <JSON array>  |  error <sentence>
// Lines starting with '#' are comments and are kept on update.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "query/query.h"
#include "unit/query/query_fixture.h"

namespace pgmcp::query {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

struct GoldenCase {
  std::string name;
  std::vector<std::string> lines;  // the input lines (case, table, options, args, comments), in order
  std::string table = "orders";
  std::string options;
  std::string args;
  std::string sql, params, error;  // expected
  int line_number = 0;
};

std::vector<GoldenCase> ReadCases(const fs::path& path, std::vector<std::string>& header) {
  std::ifstream in(path);
  std::vector<GoldenCase> cases;
  std::string line;
  int number = 0;
  GoldenCase* current = nullptr;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) {
      current = nullptr;
      continue;
    }
    auto rest = [&](std::string_view key) { return line.substr(key.size() + 1); };
    if (line.rfind("case ", 0) == 0) {
      cases.emplace_back();
      current = &cases.back();
      current->name = rest("case");
      current->line_number = number;
      current->lines.push_back(line);
      continue;
    }
    if (current == nullptr) {
      header.push_back(line);
      continue;
    }
    if (line.rfind("sql ", 0) == 0) {
      current->sql = rest("sql");
    } else if (line.rfind("params ", 0) == 0) {
      current->params = rest("params");
    } else if (line.rfind("error ", 0) == 0) {
      current->error = rest("error");
    } else {
      if (line.rfind("table ", 0) == 0) current->table = rest("table");
      if (line.rfind("options ", 0) == 0) current->options = rest("options");
      if (line.rfind("args ", 0) == 0) current->args = rest("args");
      current->lines.push_back(line);
    }
  }
  return cases;
}

QueryOptions OptionsFor(const GoldenCase& c) {
  QueryOptions options;
  if (c.options.empty()) return options;
  const json::object o = json::parse(c.options).as_object();
  if (auto* v = o.if_contains("max_rows")) options.limits.max_rows = v->as_int64();
  if (auto* v = o.if_contains("default_limit")) options.limits.default_limit = v->as_int64();
  if (auto* v = o.if_contains("max_in_values")) options.limits.max_in_values = v->as_int64();
  if (auto* v = o.if_contains("max_offset")) options.max_offset = v->as_int64();
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

TEST(QueryGolden, AllFiles) {
  const fs::path dir = fs::path(PGMCP_SOURCE_DIR) / "tests/golden/query";
  const bool update = std::getenv("PGMCP_UPDATE_GOLDEN") != nullptr && std::string(std::getenv("PGMCP_UPDATE_GOLDEN")) == "1";
  const schema::Table orders = testing::OrdersTable();
  const schema::Table events = testing::EventsTable();
  int total = 0;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".test") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty());
  for (const auto& path : files) {
    std::vector<std::string> header;
    auto cases = ReadCases(path, header);
    std::ostringstream rewritten;
    for (const auto& line : header) rewritten << line << "\n";
    if (!header.empty()) rewritten << "\n";
    for (auto& c : cases) {
      ++total;
      SCOPED_TRACE(path.filename().string() + ":" + std::to_string(c.line_number) + " " + c.name);
      json::error_code ec;
      const json::value args = json::parse(c.args, ec);
      ASSERT_FALSE(ec) << "bad args JSON";
      const schema::Table& table = c.table == "events" ? events : orders;
      const auto built = BuildQuery(table, args, OptionsFor(c));
      std::string sql, params, error;
      if (built.ok()) {
        sql = built->sql;
        params = ParamsJson(built.value());
      } else {
        EXPECT_EQ(built.error().kind, ErrorKind::kInvalidArgument);
        error = built.error().message;
      }
      if (update) {
        for (const auto& line : c.lines) rewritten << line << "\n";
        if (built.ok()) {
          rewritten << "sql " << sql << "\nparams " << params << "\n\n";
        } else {
          rewritten << "error " << error << "\n\n";
        }
        continue;
      }
      EXPECT_EQ(c.sql, sql);
      EXPECT_EQ(c.params, params);
      EXPECT_EQ(c.error, error);
    }
    if (update) {
      std::string text = rewritten.str();
      while (text.size() >= 2 && text.substr(text.size() - 2) == "\n\n") text.pop_back();
      std::ofstream(path) << text;
    }
  }
  EXPECT_GE(total, 80);
  std::cout << "golden cases: " << total << "\n";
}

}  // namespace
}  // namespace pgmcp::query

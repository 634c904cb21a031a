// Golden case files of the query layer (tests/golden/query/**/*.test), DuckDB's .test files as
// the model: small "input -> expected output" cases as data, each registered as a test of its own.
//
// A file is cases separated by blank lines; lines before the first case are the file's header
// (comments). Each case starts with "case <name>" and is a list of "<key> <value>" lines; what the
// keys mean is up to the test that reads the file (golden_test.cc, differential_pgtest.cc).
// Lines starting with '#' are comments, kept in order.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pgmcp::query::testing {

struct GoldenCase {
  std::string name;  // as written after "case "
  int line_number = 0;
  std::vector<std::string> lines;                           // every line of the case, "case <name>" first
  std::vector<std::pair<std::string, std::string>> values;  // (key, value) of every non-comment line

  // The value of the first "<key> <value>" line, or nullptr.
  const std::string* Find(std::string_view key) const {
    for (const auto& line : values) {
      if (line.first == key) return &line.second;
    }
    return nullptr;
  }
  std::string Get(std::string_view key, std::string fallback = {}) const {
    const std::string* value = Find(key);
    return value != nullptr ? *value : fallback;
  }
};

struct GoldenFile {
  std::filesystem::path path;
  std::vector<std::string> header;
  std::vector<GoldenCase> cases;
};

inline GoldenFile ReadGoldenFile(const std::filesystem::path& path) {
  GoldenFile file{path, {}, {}};
  std::ifstream in(path);
  std::string line;
  int number = 0;
  GoldenCase* current = nullptr;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) {
      current = nullptr;
      continue;
    }
    if (line.rfind("case ", 0) == 0) {
      file.cases.emplace_back();
      current = &file.cases.back();
      current->name = line.substr(5);
      current->line_number = number;
      current->lines.push_back(line);
      continue;
    }
    if (current == nullptr) {
      file.header.push_back(line);
      continue;
    }
    current->lines.push_back(line);
    if (line[0] == '#') continue;
    const size_t space = line.find(' ');
    if (space == std::string::npos) {
      current->values.emplace_back(line, "");
    } else {
      current->values.emplace_back(line.substr(0, space), line.substr(space + 1));
    }
  }
  return file;
}

// The *.test files of `dir`, sorted; none when the directory is missing (GoldenDirectoryProblems
// reports that as a failure).
inline std::vector<std::filesystem::path> GoldenFiles(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".test") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// A case name as a test name: every run of characters outside [A-Za-z0-9] becomes one '_'.
inline std::string TestName(std::string_view name) {
  std::string out;
  for (const char c : name) {
    const bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (word) {
      out += c;
    } else if (!out.empty() && out.back() != '_') {
      out += '_';
    }
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

// What makes a golden directory unable to prove anything: no files, a file without cases, a case
// whose test name is empty or repeated in its file, a case missing one of `required` keys. Tests
// are registered per case, so an empty directory would otherwise give zero tests and a green run.
inline std::vector<std::string> GoldenDirectoryProblems(const std::filesystem::path& dir,
                                                        const std::vector<std::vector<std::string>>& required) {
  std::vector<std::string> problems;
  const auto files = GoldenFiles(dir);
  if (files.empty()) problems.push_back(dir.string() + ": no *.test files");
  for (const auto& path : files) {
    const GoldenFile file = ReadGoldenFile(path);
    if (file.cases.empty()) problems.push_back(path.string() + ": no cases");
    std::set<std::string> names;
    for (const auto& c : file.cases) {
      const std::string where = path.filename().string() + ":" + std::to_string(c.line_number) + " ";
      const std::string name = TestName(c.name);
      if (name.empty()) problems.push_back(where + "case without a name");
      if (!names.insert(name).second) problems.push_back(where + "test name " + name + " repeated");
      // Each entry of `required` lists alternatives: at least one of them must be present.
      for (const auto& keys : required) {
        const bool found =
            std::any_of(keys.begin(), keys.end(), [&](const std::string& k) { return c.Find(k) != nullptr; });
        if (!found) problems.push_back(where + c.name + ": no " + keys.front() + " line");
      }
    }
  }
  return problems;
}

// Registers one test per case of every file of `dir`: suite "<prefix>.<file stem>", test
// TestName(case name), so ctest names it e.g. query.golden.filters.bare_literal_means_eq.
// `make` builds the test object of one case. Called from a static initialiser, before main.
template <typename Fixture>
bool RegisterGoldenCases(const std::filesystem::path& dir, const std::string& prefix,
                         std::function<Fixture*(const std::filesystem::path&, const GoldenCase&)> make) {
  for (const auto& path : GoldenFiles(dir)) {
    const GoldenFile file = ReadGoldenFile(path);
    const std::string suite = prefix + "." + TestName(path.stem().string());
    for (const auto& c : file.cases) {
      ::testing::RegisterTest(suite.c_str(), TestName(c.name).c_str(), nullptr, nullptr, path.c_str(), c.line_number,
                              [make, path, c]() -> Fixture* { return make(path, c); });
    }
  }
  return true;
}

}  // namespace pgmcp::query::testing

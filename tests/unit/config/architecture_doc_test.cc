// docs/architecture.md lists the link lines between pgmcp's layers; this test keeps that list the
// real dependency graph: it reads both docs/architecture.md and src/CMakeLists.txt and compares them.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

namespace {

using Graph = std::map<std::string, std::set<std::string>>;

std::string ReadFile(const std::string& relative) {
  std::ifstream in(std::string(PGMCP_SOURCE_DIR) + "/" + relative);
  EXPECT_TRUE(in) << relative << " is missing";
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::set<std::string> Words(const std::string& text) {
  std::set<std::string> words;
  std::istringstream in(text);
  for (std::string w; in >> w;) words.insert(w);
  return words;
}

// The `name -> deps` lines of the ```text block that follows "Every arrow is a link line".
Graph DocumentedGraph() {
  std::string doc = ReadFile("docs/architecture.md");
  size_t at = doc.find("Every arrow is a link line");
  EXPECT_NE(at, std::string::npos) << "docs/architecture.md has no list of link lines";
  if (at == std::string::npos) return {};
  size_t begin = doc.find("```text\n", at);
  size_t end = doc.find("```", begin + 8);
  EXPECT_NE(begin, std::string::npos);
  if (begin == std::string::npos || end == std::string::npos) return {};
  Graph graph;
  std::istringstream block(doc.substr(begin + 8, end - begin - 8));
  for (std::string line; std::getline(block, line);) {
    size_t arrow = line.find("->");
    if (arrow == std::string::npos) continue;
    auto name = Words(line.substr(0, arrow));
    EXPECT_EQ(name.size(), 1u) << line;
    if (name.size() == 1) graph[*name.begin()] = Words(line.substr(arrow + 2));
  }
  return graph;
}

// pgmcp_library(NAME DEPS ...) and the executable's target_link_libraries(pgmcp PRIVATE ...).
Graph BuiltGraph() {
  std::string cmake = ReadFile("src/CMakeLists.txt");
  Graph graph;
  auto deps_of = [](const std::string& args) {
    std::set<std::string> deps;
    static const std::regex lib("pgmcp_([a-z]+)");
    for (auto it = std::sregex_iterator(args.begin(), args.end(), lib); it != std::sregex_iterator(); ++it) {
      deps.insert((*it)[1].str());
    }
    return deps;
  };
  static const std::regex library(R"(pgmcp_library\(\s*([a-z]+)\s+([^)]*)\))");
  for (auto it = std::sregex_iterator(cmake.begin(), cmake.end(), library); it != std::sregex_iterator(); ++it) {
    graph[(*it)[1].str()] = deps_of((*it)[2].str());
  }
  static const std::regex app(R"(target_link_libraries\(\s*pgmcp\s+PRIVATE\s+([^)]*)\))");
  std::smatch m;
  if (std::regex_search(cmake, m, app)) graph["app"] = deps_of(m[1].str());
  return graph;
}

TEST(ArchitectureDoc, LinkLinesAreTheBuildsDependencyGraph) {
  Graph built = BuiltGraph();
  Graph documented = DocumentedGraph();
  ASSERT_GE(built.size(), 15u) << "src/CMakeLists.txt could not be read as expected";
  for (const auto& [name, deps] : built) {
    auto it = documented.find(name);
    ASSERT_NE(it, documented.end()) << "docs/architecture.md does not list the links of " << name << "/";
    EXPECT_EQ(it->second, deps) << "the links of " << name << "/ differ between docs/architecture.md and the build";
  }
  for (const auto& [name, deps] : documented) {
    EXPECT_TRUE(built.count(name)) << "docs/architecture.md lists " << name << "/, which the build does not have";
  }
}

// The layers point one way: no library reaches itself through its links.
TEST(ArchitectureDoc, LinkGraphHasNoCycle) {
  Graph built = BuiltGraph();
  std::map<std::string, int> state;  // 0 unseen, 1 on the path, 2 done
  std::function<bool(const std::string&)> acyclic = [&](const std::string& n) {
    if (state[n] == 1) return false;
    if (state[n] == 2) return true;
    state[n] = 1;
    for (const auto& d : built[n]) {
      if (!acyclic(d)) {
        ADD_FAILURE() << "cycle through " << n << " -> " << d;
        return false;
      }
    }
    state[n] = 2;
    return true;
  };
  for (const auto& entry : built) EXPECT_TRUE(acyclic(entry.first));
}

}  // namespace

// TestDatabase: a fresh database in the test cluster for one test, dropped afterwards, plus
// blocking helpers to set it up and to ask it questions the way psql would.
#pragma once

#include <string>
#include <vector>

namespace pgmcp::testing {

class TestDatabase {
 public:
  // Creates database "t_<random>"; fails the test (GTEST_SKIP never) when the cluster is missing.
  TestDatabase();
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  const std::string& name() const { return name_; }
  // Connection string for the superuser; DsnFor("role") for another login role (trust auth).
  std::string Dsn() const { return DsnFor("postgres"); }
  std::string DsnFor(const std::string& user) const;

  // Runs SQL (may hold several statements) as the superuser; throws on error.
  void Exec(const std::string& sql) const;
  void ExecFile(const std::string& path) const;
  // Runs one query and returns its rows as text (NULL as "<null>").
  std::vector<std::vector<std::string>> Query(const std::string& sql) const;
  std::string Scalar(const std::string& sql) const;

  // A value of the test cluster's env file (tests/support/pg_cluster): PGHOST, PGPORT.
  static std::string ClusterValue(const std::string& key);

 private:
  std::string host_;
  std::string port_;
  std::string name_;
};

}  // namespace pgmcp::testing

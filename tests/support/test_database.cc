#include "support/test_database.h"

#include <cstdlib>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <stdexcept>

#include "database/pg_handles.h"

namespace pgmcp::testing {
namespace {

using ConnPtr = database::PgConnPtr;
using ResultPtr = database::PgResultPtr;

ConnPtr Connect(const std::string& dsn) {
  ConnPtr c(PQconnectdb(dsn.c_str()));
  if (PQstatus(c.get()) != CONNECTION_OK) {
    throw std::runtime_error("test database: cannot connect: " + std::string(PQerrorMessage(c.get())));
  }
  return c;
}

void ExecOn(PGconn* c, const std::string& sql) {
  ResultPtr r(PQexec(c, sql.c_str()));
  auto st = PQresultStatus(r.get());
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    throw std::runtime_error("test database: " + std::string(PQerrorMessage(c)) + " in: " + sql.substr(0, 200));
  }
}

}  // namespace

std::string TestDatabase::ClusterValue(const std::string& key) {
  const char* dir = std::getenv("PGMCP_TEST_CLUSTER");
  if (dir == nullptr) throw std::runtime_error("PGMCP_TEST_CLUSTER is not set: run the tests with ctest");
  std::ifstream in(std::string(dir) + "/env");
  if (!in) throw std::runtime_error("no test cluster at " + std::string(dir) + " (pg_cluster_start failed?)");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + "=", 0) == 0) return line.substr(key.size() + 1);
  }
  throw std::runtime_error("test cluster env lacks " + key);
}

TestDatabase::TestDatabase() : host_(ClusterValue("PGHOST")), port_(ClusterValue("PGPORT")) {
  std::random_device rd;
  std::ostringstream n;
  n << "t_" << std::hex << rd() << rd();
  name_ = n.str();
  auto admin = Connect("host=" + host_ + " port=" + port_ + " user=postgres dbname=postgres");
  ExecOn(admin.get(), "CREATE DATABASE " + name_);
}

TestDatabase::~TestDatabase() {
  try {
    auto admin = Connect("host=" + host_ + " port=" + port_ + " user=postgres dbname=postgres");
    ExecOn(admin.get(), "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (...) {
    // The cluster is thrown away after the run anyway.
  }
}

std::string TestDatabase::DsnFor(const std::string& user) const {
  return "host=" + host_ + " port=" + port_ + " user=" + user + " dbname=" + name_;
}

void TestDatabase::Exec(const std::string& sql) const {
  auto c = Connect(Dsn());
  ExecOn(c.get(), sql);
}

void TestDatabase::ExecFile(const std::string& path) const {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  Exec(ss.str());
}

std::vector<std::vector<std::string>> TestDatabase::Query(const std::string& sql) const {
  auto c = Connect(Dsn());
  ResultPtr r(PQexec(c.get(), sql.c_str()));
  if (PQresultStatus(r.get()) != PGRES_TUPLES_OK) {
    throw std::runtime_error("test query failed: " + std::string(PQerrorMessage(c.get())));
  }
  std::vector<std::vector<std::string>> rows;
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    std::vector<std::string> row;
    for (int j = 0; j < PQnfields(r.get()); ++j) {
      row.push_back(PQgetisnull(r.get(), i, j) ? "<null>" : PQgetvalue(r.get(), i, j));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string TestDatabase::Scalar(const std::string& sql) const {
  auto rows = Query(sql);
  if (rows.empty() || rows[0].empty()) throw std::runtime_error("no value from: " + sql);
  return rows[0][0];
}

}  // namespace pgmcp::testing

// Helpers of the schema layer's database tests: introspect a test database as a given role, find
// a table, and make roles unique to one test's database.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "schema/introspect.h"
#include "support/test_database.h"

namespace pgmcp::schema::testing {

using pgmcp::testing::TestDatabase;

inline std::unique_ptr<database::CatalogReader> Connect(const std::string& dsn) {
  auto reader = database::ConnectCatalogReader(dsn, database::Clock::now() + std::chrono::seconds(10));
  if (!reader) throw std::runtime_error(reader.error().message);
  return std::move(reader.value());
}

inline SchemaSnapshot MustIntrospect(const std::string& dsn, const config::Settings& settings = {}) {
  auto conn = Connect(dsn);
  auto result = Introspect(*conn, settings);
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message + " / " + result.error().code);
  return result.ok() ? std::move(result.value()) : SchemaSnapshot{};
}

inline const Table* Find(const SchemaSnapshot& s, const std::string& schema_name, const std::string& name) {
  for (const auto& t : s.tables) {
    if (t.schema == schema_name && t.name == name) return &t;
  }
  return nullptr;
}

// A role name unique to this test's database: roles are cluster-wide, tests run in parallel.
inline std::string RoleName(const TestDatabase& db, const std::string& suffix) { return db.name() + "_" + suffix; }

inline void CreateLoginRole(const TestDatabase& db, const std::string& role, bool login = true) {
  db.Exec("DROP ROLE IF EXISTS " + role + "; CREATE ROLE " + role + (login ? " LOGIN" : " NOLOGIN"));
}

}  // namespace pgmcp::schema::testing

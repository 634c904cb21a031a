// Helpers of the query layer's database tests: a fixture database, running a BuildQuery result
// the way the server does (read-only transaction, fixed session settings) and plain SQL for
// comparison.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <memory>
#include <string>
#include <vector>

#include "database/pg_handles.h"
#include "query/query.h"
#include "support/test_database.h"
#include "unit/query/shop_fixture.h"

namespace pgmcp::query {

// The tests run SQL on a connection of their own; the server hands EncodeRows the database::Rows
// of its pooled call. This reads a test's result through the same Rows (over a copy of it).
inline EncodedRows EncodeRows(const PGresult* result, const SqlQuery& query, const QueryOptions& options) {
  database::PgResultPtr copy(PQcopyResult(result, PG_COPYRES_ATTRS | PG_COPYRES_TUPLES));
  return EncodeRows(database::RowsFromResult(std::move(copy)), query, options);
}

}  // namespace pgmcp::query

namespace pgmcp::query::testing {

using database::PgConnPtr;
using database::PgResultPtr;

using TextRows = std::vector<std::vector<std::string>>;

class QueryDatabase {
 public:
  explicit QueryDatabase(const std::string& time_zone = "UTC") {
    db_.Exec(kFixtureSql);
    db_.Exec(kShopSql);
    conn_.reset(PQconnectdb(db_.Dsn().c_str()));
    if (PQstatus(conn_.get()) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(conn_.get()));
    // The session settings the server uses for every call (docs/security.md, "Every call is one read-only transaction", sets them per transaction).
    Run("SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'iso_8601'; SET extra_float_digits = 1; "
        "SET default_transaction_read_only = on; SET TimeZone = '" + time_zone + "'");
  }

  PGconn* conn() const { return conn_.get(); }
  const pgmcp::testing::TestDatabase& db() const { return db_; }

  void Run(const std::string& sql) const {
    PgResultPtr r(PQexec(conn_.get(), sql.c_str()));
    const auto st = PQresultStatus(r.get());
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      throw std::runtime_error(std::string(PQerrorMessage(conn_.get())) + " in " + sql);
    }
  }

  // Executes a built query in a read-only transaction; nullptr result and `error` on failure.
  PgResultPtr Execute(const SqlQuery& q, std::string* error = nullptr) const {
    std::vector<const char*> values;
    for (const auto& p : q.params) values.push_back(p ? p->c_str() : nullptr);
    PgResultPtr r(PQexecParams(conn_.get(), q.sql.c_str(), static_cast<int>(values.size()), nullptr,
                               values.data(), nullptr, nullptr, 0));
    if (PQresultStatus(r.get()) != PGRES_TUPLES_OK) {
      if (error != nullptr) *error = PQresultErrorMessage(r.get());
      return nullptr;
    }
    return r;
  }

  PgResultPtr ExecuteSql(const std::string& sql) const {
    PgResultPtr r(PQexec(conn_.get(), sql.c_str()));
    if (PQresultStatus(r.get()) != PGRES_TUPLES_OK) {
      ADD_FAILURE() << PQerrorMessage(conn_.get()) << " in " << sql;
      return nullptr;
    }
    return r;
  }

  static TextRows Rows(const PGresult* r) {
    TextRows rows;
    if (r == nullptr) return rows;
    for (int i = 0; i < PQntuples(r); ++i) {
      std::vector<std::string> row;
      for (int j = 0; j < PQnfields(r); ++j) row.push_back(PQgetisnull(r, i, j) ? "<null>" : PQgetvalue(r, i, j));
      rows.push_back(std::move(row));
    }
    return rows;
  }

 private:
  pgmcp::testing::TestDatabase db_;
  PgConnPtr conn_;
};

}  // namespace pgmcp::query::testing

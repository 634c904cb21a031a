// Introspection benchmark: time from connecting to a ready tools/list JSON for a generated schema
// of 1,000 tables x 20 columns (docs/benchmarks.md; target < 1 s), plus the size of that tools/list.
//
//   introspect_benchmark [DSN] [--schema NAME] [--tables N] [--iterations N] [--no-setup]
//
// DSN defaults to $PGMCP_BENCH_DSN, then $DATABASE_URL, then libpq's defaults. Without
// --no-setup the schema (default "pgmcp_bench") is created when it does not hold N tables yet.
// With --no-setup it measures whatever the schema holds (e.g. --schema public on the demo).
#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "catalog/tool_catalog.h"
#include "database/catalog_reader.h"
#include "database/pg_handles.h"
#include "schema/introspect.h"

namespace {

using Clock = std::chrono::steady_clock;

using ConnPtr = pgmcp::database::PgConnPtr;
using ResultPtr = pgmcp::database::PgResultPtr;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

ConnPtr Connect(const std::string& dsn) {
  ConnPtr c(PQconnectdb(dsn.c_str()));
  if (PQstatus(c.get()) != CONNECTION_OK) {
    std::fprintf(stderr, "introspect_benchmark: cannot connect: %s", PQerrorMessage(c.get()));
    std::exit(1);
  }
  return c;
}

void Exec(PGconn* c, const std::string& sql) {
  ResultPtr r(PQexec(c, sql.c_str()));
  auto st = PQresultStatus(r.get());
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    std::fprintf(stderr, "introspect_benchmark: setup failed: %s", PQerrorMessage(c));
    std::exit(1);
  }
}

int CountTables(PGconn* c, const std::string& schema_name) {
  const char* values[] = {schema_name.c_str()};
  ResultPtr r(PQexecParams(c,
                           "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                           "WHERE n.nspname = $1 AND c.relkind = 'r'",
                           1, nullptr, values, nullptr, nullptr, 0));
  if (PQresultStatus(r.get()) != PGRES_TUPLES_OK) return 0;
  return std::atoi(PQgetvalue(r.get(), 0, 0));
}

// 20 columns of the usual mix: a key, a foreign key to an earlier table, an enum, a CHECK list,
// text, numbers, dates, json, an array; comments on a few.
void CreateSchema(PGconn* c, const std::string& schema_name, int tables) {
  std::printf("creating %d tables x 20 columns in schema %s ...\n", tables, schema_name.c_str());
  std::string q = "\"" + schema_name + "\"";
  Exec(c, "DROP SCHEMA IF EXISTS " + q + " CASCADE; CREATE SCHEMA " + q + ";");
  Exec(c, "CREATE TYPE " + q + ".status AS ENUM ('new', 'active', 'closed');");
  std::string sql = "BEGIN;";
  for (int i = 0; i < tables; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "t%04d", i);
    std::string t = q + "." + name;
    sql += "CREATE TABLE " + t + " (id bigint PRIMARY KEY, ";
    if (i > 0) {
      char parent[32];
      std::snprintf(parent, sizeof parent, "t%04d", i / 2);
      sql += "parent_id bigint REFERENCES " + q + "." + parent + " (id), ";
    } else {
      sql += "parent_id bigint, ";
    }
    sql += "status " + q + ".status NOT NULL, kind text CHECK (kind IN ('a', 'b', 'c')), "
           "name text NOT NULL, description text, amount numeric(12,2), quantity integer, ratio double precision, "
           "created_at timestamptz NOT NULL, updated_at timestamptz, due_on date, active boolean, "
           "tags text[], payload jsonb, external_ref uuid, code varchar(20), score smallint, "
           "notes text, owner_email text);";
    sql += "COMMENT ON TABLE " + t + " IS 'Generated table number " + std::to_string(i) + ".';";
    sql += "COMMENT ON COLUMN " + t + ".amount IS 'Amount in EUR.';";
    if (sql.size() > 1 << 20) {
      Exec(c, sql);
      sql.clear();
    }
  }
  sql += "COMMIT;";
  Exec(c, sql);
  Exec(c, "ANALYZE;");
}

}  // namespace

int main(int argc, char** argv) {
  std::string dsn;
  if (const char* e = std::getenv("PGMCP_BENCH_DSN")) dsn = e;
  else if (const char* d = std::getenv("DATABASE_URL")) dsn = d;
  std::string schema_name = "pgmcp_bench";
  int tables = 1000;
  int iterations = 5;
  bool setup = true;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--schema" && i + 1 < argc) schema_name = argv[++i];
    else if (a == "--tables" && i + 1 < argc) tables = std::atoi(argv[++i]);
    else if (a == "--iterations" && i + 1 < argc) iterations = std::max(1, std::atoi(argv[++i]));
    else if (a == "--no-setup") setup = false;
    else if (a == "--help") {
      std::printf("usage: introspect_benchmark [DSN] [--schema NAME] [--tables N] [--iterations N] [--no-setup]\n");
      return 0;
    } else dsn = a;
  }

  if (setup) {
    auto c = Connect(dsn);
    if (CountTables(c.get(), schema_name) != tables) CreateSchema(c.get(), schema_name, tables);
  }

  pgmcp::config::Settings settings;
  settings.schemas = {schema_name};
  pgmcp::query::QueryOptions options;
  options.limits = settings.limits;

  std::vector<double> totals;
  size_t tools = 0;
  size_t bytes = 0;
  size_t description_bytes = 0;
  for (int it = 0; it < iterations; ++it) {
    auto t0 = Clock::now();
    // The server's own path: the blocking CatalogReader, then introspection.
    auto conn = pgmcp::database::ConnectCatalogReader(dsn, Clock::now() + std::chrono::seconds(30));
    if (!conn.ok()) {
      std::fprintf(stderr, "introspect_benchmark: %s\n", conn.error().message.c_str());
      return 1;
    }
    auto t1 = Clock::now();
    auto snapshot = pgmcp::schema::Introspect(**conn, settings);
    if (!snapshot.ok()) {
      std::fprintf(stderr, "introspect_benchmark: %s (%s)\n", snapshot.error().message.c_str(),
                   snapshot.error().code.c_str());
      return 1;
    }
    auto t2 = Clock::now();
    pgmcp::catalog::CatalogOptions per_table;  // the cost measured is that of one tool per table
    per_table.tool_mode = pgmcp::config::ToolMode::kPerTable;
    auto catalog = pgmcp::catalog::BuildToolCatalog(*snapshot, options, per_table);
    auto t3 = Clock::now();
    tools = snapshot->tables.size();
    bytes = catalog.tools_list->size();
    description_bytes = 0;
    for (const auto& t : snapshot->tables) description_bytes += t.description.size();
    std::printf("run %d: connect %.1f ms, introspect %.1f ms, tools/list %.1f ms, total %.1f ms\n", it + 1,
                Ms(t1 - t0), Ms(t2 - t1), Ms(t3 - t2), Ms(t3 - t0));
    totals.push_back(Ms(t3 - t0));
  }
  std::sort(totals.begin(), totals.end());
  std::printf("tools: %zu; connection to ready tools/list: min %.1f ms, median %.1f ms\n", tools, totals.front(),
              totals[totals.size() / 2]);
  std::printf("tools/list: %zu chars (~%zu tokens at 4 chars/token); descriptions: %zu chars total, %.0f per tool\n",
              bytes, bytes / 4, description_bytes, tools ? static_cast<double>(description_bytes) / tools : 0.0);
  return 0;
}

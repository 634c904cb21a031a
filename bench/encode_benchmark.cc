// Encode benchmark: is it faster to build the result JSON in C++ from a text-format result
// (EncodeRows) or to let PostgreSQL build it (json_agg of the same SELECT)? 1,000 rows of mixed
// types, same connection, same settings. DSN from argv or $PGMCP_BENCH_DSN; --rounds N (default 200).
#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "database/pg_handles.h"
#include "query/query.h"

namespace {

using pgmcp::database::PgConnPtr;
using pgmcp::database::PgResultPtr;
using pgmcp::query::QueryOptions;
using pgmcp::schema::ColumnType;
using pgmcp::schema::TypeCategory;

PgResultPtr Exec(PGconn* c, const std::string& sql) {
  PgResultPtr r(PQexec(c, sql.c_str()));
  const auto st = PQresultStatus(r.get());
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    std::fprintf(stderr, "%s\n", PQerrorMessage(c));
    std::exit(1);
  }
  return r;
}

ColumnType Type(TypeCategory c, std::string cast, int16_t bytes = 0, bool array = false) {
  ColumnType t;
  t.category = c;
  t.cast_name = std::move(cast);
  t.sql_name = t.cast_name;
  t.int_bytes = bytes;
  t.is_array = array;
  return t;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const char* dsn = std::getenv("PGMCP_BENCH_DSN");
  int rounds = 200;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--rounds" && i + 1 < argc) rounds = std::max(1, std::atoi(argv[++i]));
    else dsn = argv[i];
  }
  if (dsn == nullptr) {
    std::fprintf(stderr, "usage: encode_benchmark [--rounds N] DSN (or set PGMCP_BENCH_DSN)\n");
    return 2;
  }
  PgConnPtr owner(PQconnectdb(dsn));
  PGconn* conn = owner.get();
  if (PQstatus(conn) != CONNECTION_OK) {
    std::fprintf(stderr, "%s", PQerrorMessage(conn));
    return 1;
  }
  Exec(conn, "SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'iso_8601'; SET extra_float_digits = 1; SET TimeZone = 'UTC'");
  Exec(conn,
               "CREATE TEMP TABLE bench AS SELECT g AS id, 'customer ' || g || ' \"quoted\" é' AS name, "
               "(g * 12.34)::numeric(12,2) AS amount, g / 7.0::float8 AS score, g % 2 = 0 AS paid, "
               "timestamptz '2026-01-01' + g * interval '37 minutes' AS created_at, date '2026-01-01' + g AS due, "
               "gen_random_uuid() AS ref, jsonb_build_object('tier', 'gold', 'n', g) AS meta, "
               "ARRAY['vip', 'east ' || g] AS tags, repeat('lorem ipsum ', 8) AS notes "
               "FROM generate_series(1, 1000) g");

  QueryOptions options;
  options.limits.max_result_bytes = 64 << 20;
  pgmcp::query::SqlQuery query;
  query.sql = "SELECT id, name, amount, score, paid, created_at, due, ref, meta, tags, notes FROM bench ORDER BY id LIMIT 1001";
  query.limit = 1000;
  query.columns = {{"id", Type(TypeCategory::kInteger, "integer", 4)},
                   {"name", Type(TypeCategory::kText, "text")},
                   {"amount", Type(TypeCategory::kNumeric, "numeric")},
                   {"score", Type(TypeCategory::kFloat, "double precision")},
                   {"paid", Type(TypeCategory::kBoolean, "boolean")},
                   {"created_at", Type(TypeCategory::kTimestamptz, "timestamptz")},
                   {"due", Type(TypeCategory::kDate, "date")},
                   {"ref", Type(TypeCategory::kUuid, "uuid")},
                   {"meta", Type(TypeCategory::kJson, "jsonb")},
                   {"tags", Type(TypeCategory::kText, "text", 0, true)},
                   {"notes", Type(TypeCategory::kText, "text")}};
  // The same document built by PostgreSQL: rows as arrays, then wrapped like EncodeRows does.
  const std::string agg_sql =
      "SELECT coalesce(json_agg(json_build_array(id, name, amount, score, paid, created_at, due, ref, meta, tags, notes)), '[]') "
      "FROM (" + query.sql + ") s";

  std::vector<double> cpp_total, cpp_encode, pg_total;
  size_t cpp_bytes = 0, pg_bytes = 0;
  for (int round = 0; round < rounds + 10; ++round) {
    auto t0 = std::chrono::steady_clock::now();
    // Rows over the result, as the server's RunReadOnly hands it to EncodeRows.
    pgmcp::database::Rows r = pgmcp::database::RowsFromResult(Exec(conn, query.sql));
    auto t1 = std::chrono::steady_clock::now();
    const auto encoded = pgmcp::query::EncodeRows(r, query, options);
    auto t2 = std::chrono::steady_clock::now();
    cpp_bytes = encoded.json.size();

    auto t3 = std::chrono::steady_clock::now();
    PgResultPtr a = Exec(conn, agg_sql);
    std::string doc = "{\"columns\":[\"id\",\"name\",\"amount\",\"score\",\"paid\",\"created_at\",\"due\",\"ref\",\"meta\",\"tags\",\"notes\"],\"rows\":";
    doc.append(PQgetvalue(a.get(), 0, 0), PQgetlength(a.get(), 0, 0));
    doc.append(",\"row_count\":1000,\"truncated\":false}");
    auto t4 = std::chrono::steady_clock::now();
    pg_bytes = doc.size();
    if (round < 10) continue;  // warm-up
    cpp_total.push_back(std::chrono::duration<double, std::micro>(t2 - t0).count());
    cpp_encode.push_back(std::chrono::duration<double, std::micro>(t2 - t1).count());
    pg_total.push_back(std::chrono::duration<double, std::micro>(t4 - t3).count());
  }
  std::printf("1000 rows x 11 mixed columns, median of %d rounds\n", rounds);
  std::printf("C++ EncodeRows:  query+encode %.0f us (encode alone %.0f us), %zu bytes\n", Median(cpp_total),
              Median(cpp_encode), cpp_bytes);
  std::printf("PostgreSQL json_agg: query+wrap %.0f us, %zu bytes (no text cap, no sanitising, no byte cap)\n",
              Median(pg_total), pg_bytes);
  return 0;
}

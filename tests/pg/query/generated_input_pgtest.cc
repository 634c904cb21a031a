// Generated input: thousands of random argument objects (valid and invalid, hostile strings,
// random column and operator names, paths along foreign keys on the shop tables). The builder must never crash; every query it builds must
// run on PostgreSQL; no caller string may appear in the SQL text; the encoded result must be JSON.
// PGMCP_FUZZ_SEED and PGMCP_FUZZ_ITERATIONS (default 50000) reproduce or widen a run.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <random>

#include "pg/query/query_pg_support.h"
#include "schema/relationships.h"

namespace pgmcp::query {
namespace {

namespace json = boost::json;
using schema::TypeCategory;
using testing::QueryDatabase;

// Every string a generated value can hold carries this marker, so finding it in SQL text means
// a value leaked into the statement.
constexpr std::string_view kMarker = "~zq";

class Generator {
 public:
  Generator(uint64_t seed, const schema::SchemaSnapshot& snapshot) : rng_(seed), snapshot_(snapshot) {}

  json::value Arguments(const schema::Table& table) {
    json::object args;
    if (Chance(0.7)) args["where"] = Where(table);
    if (Chance(0.3)) args["select"] = ColumnList(table);
    if (Chance(0.3)) args["order_by"] = OrderBy(table);
    if (Chance(0.3)) args["limit"] = Chance(0.8) ? json::value(Int(0, 1100)) : AnyValue(nullptr);
    if (Chance(0.2)) args["offset"] = Chance(0.8) ? json::value(Int(-2, 200)) : AnyValue(nullptr);
    if (Chance(0.25)) args["group_by"] = GroupBy(table);
    if (Chance(0.3)) args["aggregates"] = Aggregates(table);
    if (Chance(0.03)) args[HostileString()] = 1;
    if (Chance(0.02)) return AnyValue(nullptr);
    return args;
  }

 private:
  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  int64_t Int(int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng_); }
  template <typename T>
  const T& Pick(const std::vector<T>& items) {
    return items[static_cast<size_t>(Int(0, static_cast<int64_t>(items.size()) - 1))];
  }

  std::string HostileString() {
    static const std::vector<std::string> kPieces = {
        "'", "\"", "''", "\\", "%", "_", "'; DROP TABLE orders; --", "$1", "::text", "/*", "*/", "\n", "\t",
        std::string("a\0b", 3), "𝕏", "\u202e", "\u200b", "é", "客户", "😀", "{", "}", ",", "NULL", "<->", "!", "&", "|",
        ":*", "(", ")", " ", "\x1b[31m", "E'", "$$", "--", ";", "\\x00"};
    std::string s(kMarker);
    const int n = static_cast<int>(Int(0, 6));
    for (int i = 0; i < n; ++i) s += Pick(kPieces);
    if (Chance(0.02)) s += std::string(static_cast<size_t>(Int(1000, 20000)), 'x');
    return s;
  }

  // The paths of `table` one and two keys deep, with the column each ends at.
  std::vector<std::pair<std::string, const schema::Column*>> Paths(const schema::Table& table) const {
    std::vector<std::pair<std::string, const schema::Column*>> out;
    for (const auto& key : schema::FollowableKeys(snapshot_, table)) {
      for (const auto& c : key.parent->columns) out.emplace_back(key.column->name + "." + c.name, &c);
      for (const auto& next : schema::FollowableKeys(snapshot_, *key.parent)) {
        if (next.parent == &table) continue;
        for (const auto& c : next.parent->columns) {
          out.emplace_back(key.column->name + "." + next.column->name + "." + c.name, &c);
        }
      }
    }
    return out;
  }

  const schema::Column* Lookup(const schema::Table& table, const std::string& name) const {
    if (const schema::Column* c = table.FindColumn(name)) return c;
    for (const auto& [path, c] : Paths(table)) {
      if (path == name) return c;
    }
    return nullptr;
  }

  std::string ColumnName(const schema::Table& table) {
    if (Chance(0.4)) {
      const auto paths = Paths(table);
      if (!paths.empty()) return Pick(paths).first + (Chance(0.1) ? "." + HostileString() : "");
    }
    if (Chance(0.85)) return Pick(table.columns).name;
    static const std::vector<std::string> kNames = {"api_token", "password", "", "ID", "id ", "count", "sum_amount"};
    return Chance(0.5) ? Pick(kNames) : HostileString();
  }

  // A value that is usually valid for the column's type, sometimes anything at all.
  json::value ValueFor(const schema::Column& c) {
    if (Chance(0.25)) return AnyValue(&c);
    switch (c.type.category) {
      case TypeCategory::kBoolean: return Chance(0.5);
      case TypeCategory::kInteger:
        return Chance(0.8) ? json::value(Int(-40000, 40000)) : json::value(std::to_string(Int(-5, 5)));
      case TypeCategory::kNumeric:
      case TypeCategory::kFloat:
        return Chance(0.5) ? json::value(Int(-1000, 50000) / 7.0) : json::value(std::to_string(Int(-100, 100)) + ".25");
      case TypeCategory::kEnum: return json::value(Pick(c.allowed_values));
      case TypeCategory::kUuid: return json::value("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1" + std::to_string(Int(0, 9)));
      case TypeCategory::kDate: return json::value("2026-0" + std::to_string(Int(1, 9)) + "-1" + std::to_string(Int(0, 9)));
      case TypeCategory::kTimestamp:
      case TypeCategory::kTimestamptz: {
        static const std::vector<std::string> kTimes = {"2026-01-05", "2026-01-05T10:00:00Z", "2026-02-03 12:00:00+05:30",
                                                        "2026-03-31T23:59:59.5", "2026-04-01T00:00-08"};
        return json::value(Pick(kTimes));
      }
      case TypeCategory::kTime: return Chance(0.5) ? "08:30" : "23:59:59.25";
      case TypeCategory::kInterval: return Chance(0.5) ? "P1D" : "PT1H30M";
      default: return json::value(HostileString());
    }
  }

  json::value AnyValue(const schema::Column* c) {
    switch (Int(0, 9)) {
      case 0: return nullptr;
      case 1: return Chance(0.5);
      case 2: return Int(INT64_MIN / 2, INT64_MAX / 2);
      case 3: return std::uniform_real_distribution<double>(-1e300, 1e300)(rng_);
      case 4: return json::array{json::value(HostileString()), 1};
      case 5: return json::object{{HostileString(), json::value(HostileString())}};
      case 6: return json::value(std::to_string(Int(-99999, 99999)) + std::string(kMarker));
      case 7: return c != nullptr && !c->allowed_values.empty() ? json::value(Pick(c->allowed_values) + std::string(kMarker)) : json::value(HostileString());
      default: return json::value(HostileString());
    }
  }

  json::value Condition(const schema::Table& table, const schema::Column* c) {
    if (c == nullptr || Chance(0.15)) return AnyValue(c);
    if (Chance(0.2)) return ValueFor(*c);  // bare literal
    static const std::vector<std::string> kOps = {"eq", "neq", "in", "not_in", "gt", "gte", "lt", "lte", "is_null",
                                                  "contains", "starts_with", "ends_with", "search"};
    json::object cond;
    const int n = static_cast<int>(Int(Chance(0.05) ? 0 : 1, 3));
    for (int i = 0; i < n; ++i) {
      std::string op = Chance(0.93) ? Pick(kOps) : HostileString();
      if (op == "in" || op == "not_in") {
        json::array list;
        const int count = static_cast<int>(Chance(0.02) ? Int(990, 1010) : Int(0, 5));
        for (int k = 0; k < count; ++k) list.push_back(ValueFor(*c));
        cond[op] = std::move(list);
      } else if (op == "is_null") {
        cond[op] = Chance(0.9) ? json::value(Chance(0.5)) : AnyValue(c);
      } else if (op == "contains" || op == "starts_with" || op == "ends_with" || op == "search") {
        if (c->type.is_array && Chance(0.5)) {
          cond[op] = json::array{ValueFor(*c), ValueFor(*c)};
        } else {
          cond[op] = Chance(0.8) ? json::value(HostileString()) : ValueFor(*c);
        }
      } else {
        cond[op] = ValueFor(*c);
      }
    }
    (void)table;
    return cond;
  }

  json::value Where(const schema::Table& table) {
    if (Chance(0.03)) return AnyValue(nullptr);
    json::object where;
    const int n = static_cast<int>(Int(0, 4));
    for (int i = 0; i < n; ++i) {
      const std::string name = ColumnName(table);
      where[name] = Condition(table, Lookup(table, name));
    }
    return where;
  }

  json::value ColumnList(const schema::Table& table) {
    if (Chance(0.05)) return AnyValue(nullptr);
    json::array list;
    const int n = static_cast<int>(Int(0, 5));
    for (int i = 0; i < n; ++i) list.emplace_back(ColumnName(table));
    return list;
  }

  json::value OrderBy(const schema::Table& table) {
    json::array list;
    const int n = static_cast<int>(Int(0, 3));
    for (int i = 0; i < n; ++i) {
      json::object item;
      item["column"] = Chance(0.7) ? json::value(ColumnName(table))
                                   : json::value(Pick(std::vector<std::string>{"count", "sum_amount", "avg_score", "min_created_at"}));
      if (Chance(0.6)) item["direction"] = Chance(0.95) ? (Chance(0.5) ? "asc" : "desc") : "sideways";
      if (Chance(0.03)) item["nulls"] = "first";
      list.push_back(std::move(item));
    }
    return list;
  }

  json::value GroupBy(const schema::Table& table) {
    static const std::vector<std::string> kBuckets = {"hour", "day", "week", "month", "quarter", "year", "decade"};
    json::array list;
    const int n = static_cast<int>(Int(0, 3));
    for (int i = 0; i < n; ++i) {
      if (Chance(0.5)) {
        list.emplace_back(ColumnName(table));
      } else {
        list.push_back(json::object{{"column", ColumnName(table)}, {"bucket", Pick(kBuckets)}});
      }
    }
    return list;
  }

  json::value Aggregates(const schema::Table& table) {
    static const std::vector<std::string> kFns = {"count", "count_distinct", "sum", "avg", "min", "max", "median"};
    json::array list;
    const int n = static_cast<int>(Int(0, 3));
    for (int i = 0; i < n; ++i) {
      json::object item{{"fn", Pick(kFns)}};
      if (item["fn"] != "count" || Chance(0.1)) item["column"] = ColumnName(table);
      list.push_back(std::move(item));
    }
    return list;
  }

  std::mt19937_64 rng_;
  const schema::SchemaSnapshot& snapshot_;
};

// Outside the bucket units of date_trunc, the SQL has no string literal at all.
bool HasOnlyBucketLiterals(std::string sql) {
  for (const char* unit : {"'hour'", "'day'", "'week'", "'month'", "'quarter'", "'year'"}) {
    const std::string needle = std::string("date_trunc(") + unit;
    for (size_t pos = sql.find(needle); pos != std::string::npos; pos = sql.find(needle)) sql.erase(pos, needle.size());
  }
  return sql.find('\'') == std::string::npos;
}

TEST(GeneratedInputPg, BuilderNeverCrashesAndEverythingItBuildsRuns) {
  QueryDatabase db;
  const uint64_t seed = std::getenv("PGMCP_FUZZ_SEED") != nullptr ? std::strtoull(std::getenv("PGMCP_FUZZ_SEED"), nullptr, 10)
                                                                  : std::random_device{}();
  const int iterations = std::getenv("PGMCP_FUZZ_ITERATIONS") != nullptr ? std::atoi(std::getenv("PGMCP_FUZZ_ITERATIONS")) : 50000;
  SCOPED_TRACE("PGMCP_FUZZ_SEED=" + std::to_string(seed));
  const schema::SchemaSnapshot snapshot = testing::FixtureSnapshot();
  Generator gen(seed, snapshot);
  const schema::Table* tables[] = {testing::FixtureTable(snapshot, "orders"), testing::FixtureTable(snapshot, "events"),
                                   testing::FixtureTable(snapshot, "shop.orders"),
                                   testing::FixtureTable(snapshot, "shop.order_items")};
  QueryOptions options;
  options.limits.max_text_chars = 50;
  int built = 0, rejected = 0, joined = 0, failures = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < iterations && failures < 5; ++i) {
    const int pick = i % 10;  // mostly orders (every type), some events (no key), some paths
    const schema::Table& table = *tables[pick == 0 ? 1 : pick == 3 ? 2 : pick == 7 ? 3 : 0];
    const json::value args = gen.Arguments(table);
    const auto q = BuildQuery(snapshot, table, args, options);
    if (!q.ok()) {
      ++rejected;
      const auto& message = q.error().message;
      if (q.error().kind != ErrorKind::kInvalidArgument || message.empty() || message.find("SELECT") != std::string::npos ||
          message.find('\0') != std::string::npos) {
        ADD_FAILURE() << "bad error for " << json::serialize(args) << ": " << message;
        ++failures;
      }
      continue;
    }
    ++built;
    if (q->sql.find(" LEFT JOIN ") != std::string::npos) ++joined;
    if (q->sql.find(kMarker) != std::string::npos || !HasOnlyBucketLiterals(q->sql) ||
        q->sql.find('\0') != std::string::npos) {
      ADD_FAILURE() << "caller text in SQL: " << q->sql;
      ++failures;
      continue;
    }
    std::string error;
    auto r = db.Execute(q.value(), &error);
    if (r == nullptr) {
      ADD_FAILURE() << error << "SQL: " << q->sql << "\nargs: " << json::serialize(args).substr(0, 2000);
      ++failures;
      continue;
    }
    const EncodedRows rows = EncodeRows(r.get(), q.value(), options);
    json::error_code ec;
    json::parse(rows.json, ec);
    if (ec) {
      ADD_FAILURE() << "EncodeRows produced invalid JSON for " << q->sql << ": " << rows.json.substr(0, 500);
      ++failures;
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "generated inputs: " << iterations << " (" << built << " built and run, " << joined
            << " of them with paths, " << rejected << " rejected) in " << seconds << " s, seed " << seed << "\n";
  EXPECT_GT(built, iterations / 10);
  EXPECT_GT(rejected, iterations / 10);
  EXPECT_GT(joined, iterations / 200);
}

}  // namespace
}  // namespace pgmcp::query

// EncodeRows against real PostgreSQL output: every type's JSON form, the row and byte caps, text
// cutting, time zones and the special float/numeric values.
#include <gtest/gtest.h>

#include "pg/query/query_pg_support.h"

namespace pgmcp::query {
namespace {

using testing::QueryDatabase;

std::string Encode(const QueryDatabase& db, const std::string& args, const QueryOptions& options = {}) {
  const schema::SchemaSnapshot snapshot = testing::FixtureSnapshot();
  const schema::Table& orders = *testing::FixtureTable(snapshot, "orders");
  const auto built = BuildQuery(snapshot, orders, boost::json::parse(args), options);
  EXPECT_TRUE(built.ok()) << (built.ok() ? "" : built.error().message);
  if (!built.ok()) return "";
  std::string error;
  auto r = db.Execute(built.value(), &error);
  EXPECT_NE(r, nullptr) << error;
  if (r == nullptr) return "";
  return EncodeRows(r.get(), built.value(), options).json;
}

// Encodes an arbitrary SELECT whose result columns have the given types.
std::string EncodeSql(const QueryDatabase& db, const std::string& sql, std::vector<OutputColumn> columns,
                      const QueryOptions& options = {}) {
  auto r = db.ExecuteSql(sql);
  if (r == nullptr) return "";
  SqlQuery q;
  q.columns = std::move(columns);
  q.limit = 1000;
  return EncodeRows(r.get(), q, options).json;
}

schema::ColumnType T(schema::TypeCategory c, uint32_t oid = 0, bool is_array = false) {
  schema::ColumnType t;
  t.category = c;
  t.oid = oid;
  t.is_array = is_array;
  return t;
}

TEST(EncodeRowsPg, EveryFixtureTypeOfOneRow) {
  QueryDatabase db;
  EXPECT_EQ(Encode(db, R"({"where":{"id":1}})"),
            R"({"columns":["id","customer","status","amount","created_at","due_date","paid","ref","meta","tags","qty","big","score","ratio","shipped_at","lead_time","ship_time","notes","doc","photo","scores","code","Weird \"Name\""],)"
            R"("rows":[[1,"Acme Corp","paid",1200.00,"2026-01-05T10:00:00Z","2026-02-01",true,"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",)"
            R"({"n":1,"tier":"gold"},["vip","east coast"],3,9007199254740993,1.5,0.25,"2026-01-06T08:30:00","P1DT2H","08:30:00",)"
            R"("Refund delayed because of a shipping problem",{"a":[1,2]},"AP8Q",[1,2,3],"A-100","x"]],"row_count":1,"truncated":false})");
}

TEST(EncodeRowsPg, NullsEmptyArraysAndEscapes) {
  QueryDatabase db;
  EXPECT_EQ(Encode(db, R"({"select":["id","customer","tags","scores","photo","doc","amount","meta"],"where":{"id":{"in":[2,4,5]}}})"),
            R"({"columns":["id","customer","tags","scores","photo","doc","amount","meta"],"rows":[)"
            R"([2,"acme labs",["east"],[],"",[],99.95,{"tier":"silver"}],)"
            R"([4,"Initech",null,[4,null],null,{"b":null},null,{"n":2,"tier":"gold"}],)"
            R"([5,"Umbrella \"Intl\"",["west","vip"],[5],"3q2+7w==",{"c":"d"},310.10,{"tier":"bronze"}]],"row_count":3,"truncated":false})");
}

TEST(EncodeRowsPg, LimitPlusOneSetsTruncated) {
  QueryDatabase db;
  EXPECT_EQ(Encode(db, R"({"select":["id"],"limit":2})"),
            R"({"columns":["id"],"rows":[[1],[2]],"row_count":2,"truncated":true})");
  EXPECT_EQ(Encode(db, R"({"select":["id"],"limit":6})"),
            R"({"columns":["id"],"rows":[[1],[2],[3],[4],[5],[6]],"row_count":6,"truncated":false})");
}

TEST(EncodeRowsPg, ByteCapCutsAtARowBoundary) {
  QueryDatabase db;
  QueryOptions options;
  options.limits.max_result_bytes = 120;
  const std::string json = Encode(db, R"({"select":["id","customer"]})", options);
  EXPECT_LE(json.size(), 120U);
  EXPECT_EQ(json, R"({"columns":["id","customer"],"rows":[[1,"Acme Corp"]],"row_count":1,"truncated":true})");
  options.limits.max_result_bytes = 10;  // not even one row fits
  EXPECT_EQ(Encode(db, R"({"select":["id"]})", options), R"({"columns":["id"],"rows":[],"row_count":0,"truncated":true})");
}

TEST(EncodeRowsPg, LongTextIsCutInCodePointsWithMarker) {
  QueryDatabase db;
  QueryOptions options;
  options.limits.max_text_chars = 5;
  EXPECT_EQ(Encode(db, R"({"select":["customer","tags"],"where":{"id":{"in":[1,3]}}})", options),
            R"({"columns":["customer","tags"],"rows":[["Acme …[truncated]",["vip","east …[truncated]"]],["Globe…[truncated]",[]]],"row_count":2,"truncated":false})");
  EXPECT_EQ(EncodeSql(db, "SELECT 'äöü€😀x'::text, 'äöü€😀'::text", {{"a", T(schema::TypeCategory::kText)}, {"b", T(schema::TypeCategory::kText)}}, options),
            R"({"columns":["a","b"],"rows":[["äöü€😀…[truncated]","äöü€😀"]],"row_count":1,"truncated":false})");
}

TEST(EncodeRowsPg, TimestamptzUsesOffsetOutsideUtc) {
  QueryDatabase db("Asia/Kolkata");
  EXPECT_EQ(Encode(db, R"({"select":["created_at","shipped_at"],"where":{"id":5}})"),
            R"({"columns":["created_at","shipped_at"],"rows":[["2026-04-01T05:29:59.5+05:30","2026-04-01T00:00:00"]],"row_count":1,"truncated":false})");
  QueryDatabase ny("America/New_York");
  EXPECT_EQ(Encode(ny, R"({"select":["created_at"],"where":{"id":1}})"),
            R"({"columns":["created_at"],"rows":[["2026-01-05T05:00:00-05:00"]],"row_count":1,"truncated":false})");
}

TEST(EncodeRowsPg, SpecialNumbersAndOtherTypes) {
  QueryDatabase db;
  using C = schema::TypeCategory;
  EXPECT_EQ(EncodeSql(db,
                      "SELECT 'NaN'::numeric, '-Infinity'::float8, 'Infinity'::float4, 123456789012345678901234567890.123456789::numeric, "
                      "1e-7::float8, 1e20::float8, 'infinity'::timestamptz, interval '1 year 2 months 3 days 04:05:06.5', "
                      "'{{1,2},{3,NULL}}'::int[], ARRAY['a\"b','c\\d',NULL,'NULL',' sp ']::text[], "
                      "ARRAY['2026-01-01 10:00:00+00'::timestamptz], ARRAY[true,false], '[1:2]={7,8}'::int[], "
                      "ARRAY['{\"k\":1}'::jsonb], '\\x'::bytea",
                      {{"nan", T(C::kNumeric)},
                       {"ninf", T(C::kFloat)},
                       {"inf", T(C::kFloat)},
                       {"big", T(C::kNumeric)},
                       {"small", T(C::kFloat)},
                       {"large", T(C::kFloat)},
                       {"ts", T(C::kTimestamptz)},
                       {"iv", T(C::kInterval)},
                       {"matrix", T(C::kInteger, 0, true)},
                       {"texts", T(C::kText, 0, true)},
                       {"tss", T(C::kTimestamptz, 0, true)},
                       {"bools", T(C::kBoolean, 0, true)},
                       {"bounded", T(C::kInteger, 0, true)},
                       {"jsons", T(C::kJson, 3802, true)},
                       {"empty", T(C::kBytea)}}),
            R"({"columns":["nan","ninf","inf","big","small","large","ts","iv","matrix","texts","tss","bools","bounded","jsons","empty"],"rows":[[)"
            R"("NaN","-Infinity","Infinity",123456789012345678901234567890.123456789,1e-07,1e+20,"infinity","P1Y2M3DT4H5M6.5S",)"
            R"([[1,2],[3,null]],["a\"b","c\\d",null,"NULL"," sp "],["2026-01-01T10:00:00Z"],[true,false],[7,8],[{"k":1}],""]],"row_count":1,"truncated":false})");
}

// json keeps its text and jsonb its numeric digits: a number beyond a double's range or precision
// comes out as PostgreSQL wrote it, never as "Infinity" (not JSON) or rounded; duplicate keys of a
// json value stay; the document comes out compact and its strings sanitised.
TEST(EncodeRowsPg, JsonNumbersKeepEveryDigit) {
  QueryDatabase db;
  using C = schema::TypeCategory;
  const std::string doc = R"({"big": 7e1153, "precise": 0.1000000000000000055511151231257827, )"
                          R"("huge": 12345678901234567890123, "neg": -0, "k": 1, "k": 2, "s": "a\u001b[31mb"} )";
  const std::string json = EncodeSql(db, "SELECT '" + doc + "'::json, '" + doc + "'::jsonb",
                                     {{"j", T(C::kJson, 114)}, {"jb", T(C::kJson, 3802)}});
  const std::string zeros(1153, '0');
  EXPECT_EQ(json, R"({"columns":["j","jb"],"rows":[[)"
                  R"({"big":7e1153,"precise":0.1000000000000000055511151231257827,"huge":12345678901234567890123,"neg":-0,"k":1,"k":2,"s":"ab"},)"
                  R"({"k":2,"s":"ab","big":7)" + zeros + R"(,"neg":0,"huge":12345678901234567890123,"precise":0.1000000000000000055511151231257827})"
                  R"(]],"row_count":1,"truncated":false})");
  boost::json::error_code ec;
  (void)boost::json::parse(json, ec);
  EXPECT_FALSE(ec) << ec.message();
}

TEST(EncodeRowsPg, AggregateResultsKeepTheirTypes) {
  QueryDatabase db;
  EXPECT_EQ(Encode(db, R"({"group_by":[{"column":"created_at","bucket":"month"},{"column":"due_date","bucket":"year"}],"aggregates":[{"fn":"count"},{"fn":"sum","column":"amount"},{"fn":"avg","column":"score"},{"fn":"sum","column":"lead_time"}],"limit":2})"),
            R"({"columns":["created_at","due_date","count","sum_amount","avg_score","sum_lead_time"],"rows":[)"
            R"(["2026-01-01T00:00:00Z","2026-01-01",2,1299.95,-0.375,"P1DT2H30M"],["2026-02-01T00:00:00Z","2026-01-01",1,45000.50,null,null]],"row_count":2,"truncated":true})");
}

}  // namespace
}  // namespace pgmcp::query

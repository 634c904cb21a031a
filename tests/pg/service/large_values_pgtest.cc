// Bounded memory (docs/security.md, "Bounded memory") through the whole pipeline: each type class
// whose text form is unbounded is cut in the database and marked by the encoder as
// docs/reference.md, "Results", says; values at their limit are untouched; grouping and sorting
// still use the stored values; and a result cut by max_result_bytes drops the rest of the rows
// while the connection goes back to the pool idle.
#include "service_pg_support.h"

namespace pgmcp::service {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace): the suite's own helpers

constexpr std::string_view kMarker = "…[truncated]";
constexpr int kMaxTextChars = 20;
constexpr int kMaxResultBytes = 4096;

std::string Repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

class LargeValues : public ::testing::Test {
 protected:
  void SetUp() override {
    if (db_ == nullptr) {
      logging::SetLevel(config::LogLevel::kError);
      db_ = MakeDemoDatabase(R"sql(
        CREATE TABLE large_values (id int PRIMARY KEY, body text, pad character(8), blob bytea, doc jsonb,
                                   tags text[], numbers int[], note xml);
        INSERT INTO large_values VALUES
          -- every value one past its limit
          (1, repeat('é', 21), 'ab', decode(repeat('ab', 16), 'hex'), jsonb_build_object('k', repeat('y', 30)),
           ARRAY['short', repeat('z', 30)], (SELECT array_agg(1000 + i) FROM generate_series(1, 1000) AS i),
           xmlelement(name n, repeat('q', 30))),
          -- every value at its limit: 20 code points; 15 bytes are 20 base64 characters; a
          -- document whose text is 20 characters; an array of 2,401 characters (one at 4,096
          -- could not fit in a result of 4,096 bytes anyway)
          (2, repeat('é', 20), 'abcdefgh', decode(repeat('cd', 15), 'hex'), '{"k": "yyyyyyyyyyy"}',
           ARRAY[repeat('z', 20)], (SELECT array_agg(10000 + i) FROM generate_series(1, 400) AS i), NULL);
        CREATE TABLE shared_prefixes (id int PRIMARY KEY, body text);
        INSERT INTO shared_prefixes
          SELECT i, repeat('p', 30) || (i % 2) FROM generate_series(1, 10) AS i;
        GRANT SELECT ON large_values, shared_prefixes TO mcp_reader;
      )sql").release();
    }
  }
  static void TearDownTestSuite() {
    delete db_;
    db_ = nullptr;
  }
  static config::Settings Settings() {
    config::Settings s = ReaderSettings(*db_);
    s.limits.max_text_chars = kMaxTextChars;
    s.limits.max_result_bytes = kMaxResultBytes;
    s.security.sanitize_text = config::SanitizeMode::kOff;  // compare with the stored text as is
    return s;
  }
  static pgmcp::testing::TestDatabase* db_;
};
pgmcp::testing::TestDatabase* LargeValues::db_ = nullptr;

TEST_F(LargeValues, EveryTypeClassOverItsLimitIsCutAndAtItsLimitIsWhole) {
  ServiceHarness h(Settings());
  auto doc = Structured(h.Call("query_large_values", json::object{{"order_by", json::array{json::object{{"column", "id"}}}}}));
  // The result's columns keep their names, whatever the SQL sends.
  EXPECT_EQ(doc.at("columns"), json::parse(R"(["id","body","pad","blob","doc","tags","numbers","note"])"));
  const auto& rows = doc.at("rows").as_array();
  ASSERT_EQ(rows.size(), 2u);
  const auto& over = rows[0].as_array();
  EXPECT_EQ(over[1], json::value(Repeat("é", 20) + std::string(kMarker))) << "text: code points, then the marker";
  EXPECT_EQ(over[2], json::value("ab      ")) << "character(n) keeps its padding";
  // 16 bytes of 0xab are 24 base64 characters: the first 20, then the marker.
  EXPECT_EQ(over[3], json::value("q6urq6urq6urq6urq6ur" + std::string(kMarker))) << "bytea: its base64 text cut";
  EXPECT_EQ(over[4], json::value(kMarker)) << "json: a document that would be cut is the marker string";
  EXPECT_EQ(over[5], json::parse(R"(["short","zzzzzzzzzzzzzzzzzzzz…[truncated]"])")) << "array elements cut one by one";
  EXPECT_EQ(over[6], json::value(kMarker)) << "an array longer than max_result_bytes is the marker string";
  EXPECT_EQ(over[7], json::value("<n>qqqqqqqqqqqqqqqqq" + std::string(kMarker))) << "other types: their text form cut";

  const auto& at = rows[1].as_array();
  EXPECT_EQ(at[1], json::value(Repeat("é", 20)));
  EXPECT_EQ(at[2], json::value("abcdefgh"));
  EXPECT_EQ(at[3], json::value("zc3Nzc3Nzc3Nzc3Nzc3N"));
  EXPECT_EQ(at[4], json::parse(R"({"k":"yyyyyyyyyyy"})"));
  EXPECT_EQ(at[5], json::parse(R"(["zzzzzzzzzzzzzzzzzzzz"])"));
  ASSERT_TRUE(at[6].is_array()) << at[6];
  EXPECT_EQ(at[6].as_array().size(), 400u);
  EXPECT_TRUE(at[7].is_null());
  EXPECT_EQ(doc.at("truncated"), false);
}

TEST_F(LargeValues, MinAndMaxOfTextAreCutLikeTheColumn) {
  ServiceHarness h(Settings());
  auto doc = Structured(h.Call("query_large_values",
                               json::object{{"aggregates", json::array{json::object{{"fn", "max"}, {"column", "body"}}}}}));
  EXPECT_EQ(doc.at("rows").as_array()[0].as_array()[0], json::value(Repeat("é", 20) + std::string(kMarker)));
}

TEST_F(LargeValues, GroupingAndSortingUseTheStoredValues) {
  ServiceHarness h(Settings());
  // Ten values share their first 30 characters and end in 0 or 1: two groups, though each
  // shows the same cut text.
  auto groups = Structured(h.Call("query_shared_prefixes", json::object{{"group_by", json::array{"body"}},
                                                                     {"aggregates", json::array{json::object{{"fn", "count"}}}}}));
  const auto& rows = groups.at("rows").as_array();
  ASSERT_EQ(rows.size(), 2u) << groups;
  for (const auto& row : rows) {
    EXPECT_EQ(row.as_array()[0], json::value(Repeat("p", 20) + std::string(kMarker)));
    EXPECT_EQ(row.as_array()[1], 5);
  }
  // Sorted by the stored value: the five ending in 1 first, then the id breaks ties.
  auto sorted = Structured(h.Call("query_shared_prefixes",
                                  json::object{{"order_by", json::array{json::object{{"column", "body"}, {"direction", "desc"}}}},
                                               {"select", json::array{"id", "body"}}}));
  std::vector<int64_t> ids;
  for (const auto& row : sorted.at("rows").as_array()) ids.push_back(row.as_array()[0].as_int64());
  EXPECT_EQ(ids, (std::vector<int64_t>{1, 3, 5, 7, 9, 2, 4, 6, 8, 10}));
}

TEST_F(LargeValues, RowsPastMaxResultBytesAreDroppedAndTheConnectionIsIdleAgain) {
  auto s = Settings();
  s.limits.max_result_bytes = 1024;
  s.pool.max = 1;
  ServiceHarness h(s);
  // 2,000 orders: the result is full after a few rows; the rest are read and dropped.
  auto doc = Structured(h.Call("query_orders", json::object{{"limit", 1000}}));
  EXPECT_EQ(doc.at("truncated"), true);
  EXPECT_GT(doc.at("row_count").as_int64(), 0);
  EXPECT_LT(doc.at("row_count").as_int64(), 1000);
  EXPECT_EQ(h.pool().stats().idle, 1) << "the transaction ended cleanly and the connection was pooled";
  // The same connection serves the next call.
  auto next = Structured(h.Call("query_orders", json::object{{"limit", 1}, {"select", json::array{"id"}}}));
  EXPECT_EQ(next.at("row_count"), 1);
}

}  // namespace
}  // namespace pgmcp::service

// Sensitive columns (docs/security.md, "Sensitive columns") probed through every argument that
// names a column: the answer must
// be byte for byte the one for a column that does not exist, and the column must appear nowhere —
// not in tools/list, not in resources, not in results. Covers the default patterns (the demo's
// employees.password_hash and employees.api_token) and a custom exclude_columns pattern.
#include "service_pg_support.h"

namespace pgmcp::service {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace): the suite's own helpers

struct Hidden {
  std::string tool;
  std::string column;
};

// The demo's secrets (default patterns *.*password*, *.*token*) and a custom pattern written in
// another case than the column (patterns are case-insensitive, docs/reference.md, Configuration).
const Hidden kHidden[] = {
    {"query_employees", "password_hash"},
    {"query_employees", "api_token"},
    {"query_vendor_contracts", "internal_margin"},
    {"query_vendor_contracts", "internal_notes"},
};
constexpr std::string_view kDecoy = "no_such_column";

// Every argument that takes a column name, with `c` in it.
std::vector<std::pair<std::string, json::value>> Probes(const std::string& c) {
  using json::array;
  using json::object;
  return {
      {"where (bare value)", object{{"where", object{{c, "x"}}}}},
      {"where eq", object{{"where", object{{c, object{{"eq", "x"}}}}}}},
      {"where is_null", object{{"where", object{{c, object{{"is_null", false}}}}}}},
      {"where contains", object{{"where", object{{c, object{{"contains", "a"}}}}}}},
      {"where gt (number)", object{{"where", object{{c, object{{"gt", 0}}}}}}},
      {"select", object{{"select", array{"id", c}}}},
      {"order_by", object{{"order_by", array{object{{"column", c}, {"direction", "desc"}}}}}},
      {"group_by", object{{"group_by", array{c}}}},
      {"group_by with bucket", object{{"group_by", array{object{{"column", c}, {"bucket", "month"}}}}}},
      {"aggregate count_distinct", object{{"aggregates", array{object{{"fn", "count_distinct"}, {"column", c}}}}}},
      {"aggregate min", object{{"aggregates", array{object{{"fn", "min"}, {"column", c}}}}}},
      {"aggregate max", object{{"aggregates", array{object{{"fn", "max"}, {"column", c}}}}}},
      {"aggregate sum", object{{"aggregates", array{object{{"fn", "sum"}, {"column", c}}}}}},
      {"order_by an aggregate of it", object{{"aggregates", array{object{{"fn", "count"}}}},
                                             {"order_by", array{object{{"column", "max_" + c}}}}}},
  };
}

class SensitiveColumns : public ::testing::Test {
 protected:
  void SetUp() override {
    if (db_ == nullptr) {
      logging::SetLevel(config::LogLevel::kError);
      db_ = MakeDemoDatabase(
                "CREATE TABLE vendor_contracts (id integer PRIMARY KEY, vendor text NOT NULL, amount numeric NOT NULL, "
                "  internal_margin numeric NOT NULL, internal_notes text);"
                "COMMENT ON COLUMN vendor_contracts.internal_margin IS 'Our margin on the contract.';"
                "INSERT INTO vendor_contracts VALUES (1, 'Acme', 1000, 0.4242, 'zq-secret-note-1'), "
                "  (2, 'Globex', 2000, 0.1717, 'zq-secret-note-2');"
                "GRANT SELECT ON vendor_contracts TO mcp_reader;")
                .release();
    }
  }
  static void TearDownTestSuite() {
    delete db_;
    db_ = nullptr;
  }
  static config::Settings Settings() {
    auto s = ReaderSettings(*db_);
    s.schema.exclude_columns.push_back("PUBLIC.Vendor_Contracts.INTERNAL_*");
    return s;
  }
  static pgmcp::testing::TestDatabase* db_;
};
pgmcp::testing::TestDatabase* SensitiveColumns::db_ = nullptr;

TEST_F(SensitiveColumns, NamingAHiddenColumnAnywhereGivesTheUnknownColumnErrorByteForByte) {
  ServiceHarness h(Settings());
  int probes = 0;
  for (const auto& hidden : kHidden) {
    const auto with_hidden = Probes(hidden.column);
    const auto with_decoy = Probes(std::string(kDecoy));
    for (size_t i = 0; i < with_hidden.size(); ++i) {
      const auto secret = h.Call(hidden.tool, with_hidden[i].second);
      const auto decoy = h.Call(hidden.tool, with_decoy[i].second);
      const std::string where = hidden.tool + " " + hidden.column + " in " + with_hidden[i].first;
      ASSERT_TRUE(secret.outcome.is_error) << where << " was accepted";
      ASSERT_TRUE(decoy.outcome.is_error) << where;
      // The only difference is the name the caller gave, echoed back once.
      std::string text = secret.outcome.text;
      const size_t at = text.find(hidden.column);
      ASSERT_NE(at, std::string::npos) << where << ": " << text;
      EXPECT_EQ(text.find(hidden.column, at + 1), std::string::npos) << where << ": names it beyond the echo: " << text;
      text.replace(at, hidden.column.size(), kDecoy);
      EXPECT_EQ(text, decoy.outcome.text) << where;
      ++probes;
    }
  }
  EXPECT_EQ(probes, 4 * 14);
}

TEST_F(SensitiveColumns, HiddenColumnsAppearInNoToolResourceOrResult) {
  ServiceHarness h(Settings());
  const std::vector<std::string> names = {"password_hash", "api_token", "internal_margin", "internal_notes"};
  std::vector<std::string> values;  // what the hidden columns hold
  for (const auto& row : db_->Query("SELECT password_hash FROM employees UNION ALL SELECT api_token FROM employees "
                                    "WHERE api_token IS NOT NULL UNION ALL SELECT internal_notes FROM vendor_contracts")) {
    values.push_back(row[0]);
  }
  values.push_back("0.4242");
  values.push_back("0.1717");
  auto expect_clean = [&](const std::string& what, const std::string& text) {
    for (const auto& n : names) EXPECT_EQ(text.find(n), std::string::npos) << what << " names " << n;
    for (const auto& v : values) EXPECT_EQ(text.find(v), std::string::npos) << what << " holds a hidden value";
  };
  ASSERT_TRUE(h.service().HasTool("query_vendor_contracts"));
  ASSERT_TRUE(h.service().HasTool("query_employees"));
  expect_clean("tools/list", *h.service().current()->catalog->tools_list);
  expect_clean("resources/list", *h.service().ResourcesList(protocol::CallContext{}));
  int read = 0;
  const json::value resources = json::parse(*h.service().ResourcesList(protocol::CallContext{}));
  for (const auto& r : resources.at("resources").as_array()) {
    const std::string uri(r.at("uri").as_string());
    auto body = h.service().ReadResource(uri, protocol::CallContext{});
    ASSERT_TRUE(body.has_value()) << uri;
    expect_clean("resources/read " + uri, *body);
    ++read;
  }
  EXPECT_GT(read, 0);
  // Results: every column by default, and aggregates over everything that is visible.
  for (const char* tool : {"query_employees", "query_vendor_contracts"}) {
    auto all = h.Call(tool, json::object{{"limit", 1000}});
    ASSERT_FALSE(all.outcome.is_error) << all.outcome.text;
    EXPECT_GT(Structured(all).at("row_count").as_int64(), 0);
    expect_clean(std::string(tool) + " result", all.outcome.structured_json);
    expect_clean(std::string(tool) + " text", all.outcome.text);
  }
  // The visible columns of the custom table are still there.
  auto contracts = Structured(h.Call("query_vendor_contracts", json::object{}));
  EXPECT_EQ(json::serialize(contracts.at("columns")), R"(["id","vendor","amount"])");
}

}  // namespace
}  // namespace pgmcp::service

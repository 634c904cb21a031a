#include "schema/glob.h"

#include <gtest/gtest.h>

namespace pgmcp::schema {
namespace {

TEST(GlobTest, StarMatchesAnyRunIncludingEmpty) {
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_TRUE(GlobMatch("*_migrations", "schema_migrations"));
  EXPECT_TRUE(GlobMatch("*_migrations", "_migrations"));
  EXPECT_FALSE(GlobMatch("*_migrations", "schema_migrations_old"));
  EXPECT_TRUE(GlobMatch("a*b*c", "aXXbYYc"));
  EXPECT_TRUE(GlobMatch("a*b*c", "abc"));
  EXPECT_FALSE(GlobMatch("a*b*c", "acb"));
}

TEST(GlobTest, CaseInsensitive) {
  EXPECT_TRUE(GlobMatch("*.*PASSWORD*", "users.Password_Hash"));
  EXPECT_TRUE(GlobMatch("Public.*", "public.orders"));
}

TEST(GlobTest, QuestionMarkIsOneByte) {
  EXPECT_TRUE(GlobMatch("t?", "t1"));
  EXPECT_FALSE(GlobMatch("t?", "t"));
  EXPECT_FALSE(GlobMatch("t?", "t12"));
}

TEST(GlobTest, NoCatastrophicBacktracking) {
  std::string text(5000, 'a');
  EXPECT_FALSE(GlobMatch("*a*a*a*a*a*a*a*a*b", text));
}

TEST(GlobTest, ColumnPatternsMatchTableColumnAndSchemaTableColumn) {
  std::vector<std::string> patterns = {"*.ssn"};
  EXPECT_TRUE(ColumnMatches(patterns, "public", "people", "ssn"));
  EXPECT_TRUE(ColumnMatches(patterns, "public", "people", "SSN"));
  EXPECT_FALSE(ColumnMatches(patterns, "public", "people", "ssn_last4"));
  std::vector<std::string> qualified = {"hr.people.salary"};
  EXPECT_TRUE(ColumnMatches(qualified, "hr", "people", "salary"));
  EXPECT_FALSE(ColumnMatches(qualified, "public", "people", "salary"));
  // `*` crosses dots (docs/reference.md, Configuration: any run of characters), so the default "*.*secret*" also hides
  // every column of a table whose name holds "secret": over-hiding is the safe side.
  std::vector<std::string> defaults = {"*.*secret*"};
  EXPECT_TRUE(ColumnMatches(defaults, "public", "apps", "client_secret"));
  EXPECT_TRUE(ColumnMatches(defaults, "public", "secrets_index", "id"));
  EXPECT_FALSE(ColumnMatches(defaults, "public", "apps", "id"));
}

TEST(GlobTest, TablePatternsMatchTableAndSchemaTable) {
  EXPECT_TRUE(TableMatches({"public.*"}, "public", "orders"));
  EXPECT_FALSE(TableMatches({"public.*"}, "sales", "orders"));
  EXPECT_TRUE(TableMatches({"orders"}, "sales", "orders"));
  EXPECT_FALSE(TableMatches({}, "public", "orders"));
}

}  // namespace
}  // namespace pgmcp::schema

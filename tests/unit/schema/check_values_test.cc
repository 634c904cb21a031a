#include "schema/check_values.h"

#include <gtest/gtest.h>

namespace pgmcp::schema {
namespace {

using Values = std::vector<std::string>;

TEST(CheckValuesTest, TextAnyArray) {
  auto v = ParseCheckValues("CHECK ((plan = ANY (ARRAY['free'::text, 'pro'::text, 'enterprise'::text])))", "plan");
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, (Values{"free", "pro", "enterprise"}));
}

TEST(CheckValuesTest, VarcharWithCasts) {
  auto v = ParseCheckValues(
      "CHECK (((status)::text = ANY ((ARRAY['a'::character varying, 'b'::character varying])::text[])))", "status");
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, (Values{"a", "b"}));
}

TEST(CheckValuesTest, IntegersWithNegativeAndSingleValue) {
  auto v = ParseCheckValues("CHECK ((n = ANY (ARRAY[1, '-2'::integer, 3])))", "n");
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, (Values{"1", "-2", "3"}));
  auto single = ParseCheckValues("CHECK ((m = 'a'::mood))", "m");
  ASSERT_TRUE(single);
  EXPECT_EQ(*single, (Values{"a"}));
}

TEST(CheckValuesTest, OrIsNullKeepsTheList) {
  auto v = ParseCheckValues("CHECK (((x = ANY (ARRAY['p'::text, 'q'::text])) OR (x IS NULL)))", "x");
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, (Values{"p", "q"}));
}

TEST(CheckValuesTest, QuotedColumnAndEscapedQuotes) {
  auto v = ParseCheckValues(R"(CHECK (("Kind" = ANY (ARRAY['it''s'::text, 'a/b'::text]))))", "Kind");
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, (Values{"it's", "a/b"}));
}

TEST(CheckValuesTest, DomainValue) {
  auto v = ParseCheckValues("CHECK ((VALUE = ANY (ARRAY['low'::text, 'high'::text])))", "VALUE");
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, (Values{"low", "high"}));
}

TEST(CheckValuesTest, QualifiedAndMultiWordTypes) {
  auto v = ParseCheckValues(
      R"(CHECK ((s = ANY (ARRAY['x'::"My Schema"."Mood", 'y'::"My Schema"."Mood"]))))", "s");
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, (Values{"x", "y"}));
  auto t = ParseCheckValues("CHECK ((d = ANY (ARRAY['1'::double precision, '2.5'::double precision])))", "d");
  ASSERT_TRUE(t);
  EXPECT_EQ(*t, (Values{"1", "2.5"}));
}

TEST(CheckValuesTest, RefusesEverythingElse) {
  EXPECT_FALSE(ParseCheckValues("CHECK ((quantity > 0))", "quantity"));
  EXPECT_FALSE(ParseCheckValues("CHECK ((a = ANY (ARRAY['x'::text])))", "b"));
  EXPECT_FALSE(ParseCheckValues("CHECK (((a = 'x'::text) AND (b = 'y'::text)))", "a"));
  EXPECT_FALSE(ParseCheckValues("CHECK (((a = 'x'::text) OR (b IS NULL)))", "a"));
  EXPECT_FALSE(ParseCheckValues("CHECK ((a = 'x'::text OR b IS NULL))", "a"));
  EXPECT_FALSE(ParseCheckValues("CHECK ((a <> ALL (ARRAY['x'::text])))", "a"));
  EXPECT_FALSE(ParseCheckValues("CHECK ((NOT (a = ANY (ARRAY['x'::text]))))", "a"));
  EXPECT_FALSE(ParseCheckValues("CHECK ((a = lower('X'::text)))", "a"));
  EXPECT_FALSE(ParseCheckValues("CHECK ((a = ANY (ARRAY[('x'::text || 'y'::text)])))", "a"));
  EXPECT_FALSE(ParseCheckValues("CHECK ((a = b))", "a"));
  EXPECT_FALSE(ParseCheckValues("CHECK ((a = 'unterminated", "a"));
  EXPECT_FALSE(ParseCheckValues("", "a"));
}

}  // namespace
}  // namespace pgmcp::schema

#include "schema/similarity.h"

#include <gtest/gtest.h>

namespace pgmcp::schema {
namespace {

TEST(SimilarityTest, EditDistance) {
  EXPECT_EQ(EditDistance("", ""), 0u);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(EditDistance("orders", "order"), 1u);
  EXPECT_EQ(EditDistance("abc", ""), 3u);
}

TEST(SimilarityTest, StemRemovesOneAffixAndPlural) {
  EXPECT_EQ(SimilarityStem("customers_archive"), "customer");
  EXPECT_EQ(SimilarityStem("Customers"), "customer");
  EXPECT_EQ(SimilarityStem("old_customers"), "customer");
  EXPECT_EQ(SimilarityStem("orders_v2"), "order");
  EXPECT_EQ(SimilarityStem("orders_2023"), "order");
  EXPECT_EQ(SimilarityStem("events_history"), "event");
  EXPECT_EQ(SimilarityStem("invoices_bak"), "invoice");
}

TEST(SimilarityTest, AffixesAndPlurals) {
  EXPECT_TRUE(AreSimilarTableNames("customers", "customers_archive"));
  EXPECT_TRUE(AreSimilarTableNames("customer", "customers_archived"));
  EXPECT_TRUE(AreSimilarTableNames("orders", "old_orders"));
  EXPECT_TRUE(AreSimilarTableNames("orders", "orders_v2"));
  EXPECT_TRUE(AreSimilarTableNames("payments_tmp", "payments_backup"));
}

TEST(SimilarityTest, PrefixAtUnderscoreBoundary) {
  EXPECT_TRUE(AreSimilarTableNames("order", "order_items"));
  EXPECT_FALSE(AreSimilarTableNames("order", "orderliness"));
}

TEST(SimilarityTest, EditDistanceNeedsLongEnoughNames) {
  EXPECT_TRUE(AreSimilarTableNames("invoice", "invoices"));
  EXPECT_TRUE(AreSimilarTableNames("payment", "paymant"));
  EXPECT_FALSE(AreSimilarTableNames("jobs", "logs"));
  EXPECT_FALSE(AreSimilarTableNames("users", "products"));
}

TEST(SimilarityTest, SameNameInTwoSchemasIsSimilar) {
  EXPECT_TRUE(AreSimilarTableNames("orders", "orders"));
  EXPECT_TRUE(AreSimilarTableNames("Orders", "orders"));
}

}  // namespace
}  // namespace pgmcp::schema

namespace pgmcp::schema {
namespace {

TEST(WithinEditDistanceTest, AgreesWithTheFullDistance) {
  const char* names[] = {"orders", "order", "orders_v2", "customers", "customer", "custmers", "users",
                         "user_events", "events", "invoice", "invoices_old", "a", "", "ab", "ba"};
  for (const char* a : names) {
    for (const char* b : names) {
      for (size_t limit : {0, 1, 2, 3}) {
        EXPECT_EQ(WithinEditDistance(a, b, limit), EditDistance(a, b) <= limit) << a << " " << b << " " << limit;
      }
    }
  }
}

}  // namespace
}  // namespace pgmcp::schema

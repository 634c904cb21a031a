// The per-connection cache of named prepared statements: names from the SQL text alone, least
// recently used evicted first, and the bookkeeping of Parses and DEALLOCATEs the server skipped.
#include "database/statement_cache.h"

#include <gtest/gtest.h>

namespace pgmcp::database {
namespace {

TEST(StatementNameTest, TheSameSqlHasTheSameNameAndOtherSqlAnother) {
  const std::string a = StatementName("SELECT 1");
  EXPECT_EQ(a, StatementName("SELECT 1"));
  EXPECT_NE(a, StatementName("SELECT 2"));
  EXPECT_NE(a, StatementName("SELECT 1 "));
  EXPECT_EQ(a.rfind("pgmcp_", 0), 0u);
  EXPECT_EQ(a.size(), 6u + 32u) << "128 bits in hex, shorter than NAMEDATALEN (63)";
  EXPECT_EQ(a.find_first_not_of("pgmcp_0123456789abcdef"), std::string::npos) << "a plain SQL identifier";
  // SHA-256 of "SELECT 1", first 16 bytes: the name is the same in every build and every process.
  EXPECT_EQ(a, "pgmcp_e004ebd5b5532a4b85984a62f8ad48a8");
}

TEST(StatementCacheTest, FirstUsePreparesLaterUsesDoNot) {
  StatementCache cache(4);
  EXPECT_TRUE(cache.Lookup("SELECT 1").prepare);
  auto again = cache.Lookup("SELECT 1");
  EXPECT_FALSE(again.prepare);
  EXPECT_EQ(again.name, StatementName("SELECT 1"));
  EXPECT_EQ(cache.counts().hits, 1u);
  EXPECT_EQ(cache.counts().misses, 1u);
  EXPECT_EQ(cache.counts().evictions, 0u);
}

// A pool's connections share one set of counts: what /metrics shows is their sum, and it outlives
// any one connection's cache.
TEST(StatementCacheTest, CachesGivenOneSetOfCountsAddToIt) {
  auto counts = std::make_shared<StatementCacheCounts>();
  {
    StatementCache a(1, counts);
    StatementCache b(4, counts);
    a.Lookup("A");
    a.Lookup("B");  // evicts A
    a.Lookup("B");
    b.Lookup("A");
    b.Prepared("A", true);
    b.SettledName("A");
    EXPECT_EQ(&a.counts(), counts.get());
  }
  EXPECT_EQ(counts->hits, 2u) << "a's second B and b's settled A";
  EXPECT_EQ(counts->misses, 3u);
  EXPECT_EQ(counts->evictions, 1u);
}

// A call sharing a round trip uses a name only once an earlier round trip settled its Parse.
TEST(StatementCacheTest, ANameIsSettledOnlyOnceItsParseSucceeded) {
  StatementCache cache(4);
  EXPECT_EQ(cache.SettledName("A"), nullptr) << "not cached";
  ASSERT_TRUE(cache.Lookup("A").prepare);
  EXPECT_EQ(cache.SettledName("A"), nullptr) << "its Parse is in flight";
  cache.Prepared("A", true);
  ASSERT_NE(cache.SettledName("A"), nullptr);
  EXPECT_EQ(*cache.SettledName("A"), StatementName("A"));
  cache.Lookup("B");
  cache.Prepared("B", false);
  EXPECT_EQ(cache.SettledName("B"), nullptr) << "its Parse failed";
  // Evicted but not deallocated yet: still prepared on the server, so settled at once.
  StatementCache one(1);
  one.Lookup("C");
  one.Prepared("C", true);
  one.Lookup("D");
  EXPECT_FALSE(one.Lookup("C").prepare);
  EXPECT_NE(one.SettledName("C"), nullptr);
}

// SettledName counts as a use: the least recently used is evicted first.
TEST(StatementCacheTest, ASettledNameIsMarkedRecentlyUsed) {
  StatementCache cache(2);
  cache.Lookup("A");
  cache.Prepared("A", true);
  cache.Lookup("B");
  cache.Prepared("B", true);
  cache.SettledName("A");  // B is now the least recently used
  cache.Lookup("C");
  EXPECT_EQ(cache.TakeEvicted(), std::vector<std::string>{StatementName("B")});
}

TEST(StatementCacheTest, EvictsTheLeastRecentlyUsedAndDeallocatesIt) {
  StatementCache cache(2);
  cache.Lookup("A");
  cache.Lookup("B");
  cache.Lookup("A");  // B is now the least recently used
  EXPECT_TRUE(cache.Lookup("C").prepare);
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.TakeEvicted(), std::vector<std::string>{StatementName("B")});
  EXPECT_TRUE(cache.TakeEvicted().empty()) << "taken once";
  EXPECT_FALSE(cache.Lookup("A").prepare);
  EXPECT_TRUE(cache.Lookup("B").prepare) << "deallocated: prepared again";
}

TEST(StatementCacheTest, AStatementEvictedButNotYetDeallocatedIsUsedAsItIs) {
  StatementCache cache(1);
  cache.Lookup("A");
  cache.Lookup("B");                              // evicts A; its DEALLOCATE is not sent yet
  EXPECT_FALSE(cache.Lookup("A").prepare);       // still prepared on the server
  EXPECT_EQ(cache.TakeEvicted(), std::vector<std::string>{StatementName("B")}) << "A is no longer to deallocate";
}

TEST(StatementCacheTest, AParseThatFailedOrWasSkippedIsForgotten) {
  StatementCache cache(4);
  cache.Lookup("A");
  cache.Prepared("A", false);
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_TRUE(cache.Lookup("A").prepare);
  cache.Prepared("A", true);
  EXPECT_FALSE(cache.Lookup("A").prepare);
}

TEST(StatementCacheTest, AStatementEvictedInThePipelineThatFailedToPrepareItIsNotDeallocated) {
  StatementCache cache(1);
  cache.Lookup("A");
  cache.Lookup("B");  // evicts A, whose Parse was in the same pipeline
  cache.Prepared("A", false);
  EXPECT_TRUE(cache.TakeEvicted().empty()) << "A never existed on the server";
}

TEST(StatementCacheTest, ASkippedDeallocateIsQueuedAgain) {
  StatementCache cache(1);
  cache.Lookup("A");
  cache.Lookup("B");
  auto evicted = cache.TakeEvicted();
  ASSERT_EQ(evicted.size(), 1u);
  cache.Deallocated(evicted[0], false);
  EXPECT_EQ(cache.TakeEvicted(), evicted);
  cache.Deallocated(evicted[0], true);
  EXPECT_TRUE(cache.TakeEvicted().empty());
}

}  // namespace
}  // namespace pgmcp::database

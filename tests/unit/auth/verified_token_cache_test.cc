// The verified-token cache on its own: validity window, FIFO eviction, capacity 0, counters.
#include "auth/verified_token_cache.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace pgmcp::auth {
namespace {

Identity Analyst() { return Identity{"analyst", R"({"role":"analyst"})", "u1"}; }

TEST(AuthTokenCacheTest, ServesOnlyInsideTheWindow) {
  VerifiedTokenCache cache(10);
  cache.Insert("k", Analyst(), 100, 200);
  EXPECT_FALSE(cache.Lookup("k", 99.5));
  ASSERT_TRUE(cache.Lookup("k", 100));
  EXPECT_EQ(cache.Lookup("k", 199.9)->role, "analyst");
  EXPECT_FALSE(cache.Lookup("k", 200));
  EXPECT_FALSE(cache.Lookup("other", 150));
  const auto stats = cache.GetStats();
  EXPECT_EQ(stats.hits, 2u);
  EXPECT_EQ(stats.misses, 3u);
  EXPECT_EQ(stats.size, 1u);
}

// A verdict stored before a key withdrawal is never served after it; the full check stores the
// token again under the new count.
TEST(AuthTokenCacheTest, AKeyWithdrawnSinceVoidsTheVerdict) {
  VerifiedTokenCache cache(10);
  cache.Insert("k", Analyst(), 0, 1000, 3);
  EXPECT_TRUE(cache.Lookup("k", 1, 3));
  EXPECT_FALSE(cache.Lookup("k", 1, 4));
  cache.Insert("k", Analyst(), 0, 1000, 4);
  EXPECT_TRUE(cache.Lookup("k", 1, 4));
  EXPECT_FALSE(cache.Lookup("k", 1, 3));
  EXPECT_EQ(cache.GetStats().size, 1u);
}

TEST(AuthTokenCacheTest, EvictsOldestWhenFull) {
  VerifiedTokenCache cache(3);
  for (const char* key : {"a", "b", "c", "d"}) cache.Insert(key, Analyst(), 0, 1000);
  EXPECT_FALSE(cache.Lookup("a", 1));
  EXPECT_TRUE(cache.Lookup("b", 1));
  EXPECT_TRUE(cache.Lookup("d", 1));
  EXPECT_EQ(cache.GetStats().size, 3u);
  EXPECT_EQ(cache.GetStats().evictions, 1u);
  cache.Insert("b", Analyst(), 0, 2000);  // re-insert refreshes, does not grow
  EXPECT_EQ(cache.GetStats().size, 3u);
  EXPECT_EQ(cache.GetStats().evictions, 1u);
  EXPECT_TRUE(cache.Lookup("b", 1500));
}

TEST(AuthTokenCacheTest, CapacityZeroDisables) {
  VerifiedTokenCache cache(0);
  cache.Insert("k", Analyst(), 0, 1000);
  EXPECT_FALSE(cache.Lookup("k", 1));
  EXPECT_EQ(cache.GetStats().size, 0u);
}

TEST(AuthTokenCacheTest, ConcurrentUseKeepsTheBound) {
  VerifiedTokenCache cache(64);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&cache, t] {
      for (int i = 0; i < 2000; ++i) {
        const std::string key = std::to_string(t) + ":" + std::to_string(i % 100);
        if (!cache.Lookup(key, 1)) cache.Insert(key, Analyst(), 0, 10);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_LE(cache.GetStats().size, 64u);
  EXPECT_EQ(cache.GetStats().hits + cache.GetStats().misses, 8000u);
}

}  // namespace
}  // namespace pgmcp::auth

// How long fetched keys stay fresh (Cache-Control, clamped) and the one-fetch-per-interval limit;
// and which key URLs are accepted (https, or http only to a loopback host).
#include "auth/jwks_cache_policy.h"

#include <gtest/gtest.h>

#include "auth/https_fetch.h"

namespace pgmcp::auth {
namespace {

using std::chrono::seconds;

TEST(JwksCachePolicyTest, MaxAgeIsClampedBetweenFloorAndCeiling) {
  const JwksCachePolicy policy;  // floor 60 s, ceiling 1 day, default 300 s
  EXPECT_EQ(KeySetLifetime("public, max-age=3600", policy), seconds(3600));
  EXPECT_EQ(KeySetLifetime("max-age=\"900\"", policy), seconds(900));
  EXPECT_EQ(KeySetLifetime("MAX-AGE=120, must-revalidate", policy), seconds(120));
  EXPECT_EQ(KeySetLifetime("max-age=0", policy), seconds(60));        // not a fetch per token
  EXPECT_EQ(KeySetLifetime("max-age=5", policy), seconds(60));
  EXPECT_EQ(KeySetLifetime("max-age=31536000", policy), seconds(86400));
  EXPECT_EQ(KeySetLifetime("max-age=99999999999999999999999", policy), seconds(86400));
}

TEST(JwksCachePolicyTest, NoStoreMeansTheFloorAndNoHeaderTheDefault) {
  const JwksCachePolicy policy;
  EXPECT_EQ(KeySetLifetime("no-store", policy), seconds(60));
  EXPECT_EQ(KeySetLifetime("max-age=3600, no-cache", policy), seconds(60));
  EXPECT_EQ(KeySetLifetime("", policy), seconds(300));
  EXPECT_EQ(KeySetLifetime("private", policy), seconds(300));
  EXPECT_EQ(KeySetLifetime("max-age=-5", policy), seconds(300));  // malformed: as if absent
  EXPECT_EQ(KeySetLifetime("max-age=12abc", policy), seconds(300));
  EXPECT_EQ(KeySetLifetime("s-maxage=7200", policy), seconds(300));  // for shared caches, not pgmcp
}

TEST(JwksCachePolicyTest, OneFetchPerIntervalWhateverAsks) {
  FetchRateLimit limit(seconds(30));
  const SteadyTime t0 = SteadyTime() + std::chrono::hours(1);
  EXPECT_LE(limit.NextAllowed(), t0);  // nothing fetched yet: at once
  limit.Started(t0);
  EXPECT_EQ(limit.NextAllowed(), t0 + seconds(30));
  // A flood of unknown kids 1 s later asks again and again: still not before t0 + 30 s.
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(limit.NextAllowed(), t0 + seconds(30));
  limit.Started(t0 + seconds(30));
  EXPECT_EQ(limit.NextAllowed(), t0 + seconds(60));
}

TEST(KeyUrlTest, HttpsAnywherePlainHttpOnlyOnLoopback) {
  auto url = ParseKeyUrl("https://idp.example.com/realms/x/protocol/openid-connect/certs", "auth.jwks_url");
  ASSERT_TRUE(url.ok()) << url.error().message;
  EXPECT_TRUE(url->tls);
  EXPECT_EQ(url->host, "idp.example.com");
  EXPECT_EQ(url->port, "443");
  EXPECT_EQ(url->target, "/realms/x/protocol/openid-connect/certs");

  url = ParseKeyUrl("https://IdP.Example.com:8443?x=1", "auth.jwks_url");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->host, "idp.example.com");
  EXPECT_EQ(url->port, "8443");
  EXPECT_EQ(url->target, "/?x=1");

  for (const char* loopback : {"http://127.0.0.1:9000/jwks", "http://localhost/jwks", "http://[::1]:80/jwks",
                               "http://127.1.2.3/jwks"}) {
    url = ParseKeyUrl(loopback, "auth.jwks_url");
    ASSERT_TRUE(url.ok()) << loopback;
    EXPECT_FALSE(url->tls);
  }
  EXPECT_EQ(ParseKeyUrl("http://[::1]:9000/jwks", "x")->host, "::1");

  for (const char* bad : {"http://idp.example.com/jwks", "http://127.example.com/jwks", "http://10.0.0.1/jwks",
                          "ftp://idp/jwks", "idp.example.com/jwks", "https:///jwks", "https://u:p@idp/jwks",
                          "https://idp:0/jwks", "https://idp:99999/jwks", "https://idp:x/jwks", "https://[::1/jwks"}) {
    url = ParseKeyUrl(bad, "auth.jwks_url");
    ASSERT_FALSE(url.ok()) << bad;
    EXPECT_EQ(url.error().kind, ErrorKind::kConfig);
    EXPECT_NE(url.error().message.find("auth.jwks_url"), std::string::npos) << url.error().message;
  }
  EXPECT_NE(ParseKeyUrl("http://idp.example.com/jwks", "auth.jwks_url").error().message.find("loopback"),
            std::string::npos);
}

}  // namespace
}  // namespace pgmcp::auth

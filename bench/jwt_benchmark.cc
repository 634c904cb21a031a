// JWT verification cost per request: HS256, RS256, PS256 and ES256 tokens through JwtVerifier, with
// the verified-token cache off (every request pays the signature) and on (a client re-sending its
// token). No database, no network; keys are generated at start. Prints verifications per second.
#include <chrono>
#include <cstdio>
#include <string>
#include <variant>

#include "../tests/unit/auth/token_minter.h"
#include "auth/jwt_verifier.h"

namespace {

using pgmcp::auth::JwtVerifier;
using pgmcp::auth::VerifierOptions;
namespace mint = pgmcp::auth::testing;

constexpr int64_t kNowSeconds = 1'800'000'000;
const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(kNowSeconds));
const std::string kSecret = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

std::string Claims() {
  // A realistic payload: Supabase-style claims with a nested role path and a few extras.
  return boost::json::serialize(
      boost::json::object{{"iss", "https://issuer.example"},
                          {"aud", "pgmcp"},
                          {"sub", "8c6f1e0a-3b5d-4c1e-9f0a-2d7b6e4c1a90"},
                          {"role", "analyst"},
                          {"exp", kNowSeconds + 3600},
                          {"iat", kNowSeconds - 60},
                          {"email", "someone@example.com"},
                          {"tenant_id", 4242},
                          {"app_metadata", boost::json::object{{"provider", "email"}, {"providers", {"email"}}}}});
}

std::string Header(const char* alg, const char* kid) {
  return boost::json::serialize(boost::json::object{{"alg", alg}, {"typ", "JWT"}, {"kid", kid}});
}

// Verifies `header` repeatedly for about `seconds`; returns verifications per second.
double Measure(const JwtVerifier& v, const std::string& header, double seconds) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const auto budget = std::chrono::duration<double>(seconds);
  long n = 0;
  while (true) {
    for (int i = 0; i < 64; ++i, ++n) {
      const auto outcome = v.Verify(header, kNow);
      if (!outcome) {
        std::fprintf(stderr, "token refused: %s\n", outcome.error().message.c_str());
        std::exit(1);
      }
    }
    const auto elapsed = Clock::now() - start;
    if (elapsed >= budget) return static_cast<double>(n) / std::chrono::duration<double>(elapsed).count();
  }
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 1.0;
  auto rsa = mint::GenerateRsa(2048);
  auto ec = mint::GenerateEc("P-256");
  mint::TempDir dir;

  pgmcp::config::AuthSettings auth;
  auth.issuer = "https://issuer.example";
  auth.audience = "pgmcp";
  auth.allowed_roles = {"analyst"};
  auth.jwt_secret_file = dir.Write("secret", kSecret);
  auth.jwks_file = dir.Write(
      "jwks.json", boost::json::serialize(boost::json::object{
                       {"keys", boost::json::array{mint::RsaJwk(*rsa, "rsa-1"), mint::EcJwk(*ec, "P-256", "ec-1")}}}));

  VerifierOptions uncached_options;
  uncached_options.cache_capacity = 0;
  auto uncached = JwtVerifier::Create(auth, "mcp_reader", uncached_options);
  auto cached = JwtVerifier::Create(auth, "mcp_reader", VerifierOptions{});
  if (!uncached.ok() || !cached.ok()) {
    std::fprintf(stderr, "verifier: %s\n", (uncached.ok() ? cached : uncached).error().message.c_str());
    return 1;
  }

  const std::string claims = Claims();
  struct Case {
    const char* name;
    std::string header;
  };
  const Case cases[] = {
      {"HS256", "Bearer " + mint::MintHmac(Header("HS256", "hs"), claims, kSecret, "HS256")},
      {"RS256", "Bearer " + mint::MintWithKey(Header("RS256", "rsa-1"), claims, *rsa, "RS256")},
      {"PS256", "Bearer " + mint::MintWithKey(Header("PS256", "rsa-1"), claims, *rsa, "PS256")},
      {"ES256", "Bearer " + mint::MintWithKey(Header("ES256", "ec-1"), claims, *ec, "ES256")},
  };
  std::printf("%-6s %8s %16s %16s %10s\n", "alg", "token_B", "uncached_per_s", "cached_per_s", "speedup");
  for (const auto& c : cases) {
    const double cold = Measure(**uncached, c.header, seconds);
    const double warm = Measure(**cached, c.header, seconds);
    std::printf("%-6s %8zu %16.0f %16.0f %9.1fx\n", c.name, c.header.size() - 7, cold, warm, warm / cold);
  }
  const auto stats = (*cached)->CacheStats();
  std::printf("cache: %llu hits, %llu misses, %zu entries\n", static_cast<unsigned long long>(stats.hits),
              static_cast<unsigned long long>(stats.misses), stats.size);
  return 0;
}

// Fuzzes JWT parsing and verification (HS256 with a fixed secret) and JWKS document parsing. The
// first byte picks what the rest is: an Authorization header as received; a header JSON and a
// claims JSON (split at the first newline) that the target signs with the secret, so the claim
// checks behind the signature are reached; a JWKS document (parsed twice: the same document must
// withdraw no key from itself); or base64url text.
#include <boost/json/parse.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "auth/base64url.h"
#include "auth/jwk_set.h"
#include "auth/jwt_verifier.h"
#include "fuzz/fuzz_check.h"
#include "unit/auth/token_minter.h"

namespace {
using namespace pgmcp;

const std::string kSecret = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));

const auth::JwtVerifier& Verifier() {
  static const std::shared_ptr<const auth::JwtVerifier> verifier = [] {
    config::AuthSettings settings;
    settings.issuer = "https://issuer.example";
    settings.audience = "pgmcp";
    settings.role_claim = "app.role";
    settings.allowed_roles = {"analyst", "tenant_user"};
    auth::VerifierOptions options;
    options.cache_capacity = 64;  // small, so eviction runs too
    options.env_secret = kSecret;
    auto created = auth::JwtVerifier::Create(settings, "mcp_reader", std::move(options));
    PGMCP_FUZZ_CHECK(created.ok(), "the fuzz verifier is configured");
    return created.value();
  }();
  return *verifier;
}

void CheckVerified(const auth::VerifyResult& result) {
  if (!result.ok()) {
    PGMCP_FUZZ_CHECK(result.error().kind == ErrorKind::kUnauthenticated || result.error().kind == ErrorKind::kForbidden,
                     "a refused token is kUnauthenticated or kForbidden");
    return;
  }
  PGMCP_FUZZ_CHECK(result->role == "analyst" || result->role == "tenant_user", "only an allowed role gets through");
  boost::json::error_code ec;
  boost::json::parse(result->claims_json, ec);
  PGMCP_FUZZ_CHECK(!ec, "the claims handed to PostgreSQL are one JSON value");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 4) {
    case 0:
      CheckVerified(Verifier().Verify(input, kNow));
      break;
    case 1: {
      const size_t newline = input.find('\n');
      const std::string_view header = input.substr(0, newline);
      const std::string_view claims = newline == std::string_view::npos ? "" : input.substr(newline + 1);
      const std::string token = auth::testing::MintHmac(header, claims, kSecret, "HS256");
      CheckVerified(Verifier().Verify("Bearer " + token, kNow));
      break;
    }
    case 2: {
      const auto keys = auth::ParseJwkSet(input, "auth.jwks_file");
      if (keys.ok()) {
        PGMCP_FUZZ_CHECK(!keys->keys.empty(), "a parsed key set has a usable key");
        // Fetched again unchanged, a key set must void no cached token verdict.
        const auto again = auth::ParseJwkSet(input, "auth.jwks_file");
        PGMCP_FUZZ_CHECK(again.ok() && auth::CountWithdrawnKeys(*keys, *again) == 0,
                         "a key set published again unchanged withdraws no key");
      }
      break;
    }
    default: {
      // Only the one canonical spelling decodes, so decoding and encoding again gives the input back.
      const auto decoded = auth::DecodeBase64Url(input);
      if (decoded) PGMCP_FUZZ_CHECK(auth::EncodeBase64Url(*decoded) == input, "base64url decoding is canonical");
      PGMCP_FUZZ_CHECK(auth::DecodeBase64Url(auth::EncodeBase64Url(input)) == std::string(input),
                       "base64url round-trips");
      break;
    }
  }
  return 0;
}

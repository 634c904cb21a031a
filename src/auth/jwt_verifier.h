// JWT bearer-token verification for the HTTP transport (docs/auth.md; docs/security.md, guarantee 4): Authorization
// header in, Identity or a kUnauthenticated/kForbidden Error out. Immutable after Create and thread-safe: share one
// instance. With keys from the identity provider (auth.jwks_url or discovery), the key set inside is replaced as it
// is fetched again; VerifyWithFreshKeys then runs on the executor given to Create.
#pragma once

#include <array>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/identity.h"
#include "auth/jwk_set.h"
#include "auth/openssl_handles.h"
#include "auth/remote_jwks.h"
#include "auth/verified_token_cache.h"
#include "common/result.h"
#include "config/settings.h"

namespace pgmcp::auth {

// The environment variable that may hold the HMAC secret itself, instead of auth.jwt_secret_file.
inline constexpr char kJwtSecretEnv[] = "PGMCP_JWT_SECRET";

struct VerifierOptions {
  size_t cache_capacity = 10000;          // verified tokens remembered; 0 disables the cache
  std::optional<std::string> env_secret;  // the value of PGMCP_JWT_SECRET, if set
  // Where keys from auth.jwks_url or OpenID discovery are fetched (the event loop); without it
  // such a configuration is a kConfig error.
  std::optional<boost::asio::any_io_executor> executor;
};

class JwtVerifier {
 public:
  static constexpr size_t kMaxTokenBytes = 8192;
  static constexpr size_t kMaxJsonDepth = 16;
  static constexpr size_t kMinSecretBytes = 32;
  // A token without "kid" is tried against at most this many keys of its algorithm: a large
  // published key set must not make one forged token cost hundreds of signature checks.
  static constexpr size_t kMaxKeysForKidlessToken = 8;

  // Reads the keys named by `auth` (and PGMCP_JWT_SECRET from the environment). `login_role` is the
  // role pgmcp connects as: a token may never name it. Errors are kConfig and name the setting.
  static Result<std::shared_ptr<const JwtVerifier>> Create(const config::AuthSettings& auth, std::string login_role);
  // As above, but the environment is not read: options.env_secret stands for it.
  static Result<std::shared_ptr<const JwtVerifier>> Create(const config::AuthSettings& auth, std::string login_role,
                                                           VerifierOptions options);

  // Checks one Authorization header value ("Bearer <JWS compact token>") at time `now`.
  VerifyResult Verify(std::string_view authorization, std::chrono::system_clock::time_point now) const;
  // As Verify; but when keys come from the identity provider and the token names a key id not
  // fetched yet (a rotation), or no key has arrived yet, waits until `deadline` for fresher keys
  // (the fetch itself rate-limited: RemoteJwks) and checks once more.
  boost::asio::awaitable<VerifyResult> VerifyWithFreshKeys(std::string authorization,
                                                           std::chrono::system_clock::time_point now,
                                                           SteadyTime deadline) const;

  // The algorithms a token may use with the configured keys, e.g. {"HS256", "RS256", ...}.
  std::vector<std::string> AcceptedAlgorithms() const;
  // JWKs of the jwks_file that were skipped as unusable for signatures (for the start-up log).
  int SkippedJwks() const { return skipped_jwks_; }
  // The keys fetched from the identity provider, or null when they come from a file or a secret.
  std::shared_ptr<RemoteJwks> remote_keys() const { return remote_; }
  VerifiedTokenCache::Stats CacheStats() const { return cache_.GetStats(); }

  JwtVerifier(const JwtVerifier&) = delete;
  JwtVerifier& operator=(const JwtVerifier&) = delete;

 private:
  JwtVerifier(const config::AuthSettings& auth, std::string login_role, size_t cache_capacity);

  // Where a verdict goes in the cache: the token's key (empty: not cached), and the key
  // withdrawals counted before the check read its keys (RemoteJwks::withdrawals).
  struct CacheSlot {
    const std::string& key;
    uint64_t withdrawals;
  };
  // The cached verdict, or the full check (VerifyToken). Sets `key_missing` when the token's key
  // is not (yet) among the keys: a fetch might bring it.
  VerifyResult Check(std::string_view authorization, std::chrono::system_clock::time_point now,
                     bool& key_missing) const;
  // The full check of a token not found in the cache; a success is cached in `slot`.
  VerifyResult VerifyToken(std::string_view token, double now, const CacheSlot& slot, bool& key_missing) const;
  bool Accepts(Algorithm alg, const JwkSet* keys) const;
  // The public keys in force now: the file's, the latest fetched, or null (none fetched yet / none configured).
  std::shared_ptr<const JwkSet> CurrentKeys() const;

  std::string issuer_;
  std::string audience_;
  std::vector<std::string> role_path_;  // auth.role_claim split at '.'
  std::vector<std::string> allowed_roles_;
  std::string login_role_;
  double skew_seconds_ = 0;

  // One keyed HMAC context per HS algorithm the secret is long enough for (RFC 7518 §3.2).
  std::array<EvpMacCtxPtr, 3> hmac_;  // HS256, HS384, HS512; null when not accepted
  std::shared_ptr<const JwkSet> file_keys_;  // auth.jwks_file
  std::shared_ptr<RemoteJwks> remote_;       // auth.jwks_url or discovery from auth.issuer
  int skipped_jwks_ = 0;

  mutable VerifiedTokenCache cache_;
};

}  // namespace pgmcp::auth

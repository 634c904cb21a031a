// Public verification keys read from a JWKS document (RFC 7517) of RSA and EC keys, turned into
// OpenSSL EVP_PKEYs once at start-up. A parsed set is immutable; share it read-only across threads.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/openssl_handles.h"
#include "auth/signature.h"
#include "common/result.h"

namespace pgmcp::auth {

struct PublicKey {
  std::string kid;                     // empty when the JWK has none
  KeyFamily family = KeyFamily::kRsa;  // kRsa or kEc
  std::string curve;                   // "P-256", "P-384" or "P-521" for EC keys
  std::optional<Algorithm> alg;        // the JWK's "alg": then the only algorithm the key verifies
  EvpPkeyPtr pkey;

  // Whether a token signed with `alg` may be checked with this key (family, curve, JWK alg).
  bool Fits(Algorithm token_alg) const;
};

struct JwkSet {
  std::vector<PublicKey> keys;
  // JWKs left out because they are not signature keys pgmcp can use (kty "oct" or "OKP", another
  // curve, "use": "enc", key_ops without "verify"); for the start-up log.
  int skipped = 0;
};

// How many keys of `before` are missing from `after`: no key there has the same kid, family,
// curve, JWK alg and public key. Such a key was withdrawn (or its kid now names other material),
// and no verdict it reached may be served any longer.
size_t CountWithdrawnKeys(const JwkSet& before, const JwkSet& after);

// Whether a well-formed document without one usable key is an error (a file, where it is a
// mistake) or an empty set (fetched from the identity provider, which may withdraw every key).
enum class EmptyKeySet { kRefused, kAllowed };

// Parses a JWKS document ({"keys": [...]}). A malformed document, a malformed RSA or EC key, an RSA
// modulus under 2048 bits, or (kRefused) a set with no usable key is a kConfig error naming `setting`.
Result<JwkSet> ParseJwkSet(std::string_view json, std::string_view setting,
                           EmptyKeySet empty = EmptyKeySet::kRefused);

}  // namespace pgmcp::auth

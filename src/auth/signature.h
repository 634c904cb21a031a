// The JWS algorithms pgmcp accepts (RFC 7518 §3) and the OpenSSL EVP calls that check them: HMAC,
// RSASSA-PKCS1-v1_5, RSASSA-PSS and ECDSA. Stateless functions, safe to call from any thread.
#pragma once

#include <openssl/evp.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "auth/openssl_handles.h"

namespace pgmcp::auth {

// Four families of three hash strengths, in this order (signature.cc relies on it).
enum class Algorithm {
  kHs256,
  kHs384,
  kHs512,
  kRs256,
  kRs384,
  kRs512,
  kPs256,
  kPs384,
  kPs512,
  kEs256,
  kEs384,
  kEs512,
};

// What kind of key an algorithm needs; the allow-list of a verifier is "every algorithm whose
// family it has a key for", which is what keeps `none` and HS/RS confusion out.
enum class KeyFamily { kHmac, kRsa, kEc };

// Names are case-sensitive (RFC 7515 §4.1.1): "hs256" is not an algorithm.
std::optional<Algorithm> ParseAlgorithm(std::string_view name);
std::string_view AlgorithmName(Algorithm alg);
KeyFamily FamilyOf(Algorithm alg);
// 0, 1 or 2 for the SHA-256, SHA-384 or SHA-512 member of an algorithm's family.
size_t StrengthIndex(Algorithm alg);
// Bytes of the hash output: the minimum HMAC key length (RFC 7518 §3.2) and the PSS salt length.
size_t DigestSize(Algorithm alg);
// The JWK curve name ("P-256", "P-384", "P-521") an ES* algorithm needs; empty for others.
std::string_view CurveOf(Algorithm alg);

// The HMAC of `data` under a keyed context made by NewHmacContext; nullopt if OpenSSL fails.
// A keyed context is duplicated per call, so the key schedule is computed once, not per token.
EvpMacCtxPtr NewHmacContext(Algorithm alg, std::string_view key);
std::optional<std::string> ComputeHmac(const EVP_MAC_CTX& keyed, std::string_view data);

// True when `signature` (JWS form: raw r||s for ECDSA) is a valid signature of `data` by `key`
// under `alg`. The caller has already checked that the key's family and curve fit `alg`.
bool VerifyWithPublicKey(Algorithm alg, EVP_PKEY& key, std::string_view data, std::string_view signature);

// SHA-256 of `data` (32 bytes); the cache key of a verified token.
std::string Sha256(std::string_view data);

}  // namespace pgmcp::auth

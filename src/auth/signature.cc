#include "auth/signature.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/rsa.h>

#include <array>

namespace pgmcp::auth {
namespace {

// The Algorithm enum lists four families (HS, RS, PS, ES) of three hash strengths each
// (SHA-256, SHA-384, SHA-512): an algorithm's index is family * 3 + strength.
constexpr size_t kStrengths = 3;
constexpr std::array<std::string_view, 12> kNames = {"HS256", "HS384", "HS512", "RS256", "RS384", "RS512",
                                                     "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"};
constexpr std::array<std::string_view, kStrengths> kDigestNames = {"SHA256", "SHA384", "SHA512"};
constexpr std::array<size_t, kStrengths> kDigestSizes = {32, 48, 64};
constexpr std::array<std::string_view, kStrengths> kCurves = {"P-256", "P-384", "P-521"};
constexpr std::array<size_t, kStrengths> kCoordinateSizes = {32, 48, 66};  // P-521: 521 bits rounded up

size_t FamilyIndex(Algorithm alg) { return static_cast<size_t>(alg) / kStrengths; }

bool IsPss(Algorithm alg) { return FamilyIndex(alg) == 2; }

// Digests are fetched from the provider once per process: an implicit fetch on every
// EVP_DigestVerifyInit would cost a lock and a lookup per request.
const EVP_MD* Digest(size_t strength) {
  static const std::array<EvpMdPtr, kStrengths> digests = {
      EvpMdPtr(EVP_MD_fetch(nullptr, kDigestNames[0].data(), nullptr)),
      EvpMdPtr(EVP_MD_fetch(nullptr, kDigestNames[1].data(), nullptr)),
      EvpMdPtr(EVP_MD_fetch(nullptr, kDigestNames[2].data(), nullptr))};
  return digests[strength].get();
}

const EVP_MAC* HmacMac() {
  static const EvpMacPtr mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  return mac.get();
}

// JWS carries ECDSA signatures as the fixed-width big-endian r and s side by side (RFC 7518
// §3.4); OpenSSL verifies the DER SEQUENCE of two INTEGERs. Wrong widths are not a signature.
std::optional<std::string> RawEcdsaToDer(std::string_view raw, size_t coordinate_size) {
  if (raw.size() != 2 * coordinate_size) return std::nullopt;
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
  BignumPtr r(BN_bin2bn(bytes, static_cast<int>(coordinate_size), nullptr));
  BignumPtr s(BN_bin2bn(bytes + coordinate_size, static_cast<int>(coordinate_size), nullptr));
  EcdsaSigPtr sig(ECDSA_SIG_new());
  if (!r || !s || !sig) return std::nullopt;
  if (ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) return std::nullopt;
  static_cast<void>(r.release());  // owned by sig now
  static_cast<void>(s.release());
  const int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (len <= 0) return std::nullopt;
  std::string der(static_cast<size_t>(len), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_ECDSA_SIG(sig.get(), &out) != len) return std::nullopt;
  return der;
}

}  // namespace

std::optional<Algorithm> ParseAlgorithm(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<Algorithm>(i);
  }
  return std::nullopt;
}

size_t StrengthIndex(Algorithm alg) { return static_cast<size_t>(alg) % kStrengths; }

std::string_view AlgorithmName(Algorithm alg) { return kNames[static_cast<size_t>(alg)]; }

KeyFamily FamilyOf(Algorithm alg) {
  constexpr std::array<KeyFamily, 4> kFamilies = {KeyFamily::kHmac, KeyFamily::kRsa, KeyFamily::kRsa, KeyFamily::kEc};
  return kFamilies[FamilyIndex(alg)];
}

size_t DigestSize(Algorithm alg) { return kDigestSizes[StrengthIndex(alg)]; }

std::string_view CurveOf(Algorithm alg) {
  return FamilyOf(alg) == KeyFamily::kEc ? kCurves[StrengthIndex(alg)] : std::string_view();
}

EvpMacCtxPtr NewHmacContext(Algorithm alg, std::string_view key) {
  const EVP_MAC* mac = HmacMac();
  if (mac == nullptr || FamilyOf(alg) != KeyFamily::kHmac) return nullptr;
  EvpMacCtxPtr ctx(EVP_MAC_CTX_new(const_cast<EVP_MAC*>(mac)));
  if (!ctx) return nullptr;
  std::string digest(kDigestNames[StrengthIndex(alg)]);
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest.data(), 0),
      OSSL_PARAM_construct_end(),
  };
  if (EVP_MAC_init(ctx.get(), reinterpret_cast<const unsigned char*>(key.data()), key.size(), params) != 1) {
    return nullptr;
  }
  return ctx;
}

std::optional<std::string> ComputeHmac(const EVP_MAC_CTX& keyed, std::string_view data) {
  // EVP_MAC_CTX_dup only reads its source, so one keyed context serves every thread.
  EvpMacCtxPtr ctx(EVP_MAC_CTX_dup(&keyed));
  if (!ctx) return std::nullopt;
  if (EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1) {
    return std::nullopt;
  }
  std::string out(EVP_MAX_MD_SIZE, '\0');
  size_t len = 0;
  if (EVP_MAC_final(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len, out.size()) != 1) {
    return std::nullopt;
  }
  out.resize(len);
  return out;
}

bool VerifyWithPublicKey(Algorithm alg, EVP_PKEY& key, std::string_view data, std::string_view signature) {
  const KeyFamily family = FamilyOf(alg);
  if (family == KeyFamily::kHmac) return false;
  const EVP_MD* md = Digest(StrengthIndex(alg));
  if (md == nullptr) return false;

  std::string der;
  if (family == KeyFamily::kEc) {
    auto converted = RawEcdsaToDer(signature, kCoordinateSizes[StrengthIndex(alg)]);
    if (!converted) return false;
    der = std::move(*converted);
    signature = der;
  }

  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx) return false;
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  if (EVP_DigestVerifyInit(ctx.get(), &pctx, md, nullptr, &key) != 1) return false;
  if (family == KeyFamily::kRsa) {
    if (IsPss(alg)) {
      // RFC 7518 §3.5: MGF1 with the same hash, salt as long as the hash output.
      if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
          EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) != 1 ||
          EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, static_cast<int>(DigestSize(alg))) != 1) {
        return false;
      }
    } else if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1) {
      return false;
    }
  }
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                          reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
}

std::string Sha256(std::string_view data) {
  std::string out(32, '\0');
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(out.data()), &len, Digest(0),
                 nullptr) != 1 ||
      len != out.size()) {
    // Only a broken OpenSSL gets here; an empty key never matches a cached entry.
    return {};
  }
  return out;
}

}  // namespace pgmcp::auth

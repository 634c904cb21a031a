#include "auth/signature.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/rsa.h>

#include <array>

namespace pgmcp::auth {
namespace {

struct AlgorithmInfo {
  Algorithm alg;
  std::string_view name;
  KeyFamily family;
  std::string_view digest;  // OpenSSL digest name
  size_t digest_size;
  std::string_view curve;
};

constexpr std::array<AlgorithmInfo, 12> kAlgorithms = {{
    {Algorithm::kHs256, "HS256", KeyFamily::kHmac, "SHA256", 32, ""},
    {Algorithm::kHs384, "HS384", KeyFamily::kHmac, "SHA384", 48, ""},
    {Algorithm::kHs512, "HS512", KeyFamily::kHmac, "SHA512", 64, ""},
    {Algorithm::kRs256, "RS256", KeyFamily::kRsa, "SHA256", 32, ""},
    {Algorithm::kRs384, "RS384", KeyFamily::kRsa, "SHA384", 48, ""},
    {Algorithm::kRs512, "RS512", KeyFamily::kRsa, "SHA512", 64, ""},
    {Algorithm::kPs256, "PS256", KeyFamily::kRsa, "SHA256", 32, ""},
    {Algorithm::kPs384, "PS384", KeyFamily::kRsa, "SHA384", 48, ""},
    {Algorithm::kPs512, "PS512", KeyFamily::kRsa, "SHA512", 64, ""},
    {Algorithm::kEs256, "ES256", KeyFamily::kEc, "SHA256", 32, "P-256"},
    {Algorithm::kEs384, "ES384", KeyFamily::kEc, "SHA384", 48, "P-384"},
    {Algorithm::kEs512, "ES512", KeyFamily::kEc, "SHA512", 64, "P-521"},
}};

const AlgorithmInfo& Info(Algorithm alg) { return kAlgorithms[static_cast<size_t>(alg)]; }

bool IsPss(Algorithm alg) { return alg == Algorithm::kPs256 || alg == Algorithm::kPs384 || alg == Algorithm::kPs512; }

// Digests are fetched from the provider once per process: an implicit fetch on every
// EVP_DigestVerifyInit would cost a lock and a lookup per request.
const EVP_MD* Digest(std::string_view name) {
  static const EvpMdPtr sha256(EVP_MD_fetch(nullptr, "SHA256", nullptr));
  static const EvpMdPtr sha384(EVP_MD_fetch(nullptr, "SHA384", nullptr));
  static const EvpMdPtr sha512(EVP_MD_fetch(nullptr, "SHA512", nullptr));
  if (name == "SHA256") return sha256.get();
  if (name == "SHA384") return sha384.get();
  return sha512.get();
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

size_t CoordinateSize(Algorithm alg) {
  switch (alg) {
    case Algorithm::kEs256:
      return 32;
    case Algorithm::kEs384:
      return 48;
    default:
      return 66;  // P-521: 521 bits rounded up to bytes
  }
}

}  // namespace

std::optional<Algorithm> ParseAlgorithm(std::string_view name) {
  for (const auto& info : kAlgorithms) {
    if (info.name == name) return info.alg;
  }
  return std::nullopt;
}

std::string_view AlgorithmName(Algorithm alg) { return Info(alg).name; }
KeyFamily FamilyOf(Algorithm alg) { return Info(alg).family; }
size_t DigestSize(Algorithm alg) { return Info(alg).digest_size; }
std::string_view CurveOf(Algorithm alg) { return Info(alg).curve; }

EvpMacCtxPtr NewHmacContext(Algorithm alg, std::string_view key) {
  const EVP_MAC* mac = HmacMac();
  if (mac == nullptr || FamilyOf(alg) != KeyFamily::kHmac) return nullptr;
  EvpMacCtxPtr ctx(EVP_MAC_CTX_new(const_cast<EVP_MAC*>(mac)));
  if (!ctx) return nullptr;
  std::string digest(Info(alg).digest);
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
  const AlgorithmInfo& info = Info(alg);
  if (info.family == KeyFamily::kHmac) return false;
  const EVP_MD* md = Digest(info.digest);
  if (md == nullptr) return false;

  std::string der;
  if (info.family == KeyFamily::kEc) {
    auto converted = RawEcdsaToDer(signature, CoordinateSize(alg));
    if (!converted) return false;
    der = std::move(*converted);
    signature = der;
  }

  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx) return false;
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  if (EVP_DigestVerifyInit(ctx.get(), &pctx, md, nullptr, &key) != 1) return false;
  if (info.family == KeyFamily::kRsa) {
    if (IsPss(alg)) {
      // RFC 7518 §3.5: MGF1 with the same hash, salt as long as the hash output.
      if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
          EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) != 1 ||
          EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, static_cast<int>(info.digest_size)) != 1) {
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
  if (EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(out.data()), &len, Digest("SHA256"),
                 nullptr) != 1 ||
      len != out.size()) {
    // Only a broken OpenSSL gets here; an empty key never matches a cached entry.
    return {};
  }
  return out;
}

}  // namespace pgmcp::auth

// Test-only: makes keys with OpenSSL EVP and signs JWTs with them, so the verifier's tests can mint
// every token they need (good, tampered, confused). Independent of the verifier's own crypto code.
#pragma once

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "auth/base64url.h"
#include "auth/openssl_handles.h"

namespace pgmcp::auth::testing {

inline void Check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("OpenSSL failed: ") + what);
}

inline EvpPkeyPtr GenerateRsa(unsigned bits = 2048) {
  EvpPkeyPtr key(EVP_RSA_gen(bits));
  Check(key != nullptr, "EVP_RSA_gen");
  return key;
}

// curve: an OpenSSL group name, "P-256", "P-384" or "P-521".
inline EvpPkeyPtr GenerateEc(const char* curve) {
  EvpPkeyPtr key(EVP_EC_gen(curve));
  Check(key != nullptr, "EVP_EC_gen");
  return key;
}

inline std::string BignumParam(const EVP_PKEY& key, const char* name, int width = 0) {
  BIGNUM* raw = nullptr;
  Check(EVP_PKEY_get_bn_param(&key, name, &raw) == 1, name);
  BignumPtr bn(raw);
  std::string out(static_cast<size_t>(width > 0 ? width : BN_num_bytes(bn.get())), '\0');
  Check(BN_bn2binpad(bn.get(), reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(out.size())) >= 0,
        "BN_bn2binpad");
  return out;
}

// The JWK of a public RSA key, with kid/alg/use only when non-empty.
inline boost::json::object RsaJwk(const EVP_PKEY& key, std::string_view kid = {}, std::string_view alg = {},
                                  std::string_view use = {}) {
  boost::json::object jwk{{"kty", "RSA"},
                          {"n", EncodeBase64Url(BignumParam(key, OSSL_PKEY_PARAM_RSA_N))},
                          {"e", EncodeBase64Url(BignumParam(key, OSSL_PKEY_PARAM_RSA_E))}};
  if (!kid.empty()) jwk["kid"] = kid;
  if (!alg.empty()) jwk["alg"] = alg;
  if (!use.empty()) jwk["use"] = use;
  return jwk;
}

inline int CoordinateBytes(std::string_view crv) { return crv == "P-256" ? 32 : crv == "P-384" ? 48 : 66; }

inline boost::json::object EcJwk(const EVP_PKEY& key, std::string_view crv, std::string_view kid = {},
                                 std::string_view alg = {}) {
  const int width = CoordinateBytes(crv);
  boost::json::object jwk{{"kty", "EC"},
                          {"crv", crv},
                          {"x", EncodeBase64Url(BignumParam(key, OSSL_PKEY_PARAM_EC_PUB_X, width))},
                          {"y", EncodeBase64Url(BignumParam(key, OSSL_PKEY_PARAM_EC_PUB_Y, width))}};
  if (!kid.empty()) jwk["kid"] = kid;
  if (!alg.empty()) jwk["alg"] = alg;
  return jwk;
}

inline std::string PublicKeyPem(const EVP_PKEY& key) {
  std::unique_ptr<BIO, OpenSslDeleter<BIO_free>> bio(BIO_new(BIO_s_mem()));
  Check(bio && PEM_write_bio_PUBKEY(bio.get(), const_cast<EVP_PKEY*>(&key)) == 1, "PEM_write_bio_PUBKEY");
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

inline const char* DigestFor(std::string_view alg) {
  const auto bits = alg.substr(2);
  return bits == "256" ? "SHA256" : bits == "384" ? "SHA384" : "SHA512";
}

inline std::string Hmac(std::string_view alg, std::string_view secret, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  size_t len = 0;
  Check(EVP_Q_mac(nullptr, "HMAC", nullptr, DigestFor(alg), nullptr, secret.data(), secret.size(),
                  reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, sizeof out, &len) != nullptr,
        "EVP_Q_mac");
  return std::string(reinterpret_cast<char*>(out), len);
}

// RS*, PS* and ES* signatures in JWS form (ECDSA as raw r||s).
inline std::string SignWithKey(std::string_view alg, EVP_PKEY& key, std::string_view data) {
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  Check(EVP_DigestSignInit_ex(ctx.get(), &pctx, DigestFor(alg), nullptr, nullptr, &key, nullptr) == 1,
        "EVP_DigestSignInit_ex");
  if (alg.starts_with("PS")) {
    Check(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
              EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1,
          "PSS parameters");
  }
  size_t len = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(data.data());
  Check(EVP_DigestSign(ctx.get(), nullptr, &len, in, data.size()) == 1, "EVP_DigestSign size");
  std::string sig(len, '\0');
  Check(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, in, data.size()) == 1,
        "EVP_DigestSign");
  sig.resize(len);
  if (!alg.starts_with("ES")) return sig;

  const auto* der = reinterpret_cast<const unsigned char*>(sig.data());
  EcdsaSigPtr ecdsa(d2i_ECDSA_SIG(nullptr, &der, static_cast<long>(sig.size())));
  Check(ecdsa != nullptr, "d2i_ECDSA_SIG");
  const int width = CoordinateBytes(alg == "ES256" ? "P-256" : alg == "ES384" ? "P-384" : "P-521");
  std::string raw(static_cast<size_t>(2 * width), '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  Check(BN_bn2binpad(ECDSA_SIG_get0_r(ecdsa.get()), out, width) == width &&
            BN_bn2binpad(ECDSA_SIG_get0_s(ecdsa.get()), out + width, width) == width,
        "BN_bn2binpad");
  return raw;
}

// header.payload.signature from raw JSON texts (any bytes: tests need malformed ones too).
inline std::string MintHmac(std::string_view header_json, std::string_view payload_json, std::string_view secret,
                            std::string_view alg) {
  const std::string input = EncodeBase64Url(header_json) + "." + EncodeBase64Url(payload_json);
  return input + "." + EncodeBase64Url(Hmac(alg, secret, input));
}

inline std::string MintWithKey(std::string_view header_json, std::string_view payload_json, EVP_PKEY& key,
                               std::string_view alg) {
  const std::string input = EncodeBase64Url(header_json) + "." + EncodeBase64Url(payload_json);
  return input + "." + EncodeBase64Url(SignWithKey(alg, key, input));
}

// A fresh directory under the system temp dir, removed with its files on destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "pgmcp_auth_XXXXXX").string();
    Check(mkdtemp(tmpl.data()) != nullptr, "mkdtemp");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

  std::string Write(const std::string& name, std::string_view content) const {
    const auto file = path_ / name;
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    return file.string();
  }

 private:
  std::filesystem::path path_;
};

}  // namespace pgmcp::auth::testing

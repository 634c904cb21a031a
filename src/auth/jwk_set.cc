#include "auth/jwk_set.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <algorithm>
#include <boost/json.hpp>

#include "auth/base64url.h"
#include "common/json.h"

namespace pgmcp::auth {
namespace {

constexpr size_t kJwksMaxDepth = 16;
constexpr int kMinRsaBits = 2048;

struct CurveInfo {
  std::string_view jwk_name;
  const char* openssl_group;
  size_t coordinate_size;
};

constexpr CurveInfo kCurves[] = {
    {"P-256", "prime256v1", 32},
    {"P-384", "secp384r1", 48},
    {"P-521", "secp521r1", 66},
};

Error KeyError(std::string_view setting, size_t index, std::string_view what) {
  return MakeError(ErrorKind::kConfig,
                   std::string(setting) + ": key " + std::to_string(index) + " " + std::string(what) + ".");
}

// The decoded bytes of a required base64url string member, or nullopt.
std::optional<std::string> BytesMember(const boost::json::object& jwk, std::string_view name) {
  const auto* v = jwk.if_contains(name);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  const auto& s = v->get_string();
  return DecodeBase64Url(std::string_view(s.data(), s.size()));
}

std::optional<std::string> StringMember(const boost::json::object& jwk, std::string_view name) {
  const auto* v = jwk.if_contains(name);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string(v->get_string());
}

// Builds a public EVP_PKEY of `type` ("RSA" or "EC") from provider parameters, then lets OpenSSL
// check it (an EC point on the curve, a plausible RSA modulus and exponent).
EvpPkeyPtr PublicKeyFromParams(const char* type, const OSSL_PARAM* params) {
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) return nullptr;
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, const_cast<OSSL_PARAM*>(params)) != 1) {
    return nullptr;
  }
  EvpPkeyPtr pkey(raw);
  EvpPkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) return nullptr;
  return pkey;
}

EvpPkeyPtr RsaKey(const std::string& n, const std::string& e) {
  const auto* nb = reinterpret_cast<const unsigned char*>(n.data());
  const auto* eb = reinterpret_cast<const unsigned char*>(e.data());
  BignumPtr bn_n(BN_bin2bn(nb, static_cast<int>(n.size()), nullptr));
  BignumPtr bn_e(BN_bin2bn(eb, static_cast<int>(e.size()), nullptr));
  OsslParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bn_n || !bn_e || !bld) return nullptr;
  if (OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1) {
    return nullptr;
  }
  OsslParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  if (!params) return nullptr;
  return PublicKeyFromParams("RSA", params.get());
}

EvpPkeyPtr EcKey(const CurveInfo& curve, const std::string& x, const std::string& y) {
  // Uncompressed SEC1 point: 0x04 || X || Y.
  std::string point;
  point.reserve(1 + x.size() + y.size());
  point.push_back('\x04');
  point += x;
  point += y;
  std::string group(curve.openssl_group);
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group.data(), 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()),
      OSSL_PARAM_construct_end(),
  };
  return PublicKeyFromParams("EC", params);
}

bool UsableForSignatures(const boost::json::object& jwk) {
  if (auto use = StringMember(jwk, "use"); use && *use != "sig") return false;
  if (const auto* ops = jwk.if_contains("key_ops"); ops != nullptr) {
    if (!ops->is_array()) return false;
    bool verify = false;
    for (const auto& op : ops->get_array()) verify = verify || (op.is_string() && op.get_string() == "verify");
    if (!verify) return false;
  }
  return true;
}

}  // namespace

bool PublicKey::Fits(Algorithm token_alg) const {
  if (alg && *alg != token_alg) return false;
  if (FamilyOf(token_alg) != family) return false;
  return family != KeyFamily::kEc || CurveOf(token_alg) == curve;
}

size_t CountWithdrawnKeys(const JwkSet& before, const JwkSet& after) {
  const auto same = [](const PublicKey& a, const PublicKey& b) {
    return a.kid == b.kid && a.family == b.family && a.curve == b.curve && a.alg == b.alg &&
           EVP_PKEY_eq(a.pkey.get(), b.pkey.get()) == 1;
  };
  return static_cast<size_t>(std::count_if(before.keys.begin(), before.keys.end(), [&](const PublicKey& old_key) {
    return std::none_of(after.keys.begin(), after.keys.end(),
                        [&](const PublicKey& new_key) { return same(old_key, new_key); });
  }));
}

Result<JwkSet> ParseJwkSet(std::string_view json, std::string_view setting, EmptyKeySet empty) {
  const std::string where(setting);
  auto doc = ParseJson(json, kJwksMaxDepth);
  if (!doc.ok()) {
    return MakeError(ErrorKind::kConfig, where + " is not a valid JWKS document: " + doc.error().message);
  }
  const auto* keys = Member(*doc, "keys");
  if (keys == nullptr || !keys->is_array()) {
    return MakeError(ErrorKind::kConfig, where + " must hold a JSON object with a \"keys\" array.");
  }

  JwkSet set;
  const auto& array = keys->get_array();
  for (size_t i = 0; i < array.size(); ++i) {
    if (!array[i].is_object()) return KeyError(where, i, "is not a JSON object");
    const auto& jwk = array[i].get_object();
    const auto kty = StringMember(jwk, "kty");
    if (!kty) return KeyError(where, i, "has no \"kty\"");
    if ((*kty != "RSA" && *kty != "EC") || !UsableForSignatures(jwk)) {
      ++set.skipped;
      continue;
    }

    PublicKey key;
    key.kid = StringMember(jwk, "kid").value_or("");
    if (const auto* alg = jwk.if_contains("alg"); alg != nullptr) {
      std::optional<Algorithm> parsed;
      if (alg->is_string()) {
        const auto& s = alg->get_string();
        parsed = ParseAlgorithm(std::string_view(s.data(), s.size()));
      }
      if (!parsed) {
        // An algorithm pgmcp does not implement (e.g. RSA-OAEP on a mislabelled key): not ours.
        ++set.skipped;
        continue;
      }
      key.alg = parsed;
    }

    if (*kty == "RSA") {
      key.family = KeyFamily::kRsa;
      const auto n = BytesMember(jwk, "n");
      const auto e = BytesMember(jwk, "e");
      if (!n || !e || n->empty() || e->empty()) {
        return KeyError(where, i, "needs \"n\" and \"e\" as base64url strings");
      }
      key.pkey = RsaKey(*n, *e);
      if (!key.pkey) return KeyError(where, i, "is not a valid RSA public key");
      if (EVP_PKEY_get_bits(key.pkey.get()) < kMinRsaBits) {
        return KeyError(where, i, "is an RSA key shorter than 2048 bits");
      }
    } else {
      key.family = KeyFamily::kEc;
      const auto crv = StringMember(jwk, "crv");
      const CurveInfo* curve = nullptr;
      for (const auto& c : kCurves) {
        if (crv && *crv == c.jwk_name) curve = &c;
      }
      if (curve == nullptr) {
        ++set.skipped;  // secp256k1 and friends: no JWS algorithm here uses them
        continue;
      }
      key.curve = std::string(curve->jwk_name);
      const auto x = BytesMember(jwk, "x");
      const auto y = BytesMember(jwk, "y");
      // RFC 7518 §6.2.1.2: coordinates are full-width, leading zeros kept.
      if (!x || !y || x->size() != curve->coordinate_size || y->size() != curve->coordinate_size) {
        return KeyError(where, i, "needs \"x\" and \"y\" as full-width base64url coordinates");
      }
      key.pkey = EcKey(*curve, *x, *y);
      if (!key.pkey) return KeyError(where, i, "is not a valid point on " + key.curve);
    }
    if (key.alg && !key.Fits(*key.alg)) {
      return KeyError(where, i, "has an \"alg\" that does not match its key type");
    }
    set.keys.push_back(std::move(key));
  }
  if (set.keys.empty() && empty == EmptyKeySet::kRefused) {
    return MakeError(ErrorKind::kConfig, where + " holds no RSA or EC (P-256, P-384, P-521) signature key.");
  }
  return set;
}

}  // namespace pgmcp::auth

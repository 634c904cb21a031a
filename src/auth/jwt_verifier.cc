#include "auth/jwt_verifier.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>

#include "auth/base64url.h"
#include "auth/header_text.h"
#include "common/hex.h"
#include "common/json.h"
#include "common/json_string.h"

namespace pgmcp::auth {
namespace {

constexpr size_t kMaxKeyFileBytes = 1 << 20;  // a JWKS of a few dozen keys is a few KiB

// A refusal: the sentence for the client, the reason label for the metric in Error::code.
Error Fail(std::string reason, std::string message, ErrorKind kind = ErrorKind::kUnauthenticated) {
  return MakeError(kind, std::move(message), std::move(reason));
}

Error Malformed(std::string message) { return Fail("malformed", std::move(message)); }

std::string_view View(const boost::json::string& s) { return {s.data(), s.size()}; }

Result<std::string> ReadKeyFile(const std::string& path, std::string_view setting) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {  // a directory would "open" and read nothing
    return MakeError(ErrorKind::kConfig, std::string(setting) + ": " + path + " is not a readable file.");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return MakeError(ErrorKind::kConfig, std::string(setting) + ": cannot read " + path + ".");
  }
  std::string data;
  char buf[4096];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    data.append(buf, static_cast<size_t>(in.gcount()));
    if (data.size() > kMaxKeyFileBytes) {
      return MakeError(ErrorKind::kConfig, std::string(setting) + ": " + path + " is larger than 1 MiB.");
    }
  }
  if (in.bad()) {
    return MakeError(ErrorKind::kConfig, std::string(setting) + ": cannot read " + path + ".");
  }
  return data;
}

// `echo secret > file` and editors add one newline that is not part of the secret (docs/auth.md).
void DropOneTrailingNewline(std::string& secret) {
  if (secret.ends_with("\r\n")) {
    secret.resize(secret.size() - 2);
  } else if (secret.ends_with('\n')) {
    secret.pop_back();
  }
}

// Boost.JSON reads out-of-range numbers such as 1e400 as infinity and would serialize them as the
// non-JSON `Infinity`; the claims must reach PostgreSQL as valid JSON, so such tokens are refused.
bool AllNumbersFinite(const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::double_:
      return std::isfinite(v.get_double());
    case boost::json::kind::array:
      return std::all_of(v.get_array().begin(), v.get_array().end(), AllNumbersFinite);
    case boost::json::kind::object:
      return std::all_of(v.get_object().begin(), v.get_object().end(),
                         [](const auto& kv) { return AllNumbersFinite(kv.value()); });
    default:
      return true;
  }
}

// A NumericDate claim (RFC 7519 §2): absent, a number, or the wrong type.
enum class ClaimState { kAbsent, kNumber, kWrongType };

// The hex SHA-256 of the members a new token for the same caller keeps: every claim but exp, iat,
// nbf and jti, in name order (an issuer may order them differently from token to token).
std::string LastingClaimsDigest(const boost::json::object& claims) {
  std::vector<std::pair<std::string_view, std::string>> lasting;
  for (const auto& member : claims) {
    const std::string_view name(member.key().data(), member.key().size());
    if (name == "exp" || name == "iat" || name == "nbf" || name == "jti") continue;
    lasting.emplace_back(name, boost::json::serialize(member.value()));
  }
  std::sort(lasting.begin(), lasting.end());
  std::string canonical;
  for (const auto& [name, value] : lasting) {
    AppendJsonString(name, canonical);
    canonical += ':';
    canonical += value;
    canonical += ',';
  }
  std::string hex;
  AppendLowerHex(Sha256(canonical), hex);
  return hex;
}

ClaimState NumericClaim(const boost::json::object& claims, std::string_view name, double& out) {
  const auto* v = claims.if_contains(name);
  if (v == nullptr) return ClaimState::kAbsent;
  if (v->is_int64()) {
    out = static_cast<double>(v->get_int64());
  } else if (v->is_uint64()) {
    out = static_cast<double>(v->get_uint64());
  } else if (v->is_double()) {
    out = v->get_double();
  } else {
    return ClaimState::kWrongType;
  }
  return ClaimState::kNumber;
}

bool TypIsJwt(std::string_view typ) {
  // RFC 7515 §4.1.9 lets the "application/" prefix be omitted; RFC 9068 OAuth access tokens say
  // "at+jwt". Other types (logout+jwt, secevent+jwt, ...) are different documents, not bearer tokens.
  if (typ.size() > 12 && EqualsIgnoreCase(typ.substr(0, 12), "application/")) typ.remove_prefix(12);
  return EqualsIgnoreCase(typ, "JWT") || EqualsIgnoreCase(typ, "at+jwt");
}

// Tokens up to this long are cached under their own bytes (compared exactly), longer ones under
// their SHA-256: hashing a typical token cost more than the rest of a cache hit, and the bound
// keeps a full cache's memory to a few MiB (docs/decisions.md, "The verified-token cache key").
constexpr size_t kMaxTokenBytesKeptWhole = 512;

// The cache key of a token: a tag byte ('t' for the token itself, 'h' for its digest) keeps the
// two kinds of key apart; empty (never cached) only when OpenSSL cannot hash.
std::string TokenCacheKey(std::string_view token) {
  if (token.size() <= kMaxTokenBytesKeptWhole) {
    std::string key;
    key.reserve(token.size() + 1);
    key.push_back('t');
    key.append(token);
    return key;
  }
  const std::string digest = Sha256(token);
  return digest.empty() ? std::string() : "h" + digest;
}

constexpr Algorithm kHmacAlgorithms[] = {Algorithm::kHs256, Algorithm::kHs384, Algorithm::kHs512};

Result<std::shared_ptr<RemoteJwks>> MakeRemoteKeys(const config::AuthSettings& auth,
                                                   const std::optional<boost::asio::any_io_executor>& executor) {
  RemoteJwksOptions options;
  options.issuer = auth.issuer;
  if (!auth.jwks_url.empty()) {
    auto url = ParseKeyUrl(auth.jwks_url, "auth.jwks_url");
    if (!url.ok()) return url.error();
    options.jwks_url = std::move(*url);
  } else {
    auto url = ParseKeyUrl(auth.issuer, "auth.issuer (OpenID discovery)");
    if (!url.ok()) return url.error();
    options.issuer_url = std::move(*url);
  }
  if (auth.jwks_refetch_seconds < 1 || auth.jwks_refetch_seconds > 3600) {
    return MakeError(ErrorKind::kConfig, "auth.jwks_refetch_seconds must be between 1 and 3600.");
  }
  options.policy.refetch_interval = std::chrono::seconds(auth.jwks_refetch_seconds);
  if (!executor) return MakeError(ErrorKind::kConfig, "auth.jwks_url and OpenID discovery need the HTTP transport.");
  auto tls = MakeTlsClientContext(auth.jwks_ca_file);
  if (!tls.ok()) return tls.error();
  return RemoteJwks::Create(*executor, std::move(options), std::move(*tls));
}

}  // namespace

JwtVerifier::JwtVerifier(const config::AuthSettings& auth, std::string login_role, size_t cache_capacity)
    : issuer_(auth.issuer),
      audience_(auth.audience),
      allowed_roles_(auth.allowed_roles),
      login_role_(std::move(login_role)),
      skew_seconds_(static_cast<double>(auth.clock_skew_seconds)),
      cache_(cache_capacity) {}

Result<std::shared_ptr<const JwtVerifier>> JwtVerifier::Create(const config::AuthSettings& auth,
                                                               std::string login_role) {
  VerifierOptions options;
  if (const char* env = std::getenv(kJwtSecretEnv); env != nullptr) options.env_secret = env;
  return Create(auth, std::move(login_role), std::move(options));
}

Result<std::shared_ptr<const JwtVerifier>> JwtVerifier::Create(const config::AuthSettings& auth, std::string login_role,
                                                               VerifierOptions options) {
  if (auth.clock_skew_seconds < 0 || auth.clock_skew_seconds > 86400) {
    return MakeError(ErrorKind::kConfig, "auth.clock_skew_seconds must be between 0 and 86400.");
  }
  std::shared_ptr<JwtVerifier> v(new JwtVerifier(auth, std::move(login_role), options.cache_capacity));

  // The role claim path: "app_metadata.role" -> {"app_metadata", "role"}.
  std::string_view path = auth.role_claim;
  while (true) {
    const size_t dot = path.find('.');
    v->role_path_.emplace_back(path.substr(0, dot));
    if (v->role_path_.back().empty()) {
      return MakeError(ErrorKind::kConfig,
                       "auth.role_claim must be a claim name or a dot path such as \"app_metadata.role\".");
    }
    if (dot == std::string_view::npos) break;
    path.remove_prefix(dot + 1);
  }

  if (auth.allowed_roles.empty()) {
    return MakeError(ErrorKind::kConfig, "auth.allowed_roles is empty: list the database roles a token may name.");
  }
  for (const auto& role : auth.allowed_roles) {
    if (role.empty() || EqualsIgnoreCase(role, "none") || role == v->login_role_) {
      return MakeError(ErrorKind::kConfig,
                       "auth.allowed_roles may not hold an empty role, \"none\" or the login role "
                       "itself: a token must never run with the login role's rights.");
    }
  }

  // HMAC secret: the file, or PGMCP_JWT_SECRET for deployments that inject secrets as variables.
  std::optional<std::string> secret;
  std::string secret_source;
  if (options.env_secret && options.env_secret->empty()) options.env_secret.reset();  // VAR= is unset
  if (!auth.jwt_secret_file.empty() && options.env_secret) {
    return MakeError(ErrorKind::kConfig, std::string("auth.jwt_secret_file and ") + kJwtSecretEnv +
                                             " are both set; keep one source of the secret.");
  }
  if (!auth.jwt_secret_file.empty()) {
    auto data = ReadKeyFile(auth.jwt_secret_file, "auth.jwt_secret_file");
    if (!data.ok()) return data.error();
    secret = std::move(*data);
    secret_source = "auth.jwt_secret_file";
  } else if (options.env_secret) {
    secret = std::move(*options.env_secret);
    secret_source = kJwtSecretEnv;
  }
  if (secret) {
    DropOneTrailingNewline(*secret);
    if (secret->size() < kMinSecretBytes) {
      return MakeError(ErrorKind::kConfig, secret_source +
                                               ": the HMAC secret is shorter than 32 bytes; use at least 32 "
                                               "random bytes (e.g. openssl rand -base64 48).");
    }
    for (const Algorithm alg : kHmacAlgorithms) {
      if (secret->size() < DigestSize(alg)) continue;  // RFC 7518 §3.2: key at least the hash size
      auto ctx = NewHmacContext(alg, *secret);
      if (!ctx) {
        return MakeError(ErrorKind::kConfig, secret_source + ": OpenSSL could not key HMAC.");
      }
      v->hmac_[StrengthIndex(alg)] = std::move(ctx);
    }
    OPENSSL_cleanse(secret->data(), secret->size());
  }

  // Public keys (docs/decisions.md, "Where public keys come from"): one file, one URL, or -- with
  // neither and no HMAC secret -- OpenID discovery from the issuer.
  if (!auth.jwks_file.empty() && !auth.jwks_url.empty()) {
    return MakeError(ErrorKind::kConfig, "auth.jwks_file and auth.jwks_url are both set; keep one source of public keys.");
  }
  if (!auth.jwks_file.empty()) {
    auto data = ReadKeyFile(auth.jwks_file, "auth.jwks_file");
    if (!data.ok()) return data.error();
    auto set = ParseJwkSet(*data, "auth.jwks_file");
    if (!set.ok()) return set.error();
    v->skipped_jwks_ = set->skipped;
    v->file_keys_ = std::make_shared<const JwkSet>(std::move(*set));
  } else if (!auth.jwks_url.empty() || (!secret && !auth.issuer.empty())) {
    auto remote = MakeRemoteKeys(auth, options.executor);
    if (!remote.ok()) return remote.error();
    v->remote_ = std::move(*remote);
  }

  if (!secret && v->file_keys_ == nullptr && v->remote_ == nullptr) {
    return MakeError(ErrorKind::kConfig, std::string("auth.mode = \"jwt\" needs auth.jwt_secret_file (or ") +
                                             kJwtSecretEnv +
                                             "), auth.jwks_file, auth.jwks_url, or auth.issuer for OpenID discovery.");
  }
  if (v->remote_) v->remote_->Start();
  return std::shared_ptr<const JwtVerifier>(std::move(v));
}

std::shared_ptr<const JwkSet> JwtVerifier::CurrentKeys() const { return remote_ ? remote_->Keys() : file_keys_; }

bool JwtVerifier::Accepts(Algorithm alg, const JwkSet* keys) const {
  if (FamilyOf(alg) == KeyFamily::kHmac) return hmac_[StrengthIndex(alg)] != nullptr;
  return keys != nullptr &&
         std::any_of(keys->keys.begin(), keys->keys.end(), [alg](const PublicKey& k) { return k.Fits(alg); });
}

std::vector<std::string> JwtVerifier::AcceptedAlgorithms() const {
  const auto keys = CurrentKeys();
  std::vector<std::string> out;
  for (int i = 0; i <= static_cast<int>(Algorithm::kEs512); ++i) {
    const auto alg = static_cast<Algorithm>(i);
    if (Accepts(alg, keys.get())) out.emplace_back(AlgorithmName(alg));
  }
  return out;
}

VerifyResult JwtVerifier::Verify(std::string_view authorization, std::chrono::system_clock::time_point now) const {
  bool key_missing = false;
  return Check(authorization, now, key_missing);
}

boost::asio::awaitable<VerifyResult> JwtVerifier::VerifyWithFreshKeys(std::string authorization,
                                                                      std::chrono::system_clock::time_point now,
                                                                      SteadyTime deadline) const {
  bool key_missing = false;
  auto result = Check(authorization, now, key_missing);
  if (!key_missing || remote_ == nullptr) co_return result;
  const auto started = std::chrono::steady_clock::now();
  co_await remote_->AwaitFresherKeys(deadline);
  const auto waited =
      std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::steady_clock::now() - started);
  co_return Check(authorization, now + waited, key_missing);
}

VerifyResult JwtVerifier::Check(std::string_view authorization, std::chrono::system_clock::time_point now,
                                bool& key_missing) const {
  const std::string_view value = TrimSpace(authorization);
  const size_t space = value.find_first_of(" \t");
  const std::string_view scheme = value.substr(0, space);
  const std::string_view token = space == std::string_view::npos ? std::string_view() : TrimSpace(value.substr(space));
  if (value.empty() || !EqualsIgnoreCase(scheme, "Bearer") || token.empty()) {
    return Fail("missing", "This endpoint needs an Authorization header with a Bearer token.");
  }
  if (token.size() > kMaxTokenBytes) {
    return Malformed("The bearer token is longer than 8192 bytes.");
  }
  const double now_s = std::chrono::duration<double>(now.time_since_epoch()).count();

  // Read before the keys (VerifyToken), so never newer than the keys a full check uses: a verdict
  // is cached under a count no later than its keys', and a withdrawal since voids it.
  const uint64_t withdrawals = remote_ ? remote_->withdrawals() : 0;
  const std::string cache_key = TokenCacheKey(token);
  if (!cache_key.empty()) {
    if (auto hit = cache_.Lookup(cache_key, now_s, withdrawals)) return std::move(*hit);
  }
  return VerifyToken(token, now_s, CacheSlot{cache_key, withdrawals}, key_missing);
}

VerifyResult JwtVerifier::VerifyToken(std::string_view token, double now, const CacheSlot& slot,
                                      bool& key_missing) const {
  // JWS compact serialization: header.payload.signature, each base64url (RFC 7515 §7.1).
  const size_t dot1 = token.find('.');
  const size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return Malformed("The bearer token is not a JWT (three base64url parts separated by dots).");
  }
  const std::string_view header_b64 = token.substr(0, dot1);
  const std::string_view payload_b64 = token.substr(dot1 + 1, dot2 - dot1 - 1);
  const std::string_view signature_b64 = token.substr(dot2 + 1);
  const std::string_view signing_input = token.substr(0, dot2);

  // --- Header: decides the algorithm and the key, so it is checked before anything else.
  const auto header_json = DecodeBase64Url(header_b64);
  if (!header_json || header_json->empty()) {
    return Malformed("The token header is not valid base64url.");
  }
  auto header = ParseJson(*header_json, kMaxJsonDepth);
  if (!header.ok() || !header->is_object()) {
    return Malformed("The token header is not a JSON object.");
  }
  const auto& h = header->get_object();
  const auto* alg_value = h.if_contains("alg");
  if (alg_value == nullptr || !alg_value->is_string()) {
    return Malformed("The token header has no \"alg\".");
  }
  // "none", unknown names and algorithms without a configured key of their family all fail here:
  // an HS256 token cannot be checked against an RSA public key, nor RS256 against the HMAC secret.
  const auto alg = ParseAlgorithm(View(alg_value->get_string()));
  const auto keys = CurrentKeys();
  if (alg && FamilyOf(*alg) != KeyFamily::kHmac && remote_ != nullptr && keys == nullptr) {
    key_missing = true;
    return Fail("keys_pending",
                "The identity provider's signing keys have not been fetched yet; try again shortly.",
                ErrorKind::kUnavailable);
  }
  if (!alg || !Accepts(*alg, keys.get())) {
    return Fail("algorithm", "The token's signing algorithm is not accepted by this server.");
  }
  if (const auto* typ = h.if_contains("typ"); typ != nullptr) {
    if (!typ->is_string() || !TypIsJwt(View(typ->get_string()))) {
      return Malformed("The token's \"typ\" header says it is not a JWT.");
    }
  }
  if (h.contains("crit")) {
    // RFC 7515 §4.1.11: extensions marked critical must be understood; pgmcp understands none.
    return Malformed("The token header lists critical extensions this server does not support.");
  }
  std::optional<std::string_view> kid;
  if (const auto* k = h.if_contains("kid"); k != nullptr) {
    if (!k->is_string()) return Malformed("The token's \"kid\" header is not a string.");
    kid = View(k->get_string());
  }

  // --- Signature, before the payload is even decoded: unauthenticated bytes stop here.
  const auto signature = DecodeBase64Url(signature_b64);
  if (!signature) return Malformed("The token signature is not valid base64url.");
  bool verified = false;
  if (FamilyOf(*alg) == KeyFamily::kHmac) {
    // One secret, no key ids: a kid on an HS* token names nothing and is ignored.
    const auto mac = ComputeHmac(*hmac_[StrengthIndex(*alg)], signing_input);
    verified =
        mac && mac->size() == signature->size() && CRYPTO_memcmp(mac->data(), signature->data(), mac->size()) == 0;
  } else {
    size_t tried = 0;
    for (const PublicKey& key : keys->keys) {
      if (!key.Fits(*alg) || (kid && key.kid != *kid)) continue;
      if (!kid && tried == kMaxKeysForKidlessToken) break;
      ++tried;
      if (VerifyWithPublicKey(*alg, *key.pkey, signing_input, *signature)) {
        verified = true;
        break;
      }
    }
    if (tried == 0) {
      key_missing = true;  // a rotation the fetched keys do not show yet, or a forged kid
      return Fail("signature", "The token's key id (kid) does not match any configured key.");
    }
  }
  if (!verified) return Fail("signature", "The token's signature is not valid.");

  // --- Payload: authentic now, but still bounded and type-checked.
  auto payload_json = DecodeBase64Url(payload_b64);
  if (!payload_json) return Malformed("The token payload is not valid base64url.");
  auto payload = ParseJson(*payload_json, kMaxJsonDepth);
  if (!payload.ok() || !payload->is_object()) {
    return Malformed("The token payload is not a JSON object nested at most 16 levels deep.");
  }
  if (!AllNumbersFinite(*payload)) {
    return Malformed("The token payload holds a number out of range.");
  }
  const auto& claims = payload->get_object();

  double exp = 0;
  switch (NumericClaim(claims, "exp", exp)) {
    case ClaimState::kAbsent:
      return Fail("no_exp", "The token has no expiry time (\"exp\").");
    case ClaimState::kWrongType:
      return Malformed("The token's \"exp\" claim is not a number.");
    case ClaimState::kNumber:
      break;
  }
  if (now >= exp + skew_seconds_) return Fail("expired", "The token has expired.");
  double valid_from = -std::numeric_limits<double>::infinity();
  for (const char* name : {"nbf", "iat"}) {
    double t = 0;
    const ClaimState state = NumericClaim(claims, name, t);
    if (state == ClaimState::kWrongType) {
      return Malformed(std::string("The token's \"") + name + "\" claim is not a number.");
    }
    if (state == ClaimState::kAbsent) continue;
    // nbf: not before; iat: a token issued in the future is from a wrong clock or forged times.
    if (now + skew_seconds_ < t) return Fail("not_yet_valid", "The token is not valid yet.");
    valid_from = std::max(valid_from, t - skew_seconds_);
  }

  if (!issuer_.empty()) {
    const auto* iss = claims.if_contains("iss");
    if (iss == nullptr || !iss->is_string() || View(iss->get_string()) != issuer_) {
      return Fail("issuer", "The token was not issued by the issuer this server trusts.");
    }
  }
  if (!audience_.empty()) {
    const auto* aud = claims.if_contains("aud");
    bool match = false;
    if (aud != nullptr && aud->is_string()) {
      match = View(aud->get_string()) == audience_;
    } else if (aud != nullptr && aud->is_array()) {
      match = std::any_of(aud->get_array().begin(), aud->get_array().end(),
                          [this](const auto& a) { return a.is_string() && View(a.get_string()) == audience_; });
    }
    if (!match) return Fail("audience", "The token is not meant for this server (audience).");
  }

  const boost::json::value* role_value = &payload.value();
  for (const auto& step : role_path_) {
    role_value = Member(*role_value, step);
    if (role_value == nullptr) break;
  }
  if (role_value == nullptr || !role_value->is_string() || role_value->get_string().empty()) {
    return Fail("role_missing", "The token does not name a database role in its role claim.");
  }
  const std::string_view role = View(role_value->get_string());
  // docs/security.md, guarantee 4: "none" and the login role would fall back to the login role's rights.
  if (EqualsIgnoreCase(role, "none") || role == login_role_ ||
      std::find(allowed_roles_.begin(), allowed_roles_.end(), role) == allowed_roles_.end()) {
    return Fail("role_not_allowed", "The token's role is not allowed on this server.", ErrorKind::kForbidden);
  }

  Identity identity;
  identity.role = std::string(role);
  // The claims go to the database as the token has them: a number keeps every digit and its form
  // (0.1 stays 0.1, not 1E-1; 12345678901234567890123 is not rounded), as the issuer signed it.
  identity.claims_json = std::move(*payload_json);
  if (const auto* sub = claims.if_contains("sub"); sub != nullptr && sub->is_string()) {
    identity.subject = std::string(sub->get_string());
  } else {
    identity.claims_digest = LastingClaimsDigest(claims);
  }
  // exp is finite (AllNumbersFinite) and later than now: a positive whole number of seconds.
  constexpr double kLatest = 9.2e18;  // below INT64_MAX, as a double
  identity.expires_at = exp >= kLatest ? std::numeric_limits<int64_t>::max() : static_cast<int64_t>(exp);
  if (!slot.key.empty()) cache_.Insert(slot.key, identity, valid_from, exp + skew_seconds_, slot.withdrawals);
  return identity;
}

}  // namespace pgmcp::auth

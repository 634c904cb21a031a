// JwtVerifier end to end: tokens minted here with OpenSSL (HMAC, RSA, RSA-PSS, ECDSA) against every
// rule of docs/auth.md, "Rules a token must pass", including the classic attacks (alg none, HS/RS confusion).
#include "auth/jwt_verifier.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <limits>
#include <optional>
#include <thread>
#include <vector>

#include "common/error_kinds.h"
#include "unit/auth/token_minter.h"

namespace pgmcp::auth {
namespace {

using std::chrono::seconds;
using testing::EcJwk;
using testing::MintHmac;
using testing::MintWithKey;
using testing::RsaJwk;
using testing::TempDir;

constexpr int64_t kNowSeconds = 1'800'000'000;
const auto kNow = std::chrono::system_clock::time_point(seconds(kNowSeconds));
// 64 bytes: long enough for HS512 (RFC 7518 §3.2 wants a key at least the hash size).
const std::string kSecret = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
constexpr char kLoginRole[] = "mcp_reader";

std::string Json(const boost::json::object& o) { return boost::json::serialize(o); }

std::string Header(std::string_view alg, std::string_view kid = {}) {
  boost::json::object h{{"alg", alg}, {"typ", "JWT"}};
  if (!kid.empty()) h["kid"] = kid;
  return Json(h);
}

boost::json::object Claims() {
  return {{"iss", "https://issuer.example"}, {"aud", "pgmcp"},          {"sub", "user-1"}, {"role", "analyst"},
          {"exp", kNowSeconds + 300},        {"iat", kNowSeconds - 10}, {"tenant", 42}};
}

std::string Bearer(const std::string& token) { return "Bearer " + token; }

VerifierOptions Options(size_t cache_capacity, std::optional<std::string> env_secret = std::nullopt) {
  VerifierOptions options;
  options.cache_capacity = cache_capacity;
  options.env_secret = std::move(env_secret);
  return options;
}

// Keys are made on first use and kept for the process: RSA generation is the slow part, and most
// tests (HMAC only) never need one.
EVP_PKEY& Rsa() {
  static const EvpPkeyPtr key = testing::GenerateRsa(2048);
  return *key;
}
EVP_PKEY& OtherRsa() {
  static const EvpPkeyPtr key = testing::GenerateRsa(2048);
  return *key;
}
EVP_PKEY& Ec() {
  static const EvpPkeyPtr key = testing::GenerateEc("P-256");
  return *key;
}
EVP_PKEY& Ec384() {
  static const EvpPkeyPtr key = testing::GenerateEc("P-384");
  return *key;
}

class JwtVerifierTest : public ::testing::Test {
 protected:
  config::AuthSettings Settings() const {
    config::AuthSettings auth;
    auth.issuer = "https://issuer.example";
    auth.audience = "pgmcp";
    auth.role_claim = "role";
    auth.allowed_roles = {"analyst", "tenant_user"};
    auth.clock_skew_seconds = 30;
    return auth;
  }

  config::AuthSettings HmacSettings(std::string_view secret_file_content = {}) const {
    auto auth = Settings();
    auth.jwt_secret_file = dir_.Write("secret", secret_file_content.empty() ? kSecret : secret_file_content);
    return auth;
  }

  config::AuthSettings JwksSettings() const {
    auto auth = Settings();
    const boost::json::object jwks{{"keys", boost::json::array{RsaJwk(Rsa(), "rsa-1"), EcJwk(Ec(), "P-256", "ec-1"),
                                                               EcJwk(Ec384(), "P-384", "ec-2")}}};
    auth.jwks_file = dir_.Write("jwks.json", Json(jwks));
    return auth;
  }

  static std::shared_ptr<const JwtVerifier> Make(const config::AuthSettings& auth, VerifierOptions options = {}) {
    auto v = JwtVerifier::Create(auth, kLoginRole, std::move(options));
    EXPECT_TRUE(v.ok()) << v.error().message;
    return v.ok() ? *v : nullptr;
  }

  std::string Hs(const boost::json::object& claims, std::string_view alg = "HS256") const {
    return MintHmac(Header(alg), Json(claims), kSecret, alg);
  }
  std::string Rs(const boost::json::object& claims, std::string_view alg = "RS256",
                 std::string_view kid = "rsa-1") const {
    return MintWithKey(Header(alg, kid), Json(claims), Rsa(), alg);
  }

  static void ExpectIdentity(const VerifyResult& outcome, std::string_view role = "analyst") {
    ASSERT_TRUE(outcome.ok()) << outcome.error().code << ": " << outcome.error().message;
    EXPECT_EQ(outcome->role, role);
  }
  static void ExpectFailure(const VerifyResult& outcome, std::string_view reason, int status = 401) {
    ASSERT_FALSE(outcome.ok()) << "accepted a token that should fail with " << reason;
    const Error& f = outcome.error();
    EXPECT_EQ(f.code, reason) << f.message;
    EXPECT_EQ(f.kind, status == 403   ? ErrorKind::kForbidden
                      : status == 503 ? ErrorKind::kUnavailable
                                      : ErrorKind::kUnauthenticated);
    EXPECT_EQ(Describe(f.kind).http_status, status);
    EXPECT_FALSE(f.message.empty());
    EXPECT_NE(std::find(kAuthFailureReasons.begin(), kAuthFailureReasons.end(), f.code),
              kAuthFailureReasons.end());  // a label the metric knows
  }

  TempDir dir_;
};

// --- Accepted tokens ---------------------------------------------------------------------------

// The claims reach the database as the issuer signed them, not as a double would write them back.
TEST_F(JwtVerifierTest, ClaimsAreTheSignedTextWithEveryDigit) {
  const auto v = Make(HmacSettings());
  const std::string payload = std::string(R"({"iss":"https://issuer.example","aud":"pgmcp","sub":"user-1","role":"analyst",)") +
                              R"("exp":)" + std::to_string(kNowSeconds + 300) +
                              R"(, "tenant": 12345678901234567890123, "share": 0.1, "limit": 1.50, "ids": [-0, 7e2]})";
  const auto outcome = v->Verify(Bearer(MintHmac(Header("HS256"), payload, kSecret, "HS256")), kNow);
  ExpectIdentity(outcome);
  EXPECT_EQ(outcome->claims_json, payload);
}

// Sessions belong to a token's role and sub (http::SessionRegistry::Owner). Without a sub, every
// caller of a role would be one owner: sharing sessions and one quota. The digest of the claims a
// new token for the same caller keeps stands in for it.
TEST_F(JwtVerifierTest, WithoutASubTheLastingClaimsNameTheCaller) {
  const auto v = Make(HmacSettings());
  auto without_sub = [](int64_t tenant, int64_t issued, std::string_view jti) {
    boost::json::object c = Claims();
    c.erase("sub");
    c["tenant"] = tenant;
    c["iat"] = kNowSeconds - issued;
    c["exp"] = kNowSeconds + 300 + issued;
    c["jti"] = jti;
    return c;
  };
  const auto first = v->Verify(Bearer(Hs(without_sub(42, 10, "a"))), kNow);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_TRUE(first->subject.empty());
  EXPECT_EQ(first->claims_digest.size(), 64u);
  // A new token for the same caller: other exp, iat and jti.
  const auto renewed = v->Verify(Bearer(Hs(without_sub(42, 20, "b"))), kNow);
  ASSERT_TRUE(renewed.ok());
  EXPECT_EQ(renewed->claims_digest, first->claims_digest);
  // The same claims in another order.
  boost::json::object reordered;
  const auto same = without_sub(42, 10, "a");
  for (auto it = same.end(); it != same.begin();) {
    --it;
    reordered[it->key()] = it->value();
  }
  const auto shuffled = v->Verify(Bearer(Hs(reordered)), kNow);
  ASSERT_TRUE(shuffled.ok());
  EXPECT_EQ(shuffled->claims_digest, first->claims_digest);
  // Another caller of the same role.
  const auto other = v->Verify(Bearer(Hs(without_sub(43, 10, "a"))), kNow);
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->claims_digest, first->claims_digest);
  // With a sub, the sub names the caller.
  const auto with_sub = v->Verify(Bearer(Hs(Claims())), kNow);
  ASSERT_TRUE(with_sub.ok());
  EXPECT_TRUE(with_sub->claims_digest.empty());
}

TEST_F(JwtVerifierTest, AcceptsHmacFamily) {
  const auto v = Make(HmacSettings());
  for (const char* alg : {"HS256", "HS384", "HS512"}) {
    SCOPED_TRACE(alg);
    const auto outcome = v->Verify(Bearer(Hs(Claims(), alg)), kNow);
    ExpectIdentity(outcome);
    const auto& id = outcome.value();
    EXPECT_EQ(id.subject, "user-1");
    EXPECT_EQ(boost::json::parse(id.claims_json), boost::json::value(Claims()));
  }
  EXPECT_EQ(v->AcceptedAlgorithms(), (std::vector<std::string>{"HS256", "HS384", "HS512"}));
}

TEST_F(JwtVerifierTest, AcceptsRsaPssAndEcdsa) {
  const auto v = Make(JwksSettings());
  ExpectIdentity(v->Verify(Bearer(Rs(Claims(), "RS256")), kNow));
  ExpectIdentity(v->Verify(Bearer(Rs(Claims(), "RS384")), kNow));
  ExpectIdentity(v->Verify(Bearer(Rs(Claims(), "RS512")), kNow));
  ExpectIdentity(v->Verify(Bearer(Rs(Claims(), "PS256")), kNow));
  ExpectIdentity(v->Verify(Bearer(Rs(Claims(), "PS512")), kNow));
  ExpectIdentity(v->Verify(Bearer(MintWithKey(Header("ES256", "ec-1"), Json(Claims()), Ec(), "ES256")), kNow));
  ExpectIdentity(v->Verify(Bearer(MintWithKey(Header("ES384", "ec-2"), Json(Claims()), Ec384(), "ES384")), kNow));
  // Without a kid, every key of the right type is tried.
  ExpectIdentity(v->Verify(Bearer(MintWithKey(Header("ES256"), Json(Claims()), Ec(), "ES256")), kNow));
  ExpectIdentity(v->Verify(Bearer(MintWithKey(Header("RS256"), Json(Claims()), Rsa(), "RS256")), kNow));
  const auto rs = v->Verify(Bearer(Rs(Claims())), kNow);
  ASSERT_TRUE(rs.ok());
  EXPECT_EQ(rs.value().subject, "user-1");
  EXPECT_EQ(v->AcceptedAlgorithms(),
            (std::vector<std::string>{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384"}));
}

TEST_F(JwtVerifierTest, SecretAndJwksTogether) {
  auto auth = JwksSettings();
  auth.jwt_secret_file = dir_.Write("secret", kSecret);
  const auto v = Make(auth);
  ExpectIdentity(v->Verify(Bearer(Hs(Claims())), kNow));
  ExpectIdentity(v->Verify(Bearer(Rs(Claims())), kNow));
}

TEST_F(JwtVerifierTest, BearerSchemeIsCaseInsensitive) {
  const auto v = Make(HmacSettings(), Options(0));
  const std::string token = Hs(Claims());
  ExpectIdentity(v->Verify("bearer " + token, kNow));
  ExpectIdentity(v->Verify("BEARER  " + token + " ", kNow));
  ExpectFailure(v->Verify(token, kNow), "missing");
  ExpectFailure(v->Verify("", kNow), "missing");
  ExpectFailure(v->Verify("Bearer", kNow), "missing");
  ExpectFailure(v->Verify("Bearer   ", kNow), "missing");
  ExpectFailure(v->Verify("Basic dXNlcjpwYXNz", kNow), "missing");
  ExpectFailure(v->Verify("Bearertoken", kNow), "missing");
}

TEST_F(JwtVerifierTest, MissingHasNoBearerErrorCode) {
  const auto v = Make(HmacSettings());
  EXPECT_EQ(BearerError(v->Verify("", kNow).error()), "");
  EXPECT_EQ(BearerError(v->Verify("Bearer a.b.c", kNow).error()), "invalid_token");
}

// --- Signatures and algorithms -----------------------------------------------------------------

TEST_F(JwtVerifierTest, TamperedPayloadOrSignature) {
  const auto v = Make(HmacSettings(), Options(0));
  const std::string token = Hs(Claims());
  const size_t dot1 = token.find('.');
  const size_t dot2 = token.rfind('.');

  auto admin = Claims();
  admin["role"] = "tenant_user";
  const std::string forged_payload = token.substr(0, dot1 + 1) + EncodeBase64Url(Json(admin)) + token.substr(dot2);
  ExpectFailure(v->Verify(Bearer(forged_payload), kNow), "signature");

  std::string bad_sig = token;
  bad_sig[dot2 + 5] = bad_sig[dot2 + 5] == 'A' ? 'B' : 'A';
  ExpectFailure(v->Verify(Bearer(bad_sig), kNow), "signature");

  ExpectFailure(v->Verify(Bearer(token.substr(0, dot2 + 1) + EncodeBase64Url(std::string(31, 'x'))), kNow),
                "signature");  // wrong length

  const auto rsv = Make(JwksSettings(), Options(0));
  const std::string rs = Rs(Claims());
  std::string rs_bad = rs;
  rs_bad[rs.rfind('.') + 10] = rs_bad[rs.rfind('.') + 10] == 'A' ? 'B' : 'A';
  ExpectFailure(rsv->Verify(Bearer(rs_bad), kNow), "signature");
  const std::string rs_forged =
      rs.substr(0, rs.find('.') + 1) + EncodeBase64Url(Json(admin)) + rs.substr(rs.rfind('.'));
  ExpectFailure(rsv->Verify(Bearer(rs_forged), kNow), "signature");
  // ES256 signature of the wrong width, and one by another key.
  const std::string es = MintWithKey(Header("ES256", "ec-1"), Json(Claims()), Ec384(), "ES384");
  ExpectFailure(rsv->Verify(Bearer(es), kNow), "signature");
}

TEST_F(JwtVerifierTest, AlgNoneIsRejected) {
  const auto v = Make(HmacSettings());
  const std::string unsigned_token =
      EncodeBase64Url(R"({"alg":"none","typ":"JWT"})") + "." + EncodeBase64Url(Json(Claims()));
  ExpectFailure(v->Verify(Bearer(unsigned_token + "."), kNow), "algorithm");
  ExpectFailure(v->Verify(Bearer(unsigned_token), kNow), "malformed");  // two parts
  const std::string with_sig = unsigned_token + "." + EncodeBase64Url(testing::Hmac("HS256", kSecret, unsigned_token));
  ExpectFailure(v->Verify(Bearer(with_sig), kNow), "algorithm");
  for (const char* alg : {"None", "NONE", "hs256", ""}) {
    const std::string t =
        EncodeBase64Url(std::string(R"({"alg":")") + alg + R"("})") + "." + EncodeBase64Url(Json(Claims())) + ".";
    ExpectFailure(v->Verify(Bearer(t), kNow), "algorithm");
  }
}

TEST_F(JwtVerifierTest, HsRsConfusionIsRejected) {
  // The attacker knows the public key and uses its bytes as an HMAC secret.
  const auto v = Make(JwksSettings());
  const std::string pem = testing::PublicKeyPem(Rsa());
  ExpectFailure(v->Verify(Bearer(MintHmac(Header("HS256"), Json(Claims()), pem, "HS256")), kNow), "algorithm");
  ExpectFailure(v->Verify(Bearer(MintHmac(Header("HS256", "rsa-1"), Json(Claims()), pem, "HS256")), kNow), "algorithm");
  const std::string jwk = Json(RsaJwk(Rsa(), "rsa-1"));
  ExpectFailure(v->Verify(Bearer(MintHmac(Header("HS256"), Json(Claims()), jwk, "HS256")), kNow), "algorithm");
}

TEST_F(JwtVerifierTest, RsaHeaderWithHmacOnlyConfig) {
  const auto v = Make(HmacSettings());
  ExpectFailure(v->Verify(Bearer(Rs(Claims())), kNow), "algorithm");
  // Even "signed" with the secret via HMAC but labelled RS256.
  const std::string input = EncodeBase64Url(Header("RS256")) + "." + EncodeBase64Url(Json(Claims()));
  ExpectFailure(v->Verify(Bearer(input + "." + EncodeBase64Url(testing::Hmac("HS256", kSecret, input))), kNow),
                "algorithm");
}

TEST_F(JwtVerifierTest, ShortSecretOnlyAllowsShortHashes) {
  const std::string secret40(40, 's');
  const auto v = Make(HmacSettings(secret40));
  EXPECT_EQ(v->AcceptedAlgorithms(), std::vector<std::string>{"HS256"});
  ExpectIdentity(v->Verify(Bearer(MintHmac(Header("HS256"), Json(Claims()), secret40, "HS256")), kNow));
  ExpectFailure(v->Verify(Bearer(MintHmac(Header("HS512"), Json(Claims()), secret40, "HS512")), kNow), "algorithm");
}

TEST_F(JwtVerifierTest, KidMustMatch) {
  const auto v = Make(JwksSettings());
  ExpectFailure(v->Verify(Bearer(Rs(Claims(), "RS256", "unknown")), kNow), "signature");
  // A kid naming the EC key on an RS256 token: no key with that kid fits.
  ExpectFailure(v->Verify(Bearer(Rs(Claims(), "RS256", "ec-1")), kNow), "signature");
  // Right kid, wrong key (signed by another RSA key).
  ExpectFailure(v->Verify(Bearer(MintWithKey(Header("RS256", "rsa-1"), Json(Claims()), OtherRsa(), "RS256")), kNow),
                "signature");
  // A kid that is not a string.
  const std::string header = R"({"alg":"RS256","kid":7})";
  ExpectFailure(v->Verify(Bearer(MintWithKey(header, Json(Claims()), Rsa(), "RS256")), kNow), "malformed");
}

TEST_F(JwtVerifierTest, JwkAlgAndUseRestrictKeys) {
  auto auth = Settings();
  boost::json::object enc = RsaJwk(OtherRsa(), "enc");
  enc["use"] = "enc";
  const boost::json::object jwks{{"keys", boost::json::array{RsaJwk(Rsa(), "r", "PS256"), enc}}};
  auth.jwks_file = dir_.Write("jwks.json", Json(jwks));
  const auto v = Make(auth);
  ExpectIdentity(v->Verify(Bearer(Rs(Claims(), "PS256", "r")), kNow));
  ExpectFailure(v->Verify(Bearer(Rs(Claims(), "RS256", "r")), kNow), "algorithm");
  ExpectFailure(v->Verify(Bearer(MintWithKey(Header("PS256", "enc"), Json(Claims()), OtherRsa(), "PS256")), kNow),
                "signature");
  EXPECT_EQ(v->SkippedJwks(), 1);
}

TEST_F(JwtVerifierTest, HeaderRules) {
  const auto v = Make(HmacSettings());
  const auto mint = [](std::string_view header) { return Bearer(MintHmac(header, Json(Claims()), kSecret, "HS256")); };
  ExpectIdentity(v->Verify(mint(R"({"alg":"HS256"})"), kNow));
  ExpectIdentity(v->Verify(mint(R"({"alg":"HS256","typ":"jwt"})"), kNow));
  ExpectIdentity(v->Verify(mint(R"({"alg":"HS256","typ":"at+jwt"})"), kNow));
  ExpectIdentity(v->Verify(mint(R"({"alg":"HS256","typ":"application/JWT"})"), kNow));
  ExpectFailure(v->Verify(mint(R"({"alg":"HS256","typ":"logout+jwt"})"), kNow), "malformed");
  ExpectFailure(v->Verify(mint(R"({"alg":"HS256","typ":1})"), kNow), "malformed");
  ExpectFailure(v->Verify(mint(R"({"alg":"HS256","crit":["exp"]})"), kNow), "malformed");
  ExpectFailure(v->Verify(mint(R"({"alg":"HS256","b64":false,"crit":["b64"]})"), kNow), "malformed");
  ExpectFailure(v->Verify(mint(R"({"typ":"JWT"})"), kNow), "malformed");
  ExpectFailure(v->Verify(mint(R"({"alg":256})"), kNow), "malformed");
  ExpectFailure(v->Verify(mint(R"(["HS256"])"), kNow), "malformed");
  ExpectFailure(v->Verify(mint("not json"), kNow), "malformed");
}

// --- Framing and bounds ------------------------------------------------------------------------

TEST_F(JwtVerifierTest, MalformedFraming) {
  const auto v = Make(HmacSettings());
  const std::string token = Hs(Claims());
  ExpectFailure(v->Verify(Bearer("abc"), kNow), "malformed");
  ExpectFailure(v->Verify(Bearer("a.b"), kNow), "malformed");
  ExpectFailure(v->Verify(Bearer(token + ".x"), kNow), "malformed");  // four parts
  ExpectFailure(v->Verify(Bearer(".."), kNow), "malformed");
  ExpectFailure(v->Verify(Bearer("e30.e30.e30"), kNow), "malformed");  // {} header: no alg
  std::string padded = token;
  padded.insert(token.find('.'), "=");
  ExpectFailure(v->Verify(Bearer(padded), kNow), "malformed");
  std::string plus = token;
  plus[2] = '+';
  ExpectFailure(v->Verify(Bearer(plus), kNow), "malformed");
  std::string bad_sig = token + "*";
  ExpectFailure(v->Verify(Bearer(bad_sig), kNow), "malformed");
  // Payload that is not base64url, under a valid signature over the raw text.
  const std::string input = EncodeBase64Url(Header("HS256")) + ".%%%";
  ExpectFailure(v->Verify(Bearer(input + "." + EncodeBase64Url(testing::Hmac("HS256", kSecret, input))), kNow),
                "malformed");
  ExpectFailure(v->Verify("Bearer " + token.substr(0, 10) + " " + token.substr(10), kNow), "malformed");
}

TEST_F(JwtVerifierTest, HugeTokenIsRejectedBeforeParsing) {
  const auto v = Make(HmacSettings());
  auto claims = Claims();
  claims["padding"] = std::string(9000, 'x');
  ExpectFailure(v->Verify(Bearer(Hs(claims)), kNow), "malformed");
  ExpectFailure(v->Verify(Bearer(std::string(1 << 20, 'A')), kNow), "malformed");
}

TEST_F(JwtVerifierTest, DeepOrNonObjectPayload) {
  const auto v = Make(HmacSettings());
  const auto mint = [](std::string_view payload) {
    return Bearer(MintHmac(Header("HS256"), payload, kSecret, "HS256"));
  };
  std::string deep = R"({"exp":1900000000,"role":"analyst","x":)";
  for (int i = 0; i < 40; ++i) deep += "[";
  for (int i = 0; i < 40; ++i) deep += "]";
  deep += "}";
  ExpectFailure(v->Verify(mint(deep), kNow), "malformed");
  ExpectFailure(v->Verify(mint("[1,2]"), kNow), "malformed");
  ExpectFailure(v->Verify(mint(R"("analyst")"), kNow), "malformed");
  ExpectFailure(v->Verify(mint("null"), kNow), "malformed");
  ExpectFailure(v->Verify(mint("{"), kNow), "malformed");
  ExpectFailure(v->Verify(mint(R"({"role":"analyst","exp":1e400})"), kNow), "malformed");
  // A deeply nested header is refused too.
  std::string deep_header = R"({"alg":"HS256","x":)";
  for (int i = 0; i < 40; ++i) deep_header += "[";
  for (int i = 0; i < 40; ++i) deep_header += "]";
  deep_header += "}";
  ExpectFailure(v->Verify(Bearer(MintHmac(deep_header, Json(Claims()), kSecret, "HS256")), kNow), "malformed");
}

// --- Time claims -------------------------------------------------------------------------------

TEST_F(JwtVerifierTest, Expiry) {
  const auto v = Make(HmacSettings(), Options(0));
  auto claims = Claims();
  claims["exp"] = kNowSeconds - 31;
  ExpectFailure(v->Verify(Bearer(Hs(claims)), kNow), "expired");
  claims["exp"] = kNowSeconds - 30;  // exactly at exp + skew: gone
  ExpectFailure(v->Verify(Bearer(Hs(claims)), kNow), "expired");
  claims["exp"] = kNowSeconds - 10;  // within the skew
  ExpectIdentity(v->Verify(Bearer(Hs(claims)), kNow));
  EXPECT_EQ(v->Verify(Bearer(Hs(claims)), kNow)->expires_at, kNowSeconds - 10);  // when a stream must end
  claims["exp"] = static_cast<double>(kNowSeconds) + 0.5;  // NumericDate may be fractional
  ExpectIdentity(v->Verify(Bearer(Hs(claims)), kNow));
  EXPECT_EQ(v->Verify(Bearer(Hs(claims)), kNow)->expires_at, kNowSeconds);
  claims["exp"] = 1e300;  // beyond int64: the latest time there is
  EXPECT_EQ(v->Verify(Bearer(Hs(claims)), kNow)->expires_at, std::numeric_limits<int64_t>::max());
  claims.erase("exp");
  ExpectFailure(v->Verify(Bearer(Hs(claims)), kNow), "no_exp");
  claims["exp"] = std::to_string(kNowSeconds + 300);
  ExpectFailure(v->Verify(Bearer(Hs(claims)), kNow), "malformed");
  claims["exp"] = nullptr;
  ExpectFailure(v->Verify(Bearer(Hs(claims)), kNow), "malformed");
}

TEST_F(JwtVerifierTest, NotBeforeAndIssuedAt) {
  const auto v = Make(HmacSettings(), Options(0));
  auto claims = Claims();
  claims["nbf"] = kNowSeconds + 60;
  ExpectFailure(v->Verify(Bearer(Hs(claims)), kNow), "not_yet_valid");
  claims["nbf"] = kNowSeconds + 20;  // within the skew
  ExpectIdentity(v->Verify(Bearer(Hs(claims)), kNow));
  claims["nbf"] = "soon";
  ExpectFailure(v->Verify(Bearer(Hs(claims)), kNow), "malformed");
  claims.erase("nbf");
  claims["iat"] = kNowSeconds + 3600;
  ExpectFailure(v->Verify(Bearer(Hs(claims)), kNow), "not_yet_valid");
  claims["iat"] = kNowSeconds + 10;
  ExpectIdentity(v->Verify(Bearer(Hs(claims)), kNow));
  claims["iat"] = true;
  ExpectFailure(v->Verify(Bearer(Hs(claims)), kNow), "malformed");
}

// --- Issuer and audience -----------------------------------------------------------------------

TEST_F(JwtVerifierTest, Issuer) {
  const auto v = Make(HmacSettings());
  auto claims = Claims();
  claims["iss"] = "https://evil.example";
  ExpectFailure(v->Verify(Bearer(Hs(claims)), kNow), "issuer");
  claims["iss"] = "https://issuer.example/";
  ExpectFailure(v->Verify(Bearer(Hs(claims)), kNow), "issuer");
  claims.erase("iss");
  ExpectFailure(v->Verify(Bearer(Hs(claims)), kNow), "issuer");

  auto no_issuer = HmacSettings();
  no_issuer.issuer.clear();
  ExpectIdentity(Make(no_issuer)->Verify(Bearer(Hs(claims)), kNow));
}

TEST_F(JwtVerifierTest, Audience) {
  const auto v = Make(HmacSettings());
  auto claims = Claims();
  claims["aud"] = "other";
  ExpectFailure(v->Verify(Bearer(Hs(claims)), kNow), "audience");
  claims["aud"] = boost::json::array{"other", "another"};
  ExpectFailure(v->Verify(Bearer(Hs(claims)), kNow), "audience");
  claims["aud"] = boost::json::array{"other", "pgmcp"};
  ExpectIdentity(v->Verify(Bearer(Hs(claims)), kNow));
  claims["aud"] = boost::json::array{};
  ExpectFailure(v->Verify(Bearer(Hs(claims)), kNow), "audience");
  claims["aud"] = boost::json::array{boost::json::array{"pgmcp"}};
  ExpectFailure(v->Verify(Bearer(Hs(claims)), kNow), "audience");
  claims.erase("aud");
  ExpectFailure(v->Verify(Bearer(Hs(claims)), kNow), "audience");

  auto no_audience = HmacSettings();
  no_audience.audience.clear();
  ExpectIdentity(Make(no_audience)->Verify(Bearer(Hs(claims)), kNow));
}

// --- Role claim --------------------------------------------------------------------------------

TEST_F(JwtVerifierTest, RoleClaimMissingEmptyOrNotAString) {
  const auto v = Make(HmacSettings());
  auto claims = Claims();
  claims.erase("role");
  ExpectFailure(v->Verify(Bearer(Hs(claims)), kNow), "role_missing");
  claims["role"] = "";
  ExpectFailure(v->Verify(Bearer(Hs(claims)), kNow), "role_missing");
  claims["role"] = 7;
  ExpectFailure(v->Verify(Bearer(Hs(claims)), kNow), "role_missing");
  claims["role"] = boost::json::array{"analyst"};
  ExpectFailure(v->Verify(Bearer(Hs(claims)), kNow), "role_missing");
  claims["role"] = nullptr;
  ExpectFailure(v->Verify(Bearer(Hs(claims)), kNow), "role_missing");
}

TEST_F(JwtVerifierTest, RoleClaimDotPath) {
  auto auth = HmacSettings();
  auth.role_claim = "app_metadata.role";
  const auto v = Make(auth);
  auto claims = Claims();
  claims.erase("role");
  claims["app_metadata"] = boost::json::object{{"role", "tenant_user"}};
  ExpectIdentity(v->Verify(Bearer(Hs(claims)), kNow), "tenant_user");
  claims["app_metadata"] = boost::json::object{{"other", "tenant_user"}};
  ExpectFailure(v->Verify(Bearer(Hs(claims)), kNow), "role_missing");
  claims["app_metadata"] = "role";
  ExpectFailure(v->Verify(Bearer(Hs(claims)), kNow), "role_missing");
  claims.erase("app_metadata");
  claims["app_metadata.role"] = "analyst";  // a literal dotted name is not the path
  ExpectFailure(v->Verify(Bearer(Hs(claims)), kNow), "role_missing");
}

TEST_F(JwtVerifierTest, RoleNotAllowedIs403) {
  const auto v = Make(HmacSettings());
  auto claims = Claims();
  for (const char* role : {"none", "NONE", "None", kLoginRole, "postgres", "Analyst", "analyst "}) {
    SCOPED_TRACE(role);
    claims["role"] = role;
    const auto outcome = v->Verify(Bearer(Hs(claims)), kNow);
    ExpectFailure(outcome, "role_not_allowed", 403);
    EXPECT_EQ(BearerError(outcome.error()), "insufficient_scope");
  }
  claims["role"] = "tenant_user";
  ExpectIdentity(v->Verify(Bearer(Hs(claims)), kNow), "tenant_user");
}

TEST_F(JwtVerifierTest, MessagesNeverEchoTheToken) {
  const auto v = Make(HmacSettings());
  auto claims = Claims();
  claims["role"] = "secret_role_name";
  const std::string token = Hs(claims);
  for (const std::string& header :
       {Bearer(token), Bearer(token + "x"), Bearer(token.substr(0, 40)), std::string("Basic ") + token}) {
    const auto outcome = v->Verify(header, kNow);
    ASSERT_FALSE(outcome.ok());
    const auto& message = outcome.error().message;
    EXPECT_EQ(message.find(token.substr(0, 20)), std::string::npos) << message;
    EXPECT_EQ(message.find("secret_role_name"), std::string::npos) << message;
  }
}

// --- Configuration -----------------------------------------------------------------------------

TEST_F(JwtVerifierTest, SecretTrailingNewlineIgnored) {
  const auto with_newline = Make(HmacSettings(kSecret + "\n"));
  const auto without = Make(HmacSettings(kSecret));
  const std::string token = Hs(Claims());
  ExpectIdentity(with_newline->Verify(Bearer(token), kNow));
  ExpectIdentity(without->Verify(Bearer(token), kNow));
  // Only one newline is dropped: a second one is part of the secret.
  const auto two = Make(HmacSettings(kSecret + "\n\n"));
  ExpectFailure(two->Verify(Bearer(token), kNow), "signature");
}

TEST_F(JwtVerifierTest, ShortSecretIsAConfigError) {
  auto auth = HmacSettings(std::string(31, 'k') + "\n");
  auto v = JwtVerifier::Create(auth, kLoginRole, {});
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().kind, ErrorKind::kConfig);
  EXPECT_NE(v.error().message.find("auth.jwt_secret_file"), std::string::npos);
  EXPECT_EQ(v.error().message.find(std::string(31, 'k')), std::string::npos);  // never echo it
}

TEST_F(JwtVerifierTest, SecretFromEnvironment) {
  auto auth = Settings();
  const auto v = Make(auth, Options(10, kSecret));
  ExpectIdentity(v->Verify(Bearer(Hs(Claims())), kNow));

  auto short_env = JwtVerifier::Create(auth, kLoginRole, Options(10, "short"));
  ASSERT_FALSE(short_env.ok());
  EXPECT_NE(short_env.error().message.find("PGMCP_JWT_SECRET"), std::string::npos);

  auto both = JwtVerifier::Create(HmacSettings(), kLoginRole, Options(10, kSecret));
  ASSERT_FALSE(both.ok());
  EXPECT_EQ(both.error().kind, ErrorKind::kConfig);

  // An empty variable counts as unset, so it does not clash with the file.
  EXPECT_TRUE(JwtVerifier::Create(HmacSettings(), kLoginRole, Options(10, "")).ok());

  // The two-argument Create reads the real environment.
  ASSERT_EQ(setenv(kJwtSecretEnv, kSecret.c_str(), 1), 0);
  auto from_env = JwtVerifier::Create(auth, kLoginRole);
  unsetenv(kJwtSecretEnv);
  ASSERT_TRUE(from_env.ok()) << from_env.error().message;
  ExpectIdentity((*from_env)->Verify(Bearer(Hs(Claims())), kNow));
}

TEST_F(JwtVerifierTest, ConfigErrorsNameTheKey) {
  const auto expect_error = [](const config::AuthSettings& auth, std::string_view key) {
    auto v = JwtVerifier::Create(auth, kLoginRole, {});
    ASSERT_FALSE(v.ok()) << key;
    EXPECT_EQ(v.error().kind, ErrorKind::kConfig);
    EXPECT_NE(v.error().message.find(key), std::string::npos) << v.error().message;
  };
  auto auth = Settings();
  auth.issuer = "";  // an issuer alone is a key source now: OpenID discovery
  expect_error(auth, "auth.jwt_secret_file");  // no key source at all
  expect_error(auth, "auth.issuer for OpenID discovery");
  auth = JwksSettings();
  auth.jwks_url = "https://idp.example/jwks";
  expect_error(auth, "auth.jwks_file and auth.jwks_url are both set");
  auth = Settings();
  auth.jwks_url = "http://idp.example/jwks";  // plain http off loopback
  expect_error(auth, "auth.jwks_url");
  auth.issuer = "http://idp.example";  // discovery: the same rule
  auth.jwks_url = "";
  expect_error(auth, "auth.issuer");
  auth = Settings();
  auth.jwks_url = "https://idp.example/jwks";
  auth.jwks_refetch_seconds = 0;
  expect_error(auth, "auth.jwks_refetch_seconds");
  auth = Settings();
  auth.jwt_secret_file = "/nonexistent/pgmcp/secret";
  expect_error(auth, "auth.jwt_secret_file");
  auth = Settings();
  auth.jwks_file = "/nonexistent/pgmcp/jwks.json";
  expect_error(auth, "auth.jwks_file");
  auth.jwks_file = dir_.Write("bad.json", "{\"keys\": 1}");
  expect_error(auth, "auth.jwks_file");
  auth.jwks_file = dir_.path().string();  // a directory
  expect_error(auth, "auth.jwks_file");
  auth = HmacSettings();
  auth.role_claim = "";
  expect_error(auth, "auth.role_claim");
  auth.role_claim = "app_metadata..role";
  expect_error(auth, "auth.role_claim");
  auth = HmacSettings();
  auth.allowed_roles = {};
  expect_error(auth, "auth.allowed_roles");
  auth.allowed_roles = {"analyst", "None"};
  expect_error(auth, "auth.allowed_roles");
  auth.allowed_roles = {"analyst", kLoginRole};
  expect_error(auth, "auth.allowed_roles");
  auth = HmacSettings();
  auth.clock_skew_seconds = -1;
  expect_error(auth, "auth.clock_skew_seconds");
}

// --- Keys from the identity provider (docs/auth.md, "Keys from the identity provider") -----------

TEST_F(JwtVerifierTest, AnIssuerAloneMeansDiscoveryButNotNextToASecret) {
  boost::asio::io_context io;  // never run: no fetch happens in this test
  VerifierOptions options;
  options.executor = io.get_executor();
  // Neither file nor URL nor secret: the keys come from discovery, and until they arrive an RS
  // token is answered 503 ("keys_pending"), not 401: it may well be valid.
  auto discovering = Make(Settings(), options);
  ASSERT_NE(discovering, nullptr);
  ASSERT_NE(discovering->remote_keys(), nullptr);
  EXPECT_EQ(discovering->remote_keys()->source(), "https://issuer.example");
  ExpectFailure(discovering->Verify(Bearer(Rs(Claims())), kNow), "keys_pending", 503);
  ExpectFailure(discovering->Verify(Bearer(Hs(Claims())), kNow), "algorithm");  // no secret: HS is not accepted

  // With a secret, the issuer only checks "iss": no fetch from a URL that may not serve discovery.
  auto with_secret = Make(HmacSettings(), options);
  ASSERT_NE(with_secret, nullptr);
  EXPECT_EQ(with_secret->remote_keys(), nullptr);
  ExpectIdentity(with_secret->Verify(Bearer(Hs(Claims())), kNow));

  // jwks_url wins over discovery, and is fine next to a secret.
  auto auth = HmacSettings();
  auth.jwks_url = "http://127.0.0.1:9/jwks";
  auto with_url = Make(auth, options);
  ASSERT_NE(with_url, nullptr);
  ASSERT_NE(with_url->remote_keys(), nullptr);
  EXPECT_EQ(with_url->remote_keys()->source(), "http://127.0.0.1:9/jwks");
  ExpectIdentity(with_url->Verify(Bearer(Hs(Claims())), kNow));
  with_url->remote_keys()->Stop();
  discovering->remote_keys()->Stop();
}

TEST_F(JwtVerifierTest, AKidlessTokenIsTriedAgainstABoundedNumberOfKeys) {
  // kMaxKeysForKidlessToken decoys of the token's algorithm, then the key that signed it: not tried.
  boost::json::array keys;
  std::vector<EvpPkeyPtr> decoys;
  for (size_t i = 0; i < JwtVerifier::kMaxKeysForKidlessToken; ++i) {
    decoys.push_back(testing::GenerateEc("P-256"));
    keys.push_back(EcJwk(*decoys.back(), "P-256", "decoy-" + std::to_string(i)));
  }
  keys.push_back(EcJwk(Ec(), "P-256", "ec-1"));
  auto auth = Settings();
  auth.jwks_file = dir_.Write("many.json", Json(boost::json::object{{"keys", keys}}));
  const auto v = Make(auth);
  const std::string kidless = MintWithKey(Header("ES256"), Json(Claims()), Ec(), "ES256");
  ExpectFailure(v->Verify(Bearer(kidless), kNow), "signature");
  // Named by kid, the same key verifies; and a kid-less token signed by a key within the bound does too.
  ExpectIdentity(v->Verify(Bearer(MintWithKey(Header("ES256", "ec-1"), Json(Claims()), Ec(), "ES256")), kNow));
  ExpectIdentity(v->Verify(Bearer(MintWithKey(Header("ES256"), Json(Claims()), *decoys.back(), "ES256")), kNow));
}

// --- Cache -------------------------------------------------------------------------------------

TEST_F(JwtVerifierTest, SecondVerifyHitsTheCache) {
  const auto v = Make(JwksSettings());
  const std::string token = Rs(Claims());
  const auto first = v->Verify(Bearer(token), kNow);
  ExpectIdentity(first);
  EXPECT_EQ(v->CacheStats().hits, 0u);
  const auto second = v->Verify("bearer " + token, kNow + seconds(5));
  ExpectIdentity(second);
  EXPECT_EQ(v->CacheStats().hits, 1u);
  EXPECT_EQ(v->CacheStats().size, 1u);
  EXPECT_EQ(second.value().claims_json, first.value().claims_json);
  EXPECT_EQ(second.value().subject, "user-1");
  EXPECT_EQ(second.value().expires_at, first.value().expires_at);
  EXPECT_GT(first.value().expires_at, 0);
}

// Short tokens are cached under their own bytes, long ones under their SHA-256: both kinds hit.
TEST_F(JwtVerifierTest, ShortAndLongTokensBothHitTheCache) {
  const auto v = Make(HmacSettings());
  const std::string short_token = Hs(Claims());
  auto claims = Claims();
  claims["padding"] = std::string(600, 'p');
  const std::string long_token = Hs(claims);
  ASSERT_LE(short_token.size(), 512u);
  ASSERT_GT(long_token.size(), 512u);
  for (const auto& token : {short_token, long_token}) {
    ExpectIdentity(v->Verify(Bearer(token), kNow));
    ExpectIdentity(v->Verify(Bearer(token), kNow));
  }
  EXPECT_EQ(v->CacheStats().hits, 2u);
  EXPECT_EQ(v->CacheStats().size, 2u);
}

// A cached token's key is all of its bytes: a token that differs in its last signature character
// is checked in full, and fails.
TEST_F(JwtVerifierTest, ATokenDifferingFromACachedOneInOneByteIsCheckedInFull) {
  const auto v = Make(HmacSettings());
  auto claims = Claims();
  for (const size_t padding : {0, 600}) {
    claims["padding"] = std::string(padding, 'p');
    const std::string token = Hs(claims);
    ExpectIdentity(v->Verify(Bearer(token), kNow));
    std::string forged = token;
    forged[forged.size() - 2] = forged[forged.size() - 2] == 'A' ? 'B' : 'A';
    ExpectFailure(v->Verify(Bearer(forged), kNow), "signature");
  }
  EXPECT_EQ(v->CacheStats().hits, 0u);
}

TEST_F(JwtVerifierTest, CachedTokenStillExpires) {
  const auto v = Make(HmacSettings());
  auto claims = Claims();
  claims["exp"] = kNowSeconds + 60;
  const std::string token = Hs(claims);
  ExpectIdentity(v->Verify(Bearer(token), kNow));
  ExpectIdentity(v->Verify(Bearer(token), kNow + seconds(60 + 29)));  // within skew: cached
  EXPECT_EQ(v->CacheStats().hits, 1u);
  ExpectFailure(v->Verify(Bearer(token), kNow + seconds(60 + 30)), "expired");
  ExpectFailure(v->Verify(Bearer(token), kNow + seconds(3600)), "expired");
  EXPECT_EQ(v->CacheStats().hits, 1u);
}

TEST_F(JwtVerifierTest, CacheDoesNotReviveANotYetValidToken) {
  const auto v = Make(HmacSettings());
  auto claims = Claims();
  claims["nbf"] = kNowSeconds;
  const std::string token = Hs(claims);
  ExpectIdentity(v->Verify(Bearer(token), kNow));
  ExpectFailure(v->Verify(Bearer(token), kNow - seconds(3600)), "not_yet_valid");
}

TEST_F(JwtVerifierTest, FailuresAreNotCached) {
  const auto v = Make(HmacSettings());
  auto claims = Claims();
  claims["role"] = "postgres";
  const std::string token = Hs(claims);
  ExpectFailure(v->Verify(Bearer(token), kNow), "role_not_allowed", 403);
  ExpectFailure(v->Verify(Bearer(token), kNow), "role_not_allowed", 403);
  EXPECT_EQ(v->CacheStats().size, 0u);
  EXPECT_EQ(v->CacheStats().hits, 0u);
}

TEST_F(JwtVerifierTest, CacheIsBounded) {
  const auto v = Make(HmacSettings(), Options(4));
  for (int i = 0; i < 10; ++i) {
    auto claims = Claims();
    claims["n"] = i;
    ExpectIdentity(v->Verify(Bearer(Hs(claims)), kNow));
  }
  EXPECT_EQ(v->CacheStats().size, 4u);
}

TEST_F(JwtVerifierTest, SharedAcrossThreads) {
  auto auth = JwksSettings();
  auth.jwt_secret_file = dir_.Write("secret", kSecret);
  const auto v = Make(auth, Options(8));
  std::vector<std::string> tokens;
  for (int i = 0; i < 12; ++i) {
    auto claims = Claims();
    claims["n"] = i;
    tokens.push_back(i % 3 == 0   ? Hs(claims)
                     : i % 3 == 1 ? Rs(claims)
                                  : MintWithKey(Header("ES256", "ec-1"), Json(claims), Ec(), "ES256"));
  }
  std::atomic<int> accepted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 60; ++i) {
        const auto outcome = v->Verify(Bearer(tokens[static_cast<size_t>((i + t) % 12)]), kNow);
        if (outcome.ok()) accepted.fetch_add(1);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(accepted.load(), 240);
  EXPECT_LE(v->CacheStats().size, 8u);
}

}  // namespace
}  // namespace pgmcp::auth

// JWKS parsing: which keys are taken, which skipped, and which documents are configuration errors.
#include "auth/jwk_set.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "unit/auth/token_minter.h"

namespace pgmcp::auth {
namespace {

using testing::EcJwk;
using testing::GenerateEc;
using testing::GenerateRsa;
using testing::RsaJwk;

class AuthJwkSetTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rsa_ = GenerateRsa(2048).release();
    ec_ = GenerateEc("P-256").release();
  }
  static void TearDownTestSuite() {
    EVP_PKEY_free(rsa_);
    EVP_PKEY_free(ec_);
  }
  static std::string Doc(boost::json::array keys) {
    return boost::json::serialize(boost::json::object{{"keys", std::move(keys)}});
  }
  static EVP_PKEY* rsa_;
  static EVP_PKEY* ec_;
};

EVP_PKEY* AuthJwkSetTest::rsa_ = nullptr;
EVP_PKEY* AuthJwkSetTest::ec_ = nullptr;

TEST_F(AuthJwkSetTest, ReadsRsaAndEcKeys) {
  auto set = ParseJwkSet(Doc({RsaJwk(*rsa_, "r1", "RS256", "sig"), EcJwk(*ec_, "P-256", "e1")}), "auth.jwks_file");
  ASSERT_TRUE(set.ok()) << set.error().message;
  ASSERT_EQ(set->keys.size(), 2u);
  EXPECT_EQ(set->keys[0].kid, "r1");
  EXPECT_EQ(set->keys[0].family, KeyFamily::kRsa);
  EXPECT_TRUE(set->keys[0].Fits(Algorithm::kRs256));
  EXPECT_FALSE(set->keys[0].Fits(Algorithm::kPs256));  // the JWK's alg restricts it
  EXPECT_EQ(set->keys[1].curve, "P-256");
  EXPECT_TRUE(set->keys[1].Fits(Algorithm::kEs256));
  EXPECT_FALSE(set->keys[1].Fits(Algorithm::kEs384));
  EXPECT_FALSE(set->keys[1].Fits(Algorithm::kHs256));
}

// A file without a usable key is a mistake; a fetched one is the provider withdrawing every key.
TEST_F(AuthJwkSetTest, AKeySetWithoutAUsableKeyIsRefusedUnlessFetched) {
  const std::string doc = Doc({boost::json::object{{"kty", "oct"}, {"k", "c2VjcmV0"}}});
  const auto file = ParseJwkSet(doc, "auth.jwks_file");
  ASSERT_FALSE(file.ok());
  EXPECT_NE(file.error().message.find("auth.jwks_file holds no RSA or EC"), std::string::npos);
  const auto fetched = ParseJwkSet(doc, "https://idp.example/jwks", EmptyKeySet::kAllowed);
  ASSERT_TRUE(fetched.ok()) << fetched.error().message;
  EXPECT_TRUE(fetched->keys.empty());
  EXPECT_EQ(fetched->skipped, 1);
  EXPECT_FALSE(ParseJwkSet("{\"keys\": 7}", "https://idp.example/jwks", EmptyKeySet::kAllowed).ok())
      << "a malformed document is still an error";
  auto before = ParseJwkSet(Doc({RsaJwk(*rsa_, "r1")}), "auth.jwks_url");
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(CountWithdrawnKeys(*before, *fetched), 1u);
}

// A refetched key set withdraws a key when nothing in it is the same key: same kid, family,
// curve, JWK alg and public key. Order and added keys do not matter.
TEST_F(AuthJwkSetTest, CountsTheKeysARefetchedSetWithdrew) {
  const auto set = [](boost::json::array keys) {
    auto parsed = ParseJwkSet(Doc(std::move(keys)), "auth.jwks_url");
    EXPECT_TRUE(parsed.ok()) << parsed.error().message;
    return std::move(*parsed);
  };
  const auto before = set({RsaJwk(*rsa_, "r1", "RS256"), EcJwk(*ec_, "P-256", "e1")});
  EXPECT_EQ(CountWithdrawnKeys(before, set({EcJwk(*ec_, "P-256", "e1"), RsaJwk(*rsa_, "r1", "RS256")})), 0u)
      << "the same keys, in another order";
  EXPECT_EQ(CountWithdrawnKeys(before, set({RsaJwk(*rsa_, "r1", "RS256"), EcJwk(*ec_, "P-256", "e1"),
                                            RsaJwk(*rsa_, "r2", "RS256")})),
            0u)
      << "a key added";
  EXPECT_EQ(CountWithdrawnKeys(before, set({RsaJwk(*rsa_, "r1", "RS256")})), 1u) << "the EC key withdrawn";
  EXPECT_EQ(CountWithdrawnKeys(before, set({RsaJwk(*rsa_, "r1", "RS256"), EcJwk(*ec_, "P-256", "e2")})), 1u)
      << "the EC key's kid changed";
  EXPECT_EQ(CountWithdrawnKeys(before, set({RsaJwk(*rsa_, "r1", "PS256"), EcJwk(*ec_, "P-256", "e1")})), 1u)
      << "the RSA key's alg changed";
  auto other = GenerateRsa(2048);
  EXPECT_EQ(CountWithdrawnKeys(before, set({RsaJwk(*other, "r1", "RS256"), EcJwk(*ec_, "P-256", "e1")})), 1u)
      << "r1 now names other material";
}

TEST_F(AuthJwkSetTest, SkipsKeysThatAreNotForSignatures) {
  boost::json::object enc = RsaJwk(*rsa_, "enc");
  enc["use"] = "enc";
  boost::json::object wrap = RsaJwk(*rsa_, "wrap");
  wrap["key_ops"] = boost::json::array{"wrapKey"};
  boost::json::object oaep = RsaJwk(*rsa_, "oaep", "RSA-OAEP");
  const boost::json::object oct{{"kty", "oct"}, {"k", "c2VjcmV0"}};
  const boost::json::object okp{{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", "AAAA"}};
  auto set = ParseJwkSet(Doc({enc, wrap, oaep, oct, okp, RsaJwk(*rsa_, "ok")}), "auth.jwks_file");
  ASSERT_TRUE(set.ok()) << set.error().message;
  ASSERT_EQ(set->keys.size(), 1u);
  EXPECT_EQ(set->keys[0].kid, "ok");
  EXPECT_EQ(set->skipped, 5);
}

TEST_F(AuthJwkSetTest, ConfigErrorsNameTheSetting) {
  const auto expect_config_error = [](std::string_view doc) {
    auto set = ParseJwkSet(doc, "auth.jwks_file");
    ASSERT_FALSE(set.ok()) << doc;
    EXPECT_EQ(set.error().kind, ErrorKind::kConfig);
    EXPECT_NE(set.error().message.find("auth.jwks_file"), std::string::npos) << set.error().message;
  };
  expect_config_error("not json");
  expect_config_error("[]");
  expect_config_error(R"({"keys": {}})");
  expect_config_error(R"({"keys": []})");                             // nothing usable
  expect_config_error(R"({"keys": [{"kty": "oct", "k": "AAAA"}]})");  // nothing usable
  expect_config_error(R"({"keys": [{"kty": "RSA", "n": "AQAB"}]})");  // no e
  expect_config_error(R"({"keys": [{"kty": "RSA", "n": "AQ==", "e": "AQAB"}]})");
  expect_config_error(R"({"keys": [{"kty": "EC", "crv": "P-256", "x": "AAAA", "y": "AAAA"}]})");
  expect_config_error(R"({"keys": [42]})");
  // A valid-width point that is not on the curve.
  const std::string zeros = EncodeBase64Url(std::string(32, '\x01'));
  expect_config_error(R"({"keys": [{"kty": "EC", "crv": "P-256", "x": ")" + zeros + R"(", "y": ")" + zeros + R"("}]})");
  // alg that contradicts the key type.
  expect_config_error(Doc({RsaJwk(*rsa_, "", "ES256")}));
}

TEST_F(AuthJwkSetTest, RefusesShortRsaKeys) {
  auto small = GenerateRsa(1024);
  auto set = ParseJwkSet(Doc({RsaJwk(*small)}), "auth.jwks_file");
  ASSERT_FALSE(set.ok());
  EXPECT_NE(set.error().message.find("2048"), std::string::npos);
}

}  // namespace
}  // namespace pgmcp::auth

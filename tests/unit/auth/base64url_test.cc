// Base64url as JOSE uses it: RFC 4648 test vectors, and the strictness that keeps one spelling
// per byte string (no padding, no foreign characters, no stray bits).
#include "auth/base64url.h"

#include <gtest/gtest.h>

#include <random>

namespace pgmcp::auth {
namespace {

TEST(AuthBase64UrlTest, Rfc4648Vectors) {
  const std::pair<std::string, std::string> vectors[] = {
      {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},          {"foo", "Zm9v"},
      {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(EncodeBase64Url(plain), encoded);
    EXPECT_EQ(DecodeBase64Url(encoded), plain);
  }
}

TEST(AuthBase64UrlTest, UrlAlphabet) {
  EXPECT_EQ(EncodeBase64Url("\xfb\xff"), "-_8");
  EXPECT_EQ(DecodeBase64Url("-_8"), std::string("\xfb\xff"));
}

TEST(AuthBase64UrlTest, RejectsPaddingAndForeignCharacters) {
  EXPECT_FALSE(DecodeBase64Url("Zg=="));
  EXPECT_FALSE(DecodeBase64Url("Zm9v="));
  EXPECT_FALSE(DecodeBase64Url("Zm+v"));  // standard base64, not base64url
  EXPECT_FALSE(DecodeBase64Url("Zm/v"));
  EXPECT_FALSE(DecodeBase64Url("Zm9 v"));
  EXPECT_FALSE(DecodeBase64Url("Zm9\nv"));
  EXPECT_FALSE(DecodeBase64Url(std::string("Zm\0v", 4)));
  EXPECT_FALSE(DecodeBase64Url("Zm\xc3\xa9v"));
}

TEST(AuthBase64UrlTest, RejectsImpossibleLengthAndStrayBits) {
  EXPECT_FALSE(DecodeBase64Url("Z"));
  EXPECT_FALSE(DecodeBase64Url("Zm9vY"));
  EXPECT_FALSE(DecodeBase64Url("Zh"));   // "Zg" with a non-zero trailing bit
  EXPECT_FALSE(DecodeBase64Url("Zm9"));  // "Zm8" re-spelled
}

TEST(AuthBase64UrlTest, RoundTripsRandomBytes) {
  std::mt19937 rng(7);
  for (int n = 0; n < 200; ++n) {
    std::string bytes(static_cast<size_t>(n), '\0');
    for (auto& c : bytes) c = static_cast<char>(rng());
    const std::string encoded = EncodeBase64Url(bytes);
    EXPECT_EQ(encoded.find_first_of("+/="), std::string::npos);
    EXPECT_EQ(DecodeBase64Url(encoded), bytes);
  }
}

}  // namespace
}  // namespace pgmcp::auth

// The header checks in front of /mcp: Origin allow-list (with the server's own loopback origin),
// Host against DNS rebinding, Accept negotiation. (MCP headers: tests/unit/protocol/http_pipeline_test.cc.)
#include "http/request_checks.h"

#include <gtest/gtest.h>

namespace pgmcp::http {
namespace {

TEST(OriginAllowedTest, NoOriginIsANonBrowserClientAndAllowed) {
  EXPECT_TRUE(OriginAllowed("", false, {}));
}

TEST(OriginAllowedTest, OnlyListedOriginsAndTheServersOwnLoopbackOrigin) {
  std::vector<std::string> allowed = {"https://app.example"};
  EXPECT_TRUE(OriginAllowed("https://app.example", true, allowed));
  EXPECT_TRUE(OriginAllowed("HTTPS://APP.EXAMPLE", true, allowed)) << "origins compare case-insensitively";
  EXPECT_FALSE(OriginAllowed("https://app.example.evil", true, allowed));
  EXPECT_FALSE(OriginAllowed("https://evil.example", true, allowed));
  EXPECT_FALSE(OriginAllowed("null", true, allowed));
  EXPECT_TRUE(OriginAllowed("http://localhost:8808", true, {}, 8808));
  EXPECT_TRUE(OriginAllowed("http://127.0.0.1:8808", true, {}, 8808));
  EXPECT_TRUE(OriginAllowed("http://[::1]:8808", true, {}, 8808));
  EXPECT_FALSE(OriginAllowed("http://localhost:9999", true, {}, 8808)) << "another local port is another origin";
  EXPECT_FALSE(OriginAllowed("http://localhost:8808", true, {}, 0)) << "no own origin off loopback";
}

TEST(HostAllowedTest, LoopbackListenersAcceptOnlyLoopbackNames) {
  for (const char* ok : {"localhost", "localhost:8808", "127.0.0.1", "127.0.0.1:1", "[::1]", "[::1]:8808", "LOCALHOST"}) {
    EXPECT_TRUE(HostAllowed(ok, true)) << ok;
  }
  for (const char* bad : {"", "evil.example", "evil.example:8808", "localhost.evil.example", "127.0.0.1.nip.io",
                          "localhost:", "localhost:80x", "[::1", "[::1]x", "10.0.0.1"}) {
    EXPECT_FALSE(HostAllowed(bad, true)) << bad;
  }
  EXPECT_TRUE(HostAllowed("mcp.internal.example", false)) << "non-loopback listeners leave Host to the proxy";
}

TEST(AcceptsTest, MediaRangesAndParameters) {
  EXPECT_TRUE(Accepts("", "application/json")) << "no Accept accepts everything";
  EXPECT_TRUE(Accepts("application/json, text/event-stream", "text/event-stream"));
  EXPECT_TRUE(Accepts("application/*;q=0.5", "application/json"));
  EXPECT_TRUE(Accepts("*/*", "text/event-stream"));
  EXPECT_TRUE(Accepts("Application/JSON; charset=utf-8", "application/json"));
  EXPECT_FALSE(Accepts("image/png", "application/json"));
  EXPECT_FALSE(Accepts("text/*", "application/json"));
  EXPECT_TRUE(Accepts("text/plain, APPLICATION/*", "application/json")) << "a range's case does not matter";
  EXPECT_FALSE(Accepts("application/jsonx, app/*", "application/json"));
}

TEST(MediaTypeTest, IgnoresParametersCaseAndSpace) {
  EXPECT_TRUE(HasMediaType("Application/JSON; charset=utf-8", "application/json"));
  EXPECT_TRUE(HasMediaType(" application/json ", "application/json"));
  EXPECT_FALSE(HasMediaType("application/json-seq", "application/json"));
  EXPECT_FALSE(HasMediaType("", "application/json"));
}

}  // namespace
}  // namespace pgmcp::http

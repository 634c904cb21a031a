// subscriptions/listen in the protocol layer (docs/reference.md, "Subscriptions"): the filter a
// request may carry and the clear error for one it may not, the messages of a stream, the _meta
// checks every stateless request gets, and server/discover advertising the list changes.
#include "protocol/subscriptions.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>

#include "protocol/eras.h"
#include "unit/protocol/stateless_meta.h"
#include "protocol/http_pipeline.h"

namespace pgmcp::protocol {
namespace {
namespace asio = boost::asio;
namespace json = boost::json;

constexpr const char* kMeta = testing::kStatelessMeta;

Request ListenRequest(std::string_view params_rest, json::value id = 7) {
  std::string params = "{" + std::string(kMeta);
  if (!params_rest.empty()) params += "," + std::string(params_rest);
  params += "}";
  return Request{std::move(id), "subscriptions/listen", json::parse(params)};
}

class NoBackend : public Backend {
 public:
  std::shared_ptr<const std::string> ToolsList(std::string_view, const CallContext&) const override {
    return std::make_shared<std::string>(R"({"tools":[]})");
  }
  asio::awaitable<Result<ToolOutcome>> CallTool(std::string name, json::value, CallContext) override {
    co_return UnknownTool(name);
  }
  std::shared_ptr<const std::string> ResourcesList(const CallContext&) const override {
    return std::make_shared<std::string>(R"({"resources":[]})");
  }
  std::optional<std::string> ReadResource(std::string_view, const CallContext&) const override { return std::nullopt; }
};

std::string ErrorMessage(const Reply& reply) {
  return std::string(json::parse(reply.text).at("error").at("message").as_string());
}

TEST(ParseListenTest, HonoursTheListChangesAndAcknowledgesOnlyThose) {
  auto parsed = ParseListen(ListenRequest(
      R"("notifications":{"toolsListChanged":true,"resourcesListChanged":false,"promptsListChanged":true,)"
      R"("resourceSubscriptions":["pgmcp://schema"],"taskIds":["x"]})"));
  ASSERT_TRUE(std::holds_alternative<Subscription>(parsed));
  const auto& subscription = std::get<Subscription>(parsed);
  EXPECT_TRUE(subscription.filter.Wants(kToolsListChanged));
  EXPECT_FALSE(subscription.filter.Wants(kResourcesListChanged));
  EXPECT_FALSE(subscription.filter.Wants("notifications/prompts/list_changed"));

  json::value ack = json::parse(EncodeAcknowledged(subscription));
  EXPECT_EQ(ack.at("method"), json::value("notifications/subscriptions/acknowledged"));
  EXPECT_FALSE(ack.as_object().contains("id"));
  EXPECT_EQ(ack.at("params").at("_meta").at("io.modelcontextprotocol/subscriptionId"), json::value(7));
  // Prompts and per-URI updates are never sent, so they are not acknowledged.
  EXPECT_EQ(ack.at("params").at("notifications"), json::parse(R"({"toolsListChanged":true})"));
}

TEST(ParseListenTest, AnEmptyFilterIsAcknowledgedAsEmpty) {
  auto parsed = ParseListen(ListenRequest(R"("notifications":{})"));
  ASSERT_TRUE(std::holds_alternative<Subscription>(parsed));
  json::value ack = json::parse(EncodeAcknowledged(std::get<Subscription>(parsed)));
  EXPECT_TRUE(ack.at("params").at("notifications").as_object().empty());
}

TEST(ParseListenTest, ABadFilterGetsAClearInvalidParamsError) {
  const struct {
    const char* params;
    const char* says;
  } cases[] = {
      {"", R"(subscriptions/listen needs "notifications", an object such as {"toolsListChanged": true)"},
      {R"("notifications":true)", R"(subscriptions/listen needs "notifications", an object)"},
      {R"("notifications":["toolsListChanged"])", R"(subscriptions/listen needs "notifications", an object)"},
      {R"("notifications":{"toolsListChanged":"yes"})", R"("notifications.toolsListChanged" must be true or false.)"},
      {R"("notifications":{"resourcesListChanged":1})",
       R"("notifications.resourcesListChanged" must be true or false.)"},
      {R"("notifications":{"promptsListChanged":null})", R"("notifications.promptsListChanged" must be true or false.)"},
      {R"("notifications":{"resourceSubscriptions":"pgmcp://schema"})",
       R"("notifications.resourceSubscriptions" must be an array of URIs.)"},
      {R"("notifications":{"resourceSubscriptions":[1]})",
       R"("notifications.resourceSubscriptions" must be an array of URIs.)"},
  };
  for (const auto& c : cases) {
    auto parsed = ParseListen(ListenRequest(c.params));
    ASSERT_TRUE(std::holds_alternative<Reply>(parsed)) << c.params;
    const Reply& reply = std::get<Reply>(parsed);
    EXPECT_EQ(reply.http_status, 400) << c.params;
    EXPECT_EQ(reply.jsonrpc_code, error_code::kInvalidParams) << c.params;
    EXPECT_EQ(ErrorMessage(reply).find(std::string("Invalid params: ") + c.says), 0u) << ErrorMessage(reply);
  }
}

TEST(SubscriptionMessagesTest, EveryMessageNamesTheListenRequestId) {
  Subscription subscription{json::value("listen:1"), {true, true}};
  json::value change = json::parse(EncodeListChanged(subscription, kResourcesListChanged));
  EXPECT_EQ(change.at("method"), json::value("notifications/resources/list_changed"));
  EXPECT_EQ(change.at("params").at("_meta").at("io.modelcontextprotocol/subscriptionId"), json::value("listen:1"));

  json::value closed = json::parse(EncodeSubscriptionClosed(subscription, "9.9"));
  EXPECT_EQ(closed.at("id"), json::value("listen:1"));
  EXPECT_EQ(closed.at("result").at("resultType"), json::value("complete"));
  EXPECT_EQ(closed.at("result").at("_meta").at("io.modelcontextprotocol/subscriptionId"), json::value("listen:1"));
  EXPECT_EQ(closed.at("result").at("_meta").at("io.modelcontextprotocol/serverInfo").at("version"), json::value("9.9"));
}

TEST(StatelessListenTest, MetaIsCheckedLikeEveryStatelessRequest) {
  StatelessServer server(std::make_shared<NoBackend>(), "test");
  Request no_capabilities{json::value(1), "subscriptions/listen",
                          json::parse(R"({"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"},)"
                                      R"("notifications":{"toolsListChanged":true}})")};
  auto refused = server.Listen(no_capabilities);
  ASSERT_TRUE(std::holds_alternative<Reply>(refused));
  EXPECT_EQ(std::get<Reply>(refused).jsonrpc_code, error_code::kInvalidParams);

  Request newer{json::value(2), "subscriptions/listen",
                json::parse(R"({"_meta":{"io.modelcontextprotocol/protocolVersion":"2099-01-01",)"
                            R"("io.modelcontextprotocol/clientCapabilities":{}},"notifications":{}})")};
  auto unsupported = server.Listen(newer);
  ASSERT_TRUE(std::holds_alternative<Reply>(unsupported));
  EXPECT_EQ(std::get<Reply>(unsupported).jsonrpc_code, error_code::kUnsupportedVersion);

  auto opened = server.Listen(ListenRequest(R"("notifications":{"resourcesListChanged":true})"));
  ASSERT_TRUE(std::holds_alternative<Subscription>(opened));
  EXPECT_TRUE(std::get<Subscription>(opened).filter.Wants(kResourcesListChanged));
}

TEST(StatelessListenTest, DiscoverAdvertisesBothListChanges) {
  asio::io_context io;
  StatelessServer server(std::make_shared<NoBackend>(), "test");
  Request discover{json::value(1), "server/discover", json::parse("{" + std::string(kMeta) + "}")};
  auto future = asio::co_spawn(io, server.Serve(discover, {}), asio::use_future);
  io.run();
  json::value capabilities = json::parse(future.get().text).at("result").at("capabilities");
  EXPECT_EQ(capabilities.at("tools").at("listChanged"), json::value(true));
  EXPECT_EQ(capabilities.at("resources").at("listChanged"), json::value(true));
}

}  // namespace
}  // namespace pgmcp::protocol

// The MCP session: version negotiation, initialization order, dispatch, concurrent tool calls,
// cancellation. The backend here is a scripted stand-in for the tool layer (no database involved):
// a call with {"wait": true} blocks until the test opens its gate, and one with {"stubborn": true}
// until the test releases it, cancelled or not, so "slow" is a state the test controls, not a
// duration; nothing here sleeps or reads a clock.
#include "protocol/session.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/json/parse.hpp>

namespace pgmcp::protocol {
namespace {
namespace asio = boost::asio;
namespace json = boost::json;

class ScriptedBackend : public Backend {
 public:
  explicit ScriptedBackend(asio::any_io_executor executor) : gate_(executor), stubborn_(executor) {
    gate_.expires_at(asio::steady_timer::time_point::max());      // closed until OpenGate()
    stubborn_.expires_at(asio::steady_timer::time_point::max());  // until ReleaseStubborn()
  }
  // Lets every waiting call finish (and every later one pass).
  void OpenGate() {
    open_ = true;
    gate_.cancel();
  }
  // Lets every {"stubborn": true} call finish.
  void ReleaseStubborn() { stubborn_.cancel(); }
  int calls_cancelled() const { return calls_cancelled_; }

  std::shared_ptr<const std::string> ToolsList(std::string_view cursor, const CallContext&) const override {
    if (cursor.empty()) return std::make_shared<std::string>(R"({"tools":[{"name":"query_t"}],"nextCursor":"p:1"})");
    if (cursor == "p:1") return std::make_shared<std::string>(R"({"tools":[{"name":"query_u"}]})");
    return nullptr;
  }
  asio::awaitable<Result<ToolOutcome>> CallTool(std::string name, json::value arguments, CallContext) override {
    if (name != "query_t") co_return UnknownTool(name);
    // {"stubborn": true}: a call that does not see its cancellation (a query already on its way)
    // and ends, with a result of its own, only when the test releases it.
    if (arguments.is_object() && arguments.get_object().contains("stubborn")) {
      co_await asio::this_coro::reset_cancellation_state(asio::disable_cancellation());
      co_await stubborn_.async_wait(asio::as_tuple(asio::use_awaitable));
      co_return ToolOutcome{false, "stubborn", R"({"rows":["stubborn"]})"};
    }
    // {"wait": true}: a slow database call, waiting (without blocking the loop) for the gate.
    if (arguments.is_object() && arguments.get_object().contains("wait") && !open_) {
      co_await gate_.async_wait(asio::as_tuple(asio::use_awaitable));  // the error code says nothing open_ does not
      if (!open_) {  // woken by the session's cancellation, not by the gate
        ++calls_cancelled_;
        co_return MakeError(ErrorKind::kCancelled, "cancelled");
      }
    }
    co_return ToolOutcome{false, "{\"rows\":[]}", "{\"rows\":[]}"};
  }
  std::shared_ptr<const std::string> ResourcesList(const protocol::CallContext&) const override {
    return std::make_shared<std::string>(R"({"resources":[]})");
  }
  std::optional<std::string> ReadResource(std::string_view uri, const CallContext&) const override {
    if (uri == "pgmcp://schema") return R"({"contents":[]})";
    return std::nullopt;
  }

 private:
  asio::steady_timer gate_;
  asio::steady_timer stubborn_;
  bool open_ = false;
  int calls_cancelled_ = 0;
};

class SessionTest : public ::testing::Test {
 protected:
  SessionTest() : backend_(std::make_shared<ScriptedBackend>(io_.get_executor())) {
    session_ = Session::Create(io_.get_executor(), backend_, SessionOptions{64, "test", {}, nullptr},
                               [this](Outgoing m) {
                                 json::value v = json::parse(m.text);
                                 // Responses name the request they answer; notifications do not.
                                 EXPECT_EQ(m.reply_to.has_value(), v.as_object().contains("id"));
                                 if (m.reply_to) {
                                   EXPECT_EQ(*m.reply_to, Session::IdKey(v.at("id")));
                                 }
                                 sent_.push_back(std::move(v));
                               });
  }
  json::value Exchange(const std::string& text) {
    size_t before = sent_.size();
    session_->Receive(text);
    io_.restart();
    io_.run();
    EXPECT_EQ(sent_.size(), before + 1) << text;
    return sent_.empty() ? json::value() : sent_.back();
  }
  void Initialize(const char* version = "2025-11-25") {
    Exchange(std::string(R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":")") + version +
             R"(","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})");
    session_->Receive(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  }

  // Runs every handler that is ready, without waiting for anything.
  void RunReady() {
    io_.restart();
    io_.poll();
  }

  asio::io_context io_;
  std::shared_ptr<ScriptedBackend> backend_;
  std::vector<json::value> sent_;
  std::shared_ptr<Session> session_;
};

TEST_F(SessionTest, NegotiatesEachSupportedVersionAndOffersLatestOtherwise) {
  for (const char* v : {"2025-11-25", "2025-06-18", "2025-03-26"}) {
    Initialize(v);
    EXPECT_EQ(sent_.back().at("result").at("protocolVersion"), json::value(v));
  }
  Initialize("1999-01-01");
  EXPECT_EQ(sent_.back().at("result").at("protocolVersion"), json::value("2025-11-25"));
  auto caps = sent_.back().at("result").at("capabilities");
  EXPECT_EQ(caps.at("tools").at("listChanged"), json::value(true));
  EXPECT_TRUE(caps.as_object().contains("resources"));
  EXPECT_TRUE(caps.as_object().contains("logging"));
}

TEST_F(SessionTest, RefusesToolsBeforeInitializeButAnswersPing) {
  auto r = Exchange(R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})");
  EXPECT_EQ(r.at("error").at("code"), json::value(-32600));
  r = Exchange(R"({"jsonrpc":"2.0","id":2,"method":"ping"})");
  EXPECT_TRUE(r.at("result").as_object().empty());
}

TEST_F(SessionTest, UnknownMethodIsMethodNotFound) {
  Initialize();
  auto r = Exchange(R"({"jsonrpc":"2.0","id":"u","method":"prompts/list"})");
  EXPECT_EQ(r.at("error").at("code"), json::value(-32601));
  EXPECT_EQ(r.at("id"), json::value("u"));
}

TEST_F(SessionTest, AnUnknownMethodIsEchoedCutTo64Characters) {
  Initialize();
  const std::string method(100, 'm');
  auto r = Exchange(R"({"jsonrpc":"2.0","id":"u","method":")" + method + R"("})");
  EXPECT_EQ(r.at("error").at("message"), json::value("Method not found: " + method.substr(0, 64) + "\xe2\x80\xa6"));
  r = Exchange(R"({"jsonrpc":"2.0","id":"s","method":")" + method + R"(","params":{)" +
               R"("_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}})");
  EXPECT_EQ(r.at("error").at("message"), json::value("Method not found: " + method.substr(0, 64) + "\xe2\x80\xa6"))
      << "a stateless-era request on a stdio process";
}

TEST_F(SessionTest, UnknownToolIsInvalidParamsNamingItCutOnACharacterBoundary) {
  Initialize();
  auto r = Exchange(R"({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"drop_everything"}})");
  EXPECT_EQ(r.at("error").at("code"), json::value(-32602));
  EXPECT_EQ(r.at("error").at("message"), json::value("Unknown tool: drop_everything"));
  // 100 two-byte characters: the echo keeps 64 whole ones, then "…" (a 64-byte cut would split one).
  std::string long_name;
  for (int i = 0; i < 100; ++i) long_name += "\xc3\xa9";
  r = Exchange(R"({"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":")" + long_name + R"("}})");
  std::string expected = "Unknown tool: " + long_name.substr(0, 128) + "\xe2\x80\xa6";
  EXPECT_EQ(r.at("error").at("message"), json::value(expected));
  r = Exchange(R"({"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":7}})");
  EXPECT_EQ(r.at("error").at("code"), json::value(-32602));
}

TEST_F(SessionTest, ToolCallResultCarriesTextAndStructuredContent) {
  Initialize();
  auto r = Exchange(R"({"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"query_t","arguments":{}}})");
  EXPECT_EQ(r.at("result").at("isError"), json::value(false));
  EXPECT_EQ(r.at("result").at("content").at(0).at("type"), json::value("text"));
  EXPECT_TRUE(r.at("result").at("structuredContent").at("rows").is_array());
}

TEST_F(SessionTest, SlowCallDoesNotBlockPing) {
  Initialize();
  sent_.clear();
  session_->Receive(R"({"jsonrpc":"2.0","id":"slow","method":"tools/call","params":{"name":"query_t","arguments":{"wait":true}}})");
  session_->Receive(R"({"jsonrpc":"2.0","id":"p","method":"ping"})");
  RunReady();
  ASSERT_EQ(sent_.size(), 1u) << "the ping is answered while the call is still running";
  EXPECT_EQ(sent_[0].at("id"), json::value("p"));
  EXPECT_EQ(session_->in_flight(), 1u);
  backend_->OpenGate();
  RunReady();
  ASSERT_EQ(sent_.size(), 2u);
  EXPECT_EQ(sent_[1].at("id"), json::value("slow"));
  EXPECT_EQ(sent_[1].at("result").at("isError"), json::value(false));
}

TEST_F(SessionTest, CancelledCallGetsNoResponseAndStopsTheBackendCall) {
  Initialize();
  sent_.clear();
  session_->Receive(R"({"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"query_t","arguments":{"wait":true}}})");
  RunReady();
  EXPECT_EQ(session_->in_flight(), 1u);
  session_->Receive(R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":9}})");
  RunReady();  // the gate stays closed: only the cancellation can end the call
  EXPECT_EQ(backend_->calls_cancelled(), 1) << "the cancellation reached the running call";
  EXPECT_TRUE(sent_.empty());
  EXPECT_EQ(session_->in_flight(), 0u);
  io_.restart();
  EXPECT_EQ(io_.poll(), 0u);
  EXPECT_TRUE(io_.stopped()) << "nothing left waiting: the call's wait was cancelled, not abandoned";
}

// A cancelled call that runs on (its backend does not see the cancellation in time) must not
// take the place of a new request that reuses its id: when it ended, it removed the new call's
// slot and answered the new request with its own, older result.
TEST_F(SessionTest, ACancelledCallThatEndsLateLeavesANewRequestWithItsIdAlone) {
  Initialize();
  sent_.clear();
  session_->Receive(R"({"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"query_t","arguments":{"stubborn":true}}})");
  RunReady();
  session_->Receive(R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":7}})");
  session_->Receive(R"({"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"query_t","arguments":{"wait":true}}})");
  RunReady();
  ASSERT_EQ(session_->in_flight(), 1u);
  backend_->ReleaseStubborn();
  RunReady();
  EXPECT_TRUE(sent_.empty()) << "the cancelled call answered the new request: " << sent_.front();
  EXPECT_EQ(session_->in_flight(), 1u) << "the cancelled call took the new request's slot";
  backend_->OpenGate();
  RunReady();
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(sent_.back().at("id"), json::value(7));
  EXPECT_EQ(sent_.back().at("result").at("structuredContent").at("rows"), json::array{}) << "the new call's own result";
}

TEST_F(SessionTest, DuplicateInFlightIdIsRejected) {
  Initialize();
  sent_.clear();
  session_->Receive(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"query_t","arguments":{"wait":true}}})");
  session_->Receive(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"query_t","arguments":{}}})");
  RunReady();
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(sent_[0].at("error").at("code"), json::value(-32600));
  backend_->OpenGate();
  RunReady();
  ASSERT_EQ(sent_.size(), 2u);
  EXPECT_EQ(sent_[1].at("result").at("isError"), json::value(false));
}

TEST_F(SessionTest, ToolsListPagesByCursorAndRefusesUnknownCursors) {
  Initialize();
  auto first = Exchange(R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})");
  EXPECT_EQ(first.at("result").at("nextCursor"), json::value("p:1"));
  auto second = Exchange(R"({"jsonrpc":"2.0","id":2,"method":"tools/list","params":{"cursor":"p:1"}})");
  EXPECT_EQ(second.at("result").at("tools").at(0).at("name"), json::value("query_u"));
  EXPECT_FALSE(second.at("result").as_object().contains("nextCursor"));
  auto bad = Exchange(R"({"jsonrpc":"2.0","id":3,"method":"tools/list","params":{"cursor":"p:99"}})");
  EXPECT_EQ(bad.at("error").at("code"), json::value(-32602));
  bad = Exchange(R"({"jsonrpc":"2.0","id":4,"method":"tools/list","params":{"cursor":7}})");
  EXPECT_EQ(bad.at("error").at("code"), json::value(-32602));
}

TEST_F(SessionTest, ResourcesReadUnknownUriIsAnError) {
  Initialize();
  auto r = Exchange(R"({"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"uri":"pgmcp://nope"}})");
  EXPECT_EQ(r.at("error").at("code"), json::value(-32002));
  r = Exchange(R"({"jsonrpc":"2.0","id":2,"method":"resources/read","params":{"uri":"pgmcp://schema"}})");
  EXPECT_TRUE(r.at("result").at("contents").is_array());
}

TEST_F(SessionTest, MalformedInputGetsAnErrorAndTheSessionGoesOn) {
  auto r = Exchange("{oops");
  EXPECT_EQ(r.at("error").at("code"), json::value(-32700));
  Initialize();
  r = Exchange(R"({"jsonrpc":"2.0","id":1,"method":"ping"})");
  EXPECT_TRUE(r.as_object().contains("result"));
}

}  // namespace
}  // namespace pgmcp::protocol

namespace pgmcp::protocol {
namespace {

// limits.max_json_depth is read from the settings source for every message: a swapped snapshot
// (what a SIGHUP does) applies to the next line of a running stdio session.
TEST(SessionSettingsTest, MaxJsonDepthIsReadPerMessage) {
  asio::io_context io;
  auto settings = std::make_shared<config::Settings>();
  settings->limits.max_json_depth = 64;
  auto source = std::make_shared<config::SettingsSource>(settings);
  std::vector<json::value> sent;
  auto session = Session::Create(io.get_executor(), std::make_shared<ScriptedBackend>(io.get_executor()),
                                 SessionOptions{64, "test", {}, source},
                                 [&sent](Outgoing m) { sent.push_back(json::parse(m.text)); });
  const std::string ping = R"({"jsonrpc":"2.0","id":1,"method":"ping","params":{"a":{"b":{}}}})";
  session->Receive(ping);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_TRUE(sent.back().as_object().contains("result"));
  auto shallow = std::make_shared<config::Settings>(*settings);
  shallow->limits.max_json_depth = 2;
  source->Replace(shallow);
  session->Receive(ping);
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent.back().at("error").at("code"), json::value(-32700));
}


// subscriptions/listen on one conversation (stdio): a stateless-era client subscribes, hears of
// the list changes it asked for, each naming its subscription, until it cancels or the server stops.
constexpr const char* kListenMeta =
    R"("_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}})";

std::string Listen(std::string_view id, std::string_view filter) {
  return R"({"jsonrpc":"2.0","id":)" + std::string(id) + R"(,"method":"subscriptions/listen","params":{)" +
         kListenMeta + R"(,"notifications":)" + std::string(filter) + "}}";
}

TEST_F(SessionTest, AStatelessClientHearsOnlyTheListChangesItSubscribedTo) {
  auto ack = Exchange(Listen(R"("tools")", R"({"toolsListChanged":true})"));
  EXPECT_EQ(ack.at("method"), json::value("notifications/subscriptions/acknowledged"));
  EXPECT_EQ(ack.at("params").at("_meta").at("io.modelcontextprotocol/subscriptionId"), json::value("tools"));
  Exchange(Listen("9", R"({"resourcesListChanged":true})"));
  EXPECT_EQ(session_->subscriptions(), 2u);
  EXPECT_EQ(session_->in_flight(), 0u) << "an open subscription must not hold up a drain";

  size_t before = sent_.size();
  session_->Notify("notifications/tools/list_changed");
  // Not initialized in the session era: only the subscription hears of it, under its own id.
  ASSERT_EQ(sent_.size(), before + 1);
  EXPECT_EQ(sent_.back().at("method"), json::value("notifications/tools/list_changed"));
  EXPECT_EQ(sent_.back().at("params").at("_meta").at("io.modelcontextprotocol/subscriptionId"), json::value("tools"));
  session_->Notify("notifications/resources/list_changed");
  ASSERT_EQ(sent_.size(), before + 2);
  EXPECT_EQ(sent_.back().at("params").at("_meta").at("io.modelcontextprotocol/subscriptionId"), json::value(9));
}

TEST_F(SessionTest, ACancelledSubscriptionEndsWithoutAnAnswer) {
  Exchange(Listen("1", R"({"toolsListChanged":true})"));
  size_t before = sent_.size();
  session_->Receive(R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1}})");
  EXPECT_EQ(session_->subscriptions(), 0u);
  session_->Notify("notifications/tools/list_changed");
  EXPECT_EQ(sent_.size(), before);
}

TEST_F(SessionTest, ServerStopEndsEverySubscriptionWithItsResult) {
  Exchange(Listen(R"("a")", R"({"toolsListChanged":true})"));
  size_t before = sent_.size();
  session_->EndSubscriptions();
  ASSERT_EQ(sent_.size(), before + 1);
  EXPECT_EQ(sent_.back().at("id"), json::value("a"));
  EXPECT_EQ(sent_.back().at("result").at("_meta").at("io.modelcontextprotocol/subscriptionId"), json::value("a"));
  EXPECT_EQ(session_->subscriptions(), 0u);
}

TEST_F(SessionTest, ListenRefusesBadFiltersReusedIdsAndTooManySubscriptions) {
  auto bad = Exchange(Listen("1", R"({"toolsListChanged":"yes"})"));
  EXPECT_EQ(bad.at("error").at("code"), json::value(-32602));
  EXPECT_EQ(bad.at("error").at("message"),
            json::value(R"(Invalid params: "notifications.toolsListChanged" must be true or false.)"));

  Exchange(Listen("1", R"({"toolsListChanged":true})"));
  auto reused = Exchange(Listen("1", R"({"resourcesListChanged":true})"));
  EXPECT_EQ(reused.at("error").at("code"), json::value(-32600));

  for (size_t i = session_->subscriptions(); i < kMaxSubscriptionsPerSession; ++i) {
    Exchange(Listen(std::to_string(100 + i), "{}"));
  }
  auto over = Exchange(Listen("99999", "{}"));
  EXPECT_EQ(over.at("error").at("code"), json::value(-32603));
  EXPECT_NE(over.at("error").at("message").as_string().find("Too many open subscriptions"), std::string::npos);
  EXPECT_EQ(session_->subscriptions(), kMaxSubscriptionsPerSession);
}

TEST_F(SessionTest, ListenDoesNotExistInTheSessionEra) {
  Initialize();
  auto r = Exchange(R"({"jsonrpc":"2.0","id":5,"method":"subscriptions/listen","params":{"notifications":{}}})");
  EXPECT_EQ(r.at("error").at("code"), json::value(-32601));
}

}  // namespace
}  // namespace pgmcp::protocol

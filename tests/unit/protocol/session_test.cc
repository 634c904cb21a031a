// The MCP session: version negotiation, initialization order, dispatch, concurrent tool calls,
// cancellation. The backend here is a scripted stand-in for the tool layer (no database involved).
#include "protocol/session.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/json/parse.hpp>

namespace pgmcp::protocol {
namespace {
namespace asio = boost::asio;
namespace json = boost::json;

class ScriptedBackend : public Backend {
 public:
  std::shared_ptr<const std::string> ToolsList(std::string_view cursor) const override {
    if (cursor.empty()) return std::make_shared<std::string>(R"({"tools":[{"name":"query_t"}],"nextCursor":"p:1"})");
    if (cursor == "p:1") return std::make_shared<std::string>(R"({"tools":[{"name":"query_u"}]})");
    return nullptr;
  }
  bool HasTool(std::string_view name) const override { return name == "query_t"; }
  asio::awaitable<ToolOutcome> CallTool(std::string, json::value arguments, CallContext) override {
    // {"sleep_ms": N} makes the call take N ms of event-loop time (a slow database call).
    if (const auto* ms = arguments.is_object() ? arguments.get_object().if_contains("sleep_ms") : nullptr) {
      asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::milliseconds(ms->to_number<int64_t>()));
      co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    co_return ToolOutcome{false, "{\"rows\":[]}", "{\"rows\":[]}"};
  }
  std::shared_ptr<const std::string> ResourcesList() const override {
    return std::make_shared<std::string>(R"({"resources":[]})");
  }
  std::optional<std::string> ReadResource(std::string_view uri) const override {
    if (uri == "pgmcp://schema") return R"({"contents":[]})";
    return std::nullopt;
  }
};

class SessionTest : public ::testing::Test {
 protected:
  SessionTest() {
    session_ = Session::Create(io_.get_executor(), std::make_shared<ScriptedBackend>(), SessionOptions{64, "test", {}},
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

  asio::io_context io_;
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

TEST_F(SessionTest, UnknownToolIsInvalidParams) {
  Initialize();
  auto r = Exchange(R"({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"drop_everything"}})");
  EXPECT_EQ(r.at("error").at("code"), json::value(-32602));
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
  session_->Receive(R"({"jsonrpc":"2.0","id":"slow","method":"tools/call","params":{"name":"query_t","arguments":{"sleep_ms":200}}})");
  session_->Receive(R"({"jsonrpc":"2.0","id":"p","method":"ping"})");
  io_.restart();
  io_.run();
  ASSERT_EQ(sent_.size(), 2u);
  EXPECT_EQ(sent_[0].at("id"), json::value("p")) << "ping answered first, while the call was running";
  EXPECT_EQ(sent_[1].at("id"), json::value("slow"));
}

TEST_F(SessionTest, CancelledCallGetsNoResponse) {
  Initialize();
  sent_.clear();
  session_->Receive(R"({"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"query_t","arguments":{"sleep_ms":5000}}})");
  io_.poll();
  EXPECT_EQ(session_->in_flight(), 1u);
  session_->Receive(R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":9}})");
  auto start = std::chrono::steady_clock::now();
  io_.restart();
  io_.run();
  EXPECT_TRUE(sent_.empty());
  EXPECT_EQ(session_->in_flight(), 0u);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST_F(SessionTest, DuplicateInFlightIdIsRejected) {
  Initialize();
  sent_.clear();
  session_->Receive(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"query_t","arguments":{"sleep_ms":50}}})");
  session_->Receive(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"query_t","arguments":{}}})");
  io_.restart();
  io_.run();
  ASSERT_EQ(sent_.size(), 2u);
  EXPECT_EQ(sent_[0].at("error").at("code"), json::value(-32600));
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

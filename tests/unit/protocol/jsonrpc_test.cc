// The JSON-RPC 2.0 codec: valid messages of each kind, and every malformed shape mapped to the
// error code the spec names.
#include "protocol/jsonrpc.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace pgmcp::protocol {
namespace {
namespace json = boost::json;

Malformed ExpectMalformed(std::string_view text) {
  auto m = ParseMessage(text, 64);
  EXPECT_TRUE(std::holds_alternative<Malformed>(m)) << text;
  return std::holds_alternative<Malformed>(m) ? std::get<Malformed>(m) : Malformed{};
}

TEST(JsonRpc, RequestWithIntegerId) {
  auto m = ParseMessage(R"({"jsonrpc":"2.0","id":7,"method":"ping"})", 64);
  ASSERT_TRUE(std::holds_alternative<Request>(m));
  auto& r = std::get<Request>(m);
  EXPECT_EQ(r.id, json::value(7));
  EXPECT_EQ(r.method, "ping");
  EXPECT_TRUE(r.params.is_null());
}

TEST(JsonRpc, RequestWithStringIdAndParams) {
  auto m = ParseMessage(R"({"jsonrpc":"2.0","id":"a-1","method":"tools/call","params":{"name":"x"}})", 64);
  ASSERT_TRUE(std::holds_alternative<Request>(m));
  EXPECT_EQ(std::get<Request>(m).id, json::value("a-1"));
  EXPECT_EQ(std::get<Request>(m).params.at("name"), json::value("x"));
}

TEST(JsonRpc, MissingIdIsANotificationNotNull) {
  auto m = ParseMessage(R"({"jsonrpc":"2.0","method":"notifications/initialized"})", 64);
  ASSERT_TRUE(std::holds_alternative<Notification>(m));
}

TEST(JsonRpc, NullIdIsInvalid) {
  auto e = ExpectMalformed(R"({"jsonrpc":"2.0","id":null,"method":"ping"})");
  EXPECT_EQ(e.code, error_code::kInvalidRequest);
  EXPECT_TRUE(e.id.is_null());
}

TEST(JsonRpc, FractionalBooleanAndObjectIdsAreInvalid) {
  for (const char* id : {"1.5", "true", "{}", "[1]"}) {
    auto e = ExpectMalformed(std::string(R"({"jsonrpc":"2.0","method":"ping","id":)") + id + "}");
    EXPECT_EQ(e.code, error_code::kInvalidRequest) << id;
  }
}

TEST(JsonRpc, MalformedJsonIsParseError) {
  for (const char* text : {"{", "not json", R"({"jsonrpc":"2.0",})", "", "\xff\xfe"}) {
    auto e = ExpectMalformed(text);
    EXPECT_EQ(e.code, error_code::kParseError) << text;
    EXPECT_TRUE(e.id.is_null());
  }
}

TEST(JsonRpc, WrongVersionKeepsTheIdForTheReply) {
  auto e = ExpectMalformed(R"({"jsonrpc":"1.0","id":3,"method":"ping"})");
  EXPECT_EQ(e.code, error_code::kInvalidRequest);
  EXPECT_EQ(e.id, json::value(3));
  e = ExpectMalformed(R"({"id":4,"method":"ping"})");
  EXPECT_EQ(e.id, json::value(4));
}

TEST(JsonRpc, MethodMustBeAString) {
  EXPECT_EQ(ExpectMalformed(R"({"jsonrpc":"2.0","id":1,"method":5})").code, error_code::kInvalidRequest);
  EXPECT_EQ(ExpectMalformed(R"({"jsonrpc":"2.0","id":1})").code, error_code::kInvalidRequest);
}

TEST(JsonRpc, ParamsMustBeAnObject) {
  auto e = ExpectMalformed(R"({"jsonrpc":"2.0","id":1,"method":"ping","params":[1]})");
  EXPECT_EQ(e.code, error_code::kInvalidParams);
  e = ExpectMalformed(R"({"jsonrpc":"2.0","id":1,"method":"ping","params":"x"})");
  EXPECT_EQ(e.code, error_code::kInvalidParams);
}

TEST(JsonRpc, BatchesAndNonObjectsAreInvalidRequests) {
  EXPECT_EQ(ExpectMalformed(R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])").code, error_code::kInvalidRequest);
  EXPECT_EQ(ExpectMalformed("42").code, error_code::kInvalidRequest);
  EXPECT_EQ(ExpectMalformed(R"("x")").code, error_code::kInvalidRequest);
}

TEST(JsonRpc, NestingBeyondTheLimitIsRejectedNotACrash) {
  std::string deep = R"({"jsonrpc":"2.0","id":1,"method":"ping","params":{"a":)";
  for (int i = 0; i < 100000; ++i) deep += "[";
  auto e = ExpectMalformed(deep);
  EXPECT_EQ(e.code, error_code::kParseError);
  EXPECT_NE(e.message.find("deeper than 64"), std::string::npos) << e.message;
}

TEST(JsonRpc, ClientResponseIsRecognised) {
  auto m = ParseMessage(R"({"jsonrpc":"2.0","id":9,"result":{}})", 64);
  EXPECT_TRUE(std::holds_alternative<ClientResponse>(m));
}

TEST(JsonRpc, EncodersProduceValidJsonRpc) {
  auto r = json::parse(EncodeResult(json::value("x"), json::object{{"a", 1}}));
  EXPECT_EQ(r.at("jsonrpc"), json::value("2.0"));
  EXPECT_EQ(r.at("id"), json::value("x"));
  EXPECT_EQ(r.at("result").at("a"), json::value(1));
  auto e = json::parse(EncodeError(nullptr, -32700, "Parse error"));
  EXPECT_TRUE(e.at("id").is_null());
  EXPECT_EQ(e.at("error").at("code"), json::value(-32700));
  auto raw = json::parse(EncodeRawResult(json::value(5), R"({"tools":[]})"));
  EXPECT_TRUE(raw.at("result").at("tools").is_array());
  auto n = json::parse(EncodeNotification("notifications/tools/list_changed", nullptr));
  EXPECT_FALSE(n.as_object().contains("id"));
  EXPECT_FALSE(n.as_object().contains("params"));
}

}  // namespace
}  // namespace pgmcp::protocol

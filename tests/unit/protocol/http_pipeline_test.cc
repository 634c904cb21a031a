// The protocol side of MCP over HTTP: how a POST is classified (docs/protocol-eras.md §1.1), the
// header/body agreement of the stateless era (§2.5), stateless serving without a session, and
// the one table each of protocol faults and error kinds.
#include "protocol/http_pipeline.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>

#include "common/error_kinds.h"
#include "common/utf8.h"
#include "protocol/eras.h"
#include "unit/protocol/stateless_meta.h"

namespace pgmcp::protocol {
namespace {
namespace asio = boost::asio;
namespace json = boost::json;

constexpr const char* kMeta = testing::kStatelessMeta;

std::string StatelessBody(std::string_view method, std::string_view extra_params = "") {
  std::string params = "{" + std::string(kMeta);
  if (!extra_params.empty()) params += "," + std::string(extra_params);
  params += "}";
  return R"({"jsonrpc":"2.0","id":1,"method":")" + std::string(method) + R"(","params":)" + params + "}";
}

int CodeOf(const Reply& reply) { return json::parse(reply.text).at("error").at("code").to_number<int>(); }

Reply ImmediateReply(const Route& route) {
  const auto* immediate = std::get_if<Immediate>(&route);
  EXPECT_NE(immediate, nullptr) << "expected an immediate answer";
  return immediate != nullptr ? immediate->reply : Reply{};
}

TEST(RoutePostTest, AStatelessRequestWithAgreeingHeadersIsServedStatelessly) {
  std::string body = StatelessBody("tools/call", R"("name":"query_t")");
  auto route = RoutePost({body, "2026-07-28", "tools/call", "query_t", ""}, 64);
  ASSERT_TRUE(std::holds_alternative<StatelessRequest>(route));
  EXPECT_EQ(std::get<StatelessRequest>(route).request.method, "tools/call");
}

TEST(RoutePostTest, HeadersMustRepeatTheBodyBeforeTheVersionIsChecked) {
  std::string body = StatelessBody("tools/call", R"("name":"query_t")");
  // Wrong Mcp-Name, wrong Mcp-Method, missing version header: -32020 on 400.
  for (PostedMessage posted : {PostedMessage{body, "2026-07-28", "tools/call", "query_u", ""},
                               PostedMessage{body, "2026-07-28", "tools/list", "query_t", ""},
                               PostedMessage{body, "", "tools/call", "query_t", ""}}) {
    const Reply reply = ImmediateReply(RoutePost(posted, 64));
    EXPECT_EQ(reply.http_status, 400);
    EXPECT_EQ(CodeOf(reply), error_code::kHeaderMismatch) << reply.text;
  }
  // The base64 form of Mcp-Name and surrounding whitespace are accepted.
  auto route = RoutePost({body, "2026-07-28", " tools/call ", "=?base64?cXVlcnlfdA==?=", ""}, 64);
  EXPECT_TRUE(std::holds_alternative<StatelessRequest>(route));
}

TEST(RoutePostTest, AnAbsentHeaderIsReportedMissingNotMismatched) {
  std::string body = StatelessBody("tools/call", R"("name":"query_t")");
  const struct {
    PostedMessage posted;
    const char* header;
  } cases[] = {{{body, "2026-07-28", "", "query_t", ""}, "the Mcp-Method header (here 'tools/call')"},
               {{body, "2026-07-28", "tools/call", "", ""}, "the Mcp-Name header (the body's name 'query_t')"},
               {{body, "", "tools/call", "query_t", ""}, "the MCP-Protocol-Version header (here '2026-07-28')"}};
  for (const auto& c : cases) {
    const Reply reply = ImmediateReply(RoutePost(c.posted, 64));
    EXPECT_EQ(reply.http_status, 400);
    EXPECT_EQ(CodeOf(reply), error_code::kHeaderMismatch);
    const std::string message(json::parse(reply.text).at("error").at("message").as_string());
    EXPECT_EQ(message.find("Header missing: a stateless request needs " + std::string(c.header)), 0u) << message;
    EXPECT_EQ(message.find("does not match"), std::string::npos) << message;
  }
}

TEST(RoutePostTest, EraRoutingAnswersAtOnce) {
  std::string modern_initialize = StatelessBody("initialize");
  const Reply not_found = ImmediateReply(RoutePost({modern_initialize, "2026-07-28", "initialize", "", ""}, 64));
  EXPECT_EQ(not_found.http_status, 404);
  EXPECT_EQ(CodeOf(not_found), error_code::kMethodNotFound);

  std::string legacy_initialize = R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{}})";
  const Reply mismatch = ImmediateReply(RoutePost({legacy_initialize, "2026-07-28", "", "", ""}, 64));
  EXPECT_EQ(CodeOf(mismatch), error_code::kHeaderMismatch);

  std::string no_meta = R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})";
  const Reply missing_meta = ImmediateReply(RoutePost({no_meta, "2026-07-28", "tools/list", "", ""}, 64));
  EXPECT_EQ(missing_meta.http_status, 400);
  EXPECT_EQ(CodeOf(missing_meta), error_code::kInvalidParams);

  const Reply no_session = ImmediateReply(RoutePost({no_meta, "", "", "", ""}, 64));
  EXPECT_EQ(no_session.http_status, 400);
  EXPECT_EQ(CodeOf(no_session), error_code::kInvalidRequest);

  std::string notification = R"({"jsonrpc":"2.0","method":"notifications/initialized"})";
  const Reply accepted = ImmediateReply(RoutePost({notification, "2026-07-28", "", "", ""}, 64));
  EXPECT_EQ(accepted.http_status, 202);
  EXPECT_TRUE(accepted.text.empty());

  const Reply malformed = ImmediateReply(RoutePost({"{oops", "", "", "", ""}, 64));
  EXPECT_EQ(malformed.http_status, 400);
  EXPECT_EQ(CodeOf(malformed), error_code::kParseError);
}

TEST(RoutePostTest, SessionEraMessagesGoToASession) {
  std::string initialize = R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{}})";
  auto opens = RoutePost({initialize, "", "", "", ""}, 64);
  ASSERT_TRUE(std::holds_alternative<SessionMessage>(opens));
  EXPECT_TRUE(std::get<SessionMessage>(opens).opens_session);
  std::string list = R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})";
  auto in_session = RoutePost({list, "2025-11-25", "", "", "abc"}, 64);
  ASSERT_TRUE(std::holds_alternative<SessionMessage>(in_session));
  EXPECT_FALSE(std::get<SessionMessage>(in_session).opens_session);
  const Reply unsupported = ImmediateReply(RoutePost({list, "1999-01-01", "", "", "abc"}, 64));
  EXPECT_EQ(unsupported.http_status, 400);
}

TEST(RoutePostTest, TheJsonDepthLimitIsTheOneGiven) {
  std::string deep = R"({"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"a":{"b":{"c":{}}}}})";
  EXPECT_TRUE(std::holds_alternative<SessionMessage>(RoutePost({deep, "", "", "", "s"}, 64)));
  EXPECT_EQ(CodeOf(ImmediateReply(RoutePost({deep, "", "", "", "s"}, 3))), error_code::kParseError);
}

class OneToolBackend : public Backend {
 public:
  std::shared_ptr<const std::string> ToolsList(std::string_view, const protocol::CallContext&) const override {
    return std::make_shared<std::string>(R"({"tools":[{"name":"query_t"}]})");
  }
  asio::awaitable<Result<ToolOutcome>> CallTool(std::string name, json::value, CallContext) override {
    if (name != "query_t") co_return UnknownTool(name);
    co_return ToolOutcome{false, "ok", ""};
  }
  std::shared_ptr<const std::string> ResourcesList(const protocol::CallContext&) const override {
    return std::make_shared<std::string>(R"({"resources":[]})");
  }
  std::optional<std::string> ReadResource(std::string_view, const protocol::CallContext&) const override { return std::nullopt; }
};

Reply ServeStateless(const std::string& body) {
  asio::io_context io;
  StatelessServer server(std::make_shared<OneToolBackend>(), "test");
  const json::value parsed = json::parse(body);
  const std::string method(parsed.at("method").as_string());
  const json::object& params = parsed.at("params").as_object();
  const json::value* name = params.contains("name") ? params.if_contains("name") : params.if_contains("uri");
  const std::string name_header = name != nullptr ? std::string(name->as_string()) : std::string();
  auto route = RoutePost({body, "2026-07-28", method, name_header, ""}, 64);
  EXPECT_TRUE(std::holds_alternative<StatelessRequest>(route)) << body;
  auto future = asio::co_spawn(io, server.Serve(std::get<StatelessRequest>(std::move(route)).request, {}),
                               asio::use_future);
  io.run();
  return future.get();
}

TEST(StatelessServerTest, ServesWithoutASessionAndMapsErrorsToStatuses) {
  Reply discover = ServeStateless(StatelessBody("server/discover"));
  EXPECT_EQ(discover.http_status, 200);
  auto result = json::parse(discover.text).at("result");
  EXPECT_EQ(result.at("resultType"), json::value("complete"));
  EXPECT_TRUE(result.as_object().contains("ttlMs"));

  Reply call = ServeStateless(StatelessBody("tools/call", R"("name":"query_t")"));
  EXPECT_EQ(call.http_status, 200);
  EXPECT_EQ(json::parse(call.text).at("result").at("isError"), json::value(false));

  Reply unknown = ServeStateless(StatelessBody("tools/call", R"("name":"query_nope")"));
  EXPECT_EQ(unknown.http_status, 400);
  EXPECT_EQ(CodeOf(unknown), error_code::kInvalidParams);
  EXPECT_EQ(json::parse(unknown.text).at("error").at("message"), json::value("Unknown tool: query_nope"));

  Reply ping = ServeStateless(StatelessBody("ping"));
  EXPECT_EQ(ping.http_status, 404);
  EXPECT_EQ(CodeOf(ping), error_code::kMethodNotFound);
}

TEST(StatelessServerTest, MetaIsValidatedAfterTheHeaders) {
  std::string old_version = R"({"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{)"
                            R"("io.modelcontextprotocol/protocolVersion":"2099-01-01",)"
                            R"("io.modelcontextprotocol/clientCapabilities":{}}}})";
  asio::io_context io;
  StatelessServer server(std::make_shared<OneToolBackend>(), "test");
  auto route = RoutePost({old_version, "2099-01-01", "tools/list", "", ""}, 64);
  ASSERT_TRUE(std::holds_alternative<StatelessRequest>(route));
  auto future = asio::co_spawn(io, server.Serve(std::get<StatelessRequest>(std::move(route)).request, {}),
                               asio::use_future);
  io.run();
  Reply reply = future.get();
  EXPECT_EQ(reply.http_status, 400);
  EXPECT_EQ(CodeOf(reply), error_code::kUnsupportedVersion);
  EXPECT_EQ(json::parse(reply.text).at("error").at("data").at("requested"), json::value("2099-01-01"));
}

// Caller text a refusal quotes (a method, a URI, a protocol version, an MCP header) comes back
// cut to 64 code points with "…" (docs/security.md, "Returned text"), as an unknown tool's name
// always did: a client cannot make an error message as long as its request.
const std::string kLong(100, 'm');
const std::string kCut = std::string(64, 'm') + "\xe2\x80\xa6";

std::string MessageOf(const Reply& reply) {
  return std::string(json::parse(reply.text).at("error").at("message").as_string());
}

TEST(EchoTest, CutsCallerTextTo64CodePoints) {
  EXPECT_EQ(Echo(kLong), kCut);
  EXPECT_EQ(Echo("tools/lisst"), "tools/lisst");
  EXPECT_EQ(MessageOf(ErrorReply(UnknownTool(kLong), 1)), "Unknown tool: " + kCut);
}

TEST(EchoTest, RefusalsOfTheHttpPipelineCutWhatTheyEcho) {
  const std::string list = R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})";
  const std::string old_version = "1" + kLong;  // sorts before the stateless era's version
  EXPECT_EQ(MessageOf(ImmediateReply(RoutePost({list, old_version, "", "", "abc"}, 64))),
            "Unsupported MCP-Protocol-Version: " + Echo(old_version) + ".");
  const std::string new_version = "3" + kLong;  // sorts after it: a stateless request without _meta
  EXPECT_EQ(MessageOf(ImmediateReply(RoutePost({list, new_version, "", "", ""}, 64))).find("a " + Echo(new_version) + " request"),
            std::string("Invalid params: ").size());
  const std::string initialize = R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"_meta":{)"
                                 R"("io.modelcontextprotocol/protocolVersion":")" + new_version + R"("}}})";
  EXPECT_EQ(MessageOf(ImmediateReply(RoutePost({initialize, new_version, "initialize", "", ""}, 64))),
            "Method not found: initialize does not exist in protocol version " + Echo(new_version) + ".");

  // The MCP headers, missing or disagreeing with the body.
  const std::string meta_version = R"("_meta":{"io.modelcontextprotocol/protocolVersion":")" + kLong +
                                   R"(","io.modelcontextprotocol/clientCapabilities":{}})";
  const std::string long_version = R"({"jsonrpc":"2.0","id":1,"method":"tools/list","params":{)" + meta_version + "}}";
  EXPECT_NE(MessageOf(ImmediateReply(RoutePost({long_version, "", "tools/list", "", ""}, 64))).find("(here '" + kCut + "')"),
            std::string::npos);
  const std::string list_body = StatelessBody("tools/list");
  EXPECT_NE(MessageOf(ImmediateReply(RoutePost({list_body, kLong, "tools/list", "", ""}, 64))).find("header '" + kCut + "'"),
            std::string::npos);
  const std::string long_method = StatelessBody(kLong);
  EXPECT_NE(MessageOf(ImmediateReply(RoutePost({long_method, "2026-07-28", "", "", ""}, 64))).find("(here '" + kCut + "')"),
            std::string::npos);
  EXPECT_NE(MessageOf(ImmediateReply(RoutePost({long_method, "2026-07-28", "tools/list", "", ""}, 64)))
                .find("body method '" + kCut + "'"),
            std::string::npos);
  const std::string long_name = StatelessBody("tools/call", R"("name":")" + kLong + R"(")");
  EXPECT_NE(MessageOf(ImmediateReply(RoutePost({long_name, "2026-07-28", "tools/call", "", ""}, 64)))
                .find("the body's name '" + kCut + "'"),
            std::string::npos);
}

TEST(EchoTest, RefusalsOfTheStatelessServerCutWhatTheyEcho) {
  EXPECT_EQ(MessageOf(ServeStateless(StatelessBody(kLong))), "Method not found: " + kCut);
  const Reply resource = ServeStateless(StatelessBody("resources/read", R"("uri":"pgmcp://)" + kLong + R"(")"));
  const std::string cut_uri = Echo("pgmcp://" + kLong);
  EXPECT_EQ(MessageOf(resource), "Resource not found: " + cut_uri);
  EXPECT_EQ(json::parse(resource.text).at("error").at("data").at("uri"), json::value(cut_uri));

  const std::string future = "2099-" + kLong;
  const std::string body = R"({"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{)"
                           R"("io.modelcontextprotocol/protocolVersion":")" + future +
                           R"(","io.modelcontextprotocol/clientCapabilities":{}}}})";
  asio::io_context io;
  StatelessServer server(std::make_shared<OneToolBackend>(), "test");
  auto route = RoutePost({body, future, "tools/list", "", ""}, 64);
  ASSERT_TRUE(std::holds_alternative<StatelessRequest>(route));
  auto reply = asio::co_spawn(io, server.Serve(std::get<StatelessRequest>(std::move(route)).request, {}), asio::use_future);
  io.run();
  EXPECT_EQ(json::parse(reply.get().text).at("error").at("data").at("requested"), json::value(Echo(future)));
}

TEST(ErrorTablesTest, FaultsAndErrorKindsMapToOneCodeAndStatusEach) {
  EXPECT_EQ(Describe(Fault::kMethodNotFound).http_status, 404);
  EXPECT_EQ(Describe(Fault::kHeaderMismatch).jsonrpc_code, -32020);
  EXPECT_EQ(Describe(Fault::kSessionNotFound).http_status, 404);
  EXPECT_EQ(pgmcp::Describe(ErrorKind::kUnauthenticated).http_status, 401);
  EXPECT_EQ(pgmcp::Describe(ErrorKind::kForbidden).http_status, 403);
  EXPECT_EQ(pgmcp::Describe(ErrorKind::kBusy).metric_status, "busy");
  EXPECT_EQ(pgmcp::Describe(ErrorKind::kPermissionDenied).metric_status, "denied");
  EXPECT_EQ(pgmcp::Describe(ErrorKind::kNotFound).jsonrpc_code, -32602);
  // The default sentence stands in only for an error without one.
  EXPECT_EQ(ClientSentence(MakeError(ErrorKind::kTimeout, "")), pgmcp::Describe(ErrorKind::kTimeout).client_sentence);
  EXPECT_EQ(ClientSentence(MakeError(ErrorKind::kTimeout, "Too slow.")), "Too slow.");
}

TEST(DecodeHeaderValueTest, PlainValuesAreTrimmedAndBase64FormsDecoded) {
  EXPECT_EQ(DecodeHeaderValue("  query_orders "), "query_orders");
  EXPECT_EQ(DecodeHeaderValue("=?base64?cXVlcnlfb3JkZXJz?="), "query_orders");
  EXPECT_EQ(DecodeHeaderValue("=?base64?w7zDpMO2?="), "\xc3\xbc\xc3\xa4\xc3\xb6");  // üäö
  EXPECT_EQ(DecodeHeaderValue("=?base64?YQ==?="), "a");
  EXPECT_FALSE(DecodeHeaderValue("=?base64?not*base64?=").has_value());
  EXPECT_FALSE(DecodeHeaderValue("=?base64?YQ==YQ?=").has_value()) << "data after padding";
}

TEST(CutUtf8Test, CutsOnCodePointBoundaries) {
  EXPECT_EQ(CutUtf8("abc", 3), "abc");
  EXPECT_EQ(CutUtf8("abcd", 3), "abc…");
  EXPECT_EQ(CutUtf8("\xc3\xa9\xc3\xa9\xc3\xa9", 2), "\xc3\xa9\xc3\xa9…");
  EXPECT_EQ(CutUtf8("\xf0\x9f\x98\x80x", 1), "\xf0\x9f\x98\x80…");  // a 4-byte character stays whole
  EXPECT_EQ(Utf8PrefixBytes("\xc3\xa9\xc3\xa9", 1), 2u);
}

}  // namespace
}  // namespace pgmcp::protocol

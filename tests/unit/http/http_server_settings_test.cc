// The HTTP server reads its reloadable limits (http.max_body_bytes, http.allowed_origins,
// limits.max_json_depth) from the settings source for every request: a swapped snapshot (what a
// SIGHUP does) changes the next request's answer, with no restart. A real listener on a free
// port; the client is a blocking Beast client on the test thread, the server's loop on another.
#include "http/http_server.h"
#include "no_tools_backend.h"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <thread>

namespace pgmcp::http {
namespace {
namespace asio = boost::asio;
namespace bhttp = boost::beast::http;

using testing::NoTools;

std::shared_ptr<const config::Settings> Limits(int64_t max_body_bytes, std::vector<std::string> origins,
                                               int64_t max_json_depth) {
  auto s = std::make_shared<config::Settings>();
  s->http.max_body_bytes = max_body_bytes;
  s->http.allowed_origins = std::move(origins);
  s->limits.max_json_depth = max_json_depth;
  return s;
}

class HttpServerSettingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    source_ = std::make_shared<config::SettingsSource>(Limits(64, {}, 64));
    HttpOptions options;
    options.listen = "127.0.0.1:0";
    options.settings = source_;
    server_ = HttpServer::Create(io_, options, std::make_shared<NoTools>(), Hooks{});
    auto port = server_->Start();
    ASSERT_TRUE(port.ok()) << port.error().message;
    port_ = *port;
    loop_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    asio::post(io_, [this] {
      server_->StopAccepting();
      server_->CloseSessions();
    });
    io_.stop();
    if (loop_.joinable()) loop_.join();
  }

  // One POST /mcp on a fresh connection.
  bhttp::response<bhttp::string_body> Post(const std::string& body, const std::string& origin = "") {
    asio::io_context client_io;
    asio::ip::tcp::socket socket(client_io);
    socket.connect({asio::ip::make_address("127.0.0.1"), port_});
    bhttp::request<bhttp::string_body> req{bhttp::verb::post, "/mcp", 11};
    req.set(bhttp::field::host, "127.0.0.1");
    req.set(bhttp::field::content_type, "application/json");
    req.set(bhttp::field::accept, "application/json, text/event-stream");
    if (!origin.empty()) req.set(bhttp::field::origin, origin);
    req.keep_alive(false);
    req.body() = body;
    req.prepare_payload();
    bhttp::write(socket, req);
    boost::beast::flat_buffer buffer;
    bhttp::response<bhttp::string_body> res;
    boost::system::error_code ec;
    bhttp::read(socket, buffer, res, ec);
    return res;
  }

  asio::io_context io_;
  std::shared_ptr<config::SettingsSource> source_;
  std::shared_ptr<HttpServer> server_;
  uint16_t port_ = 0;
  std::thread loop_;
};

const std::string kInitialize =
    R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},)"
    R"("clientInfo":{"name":"t","version":"1"}}})";

TEST_F(HttpServerSettingsTest, MaxBodyBytesIsReadPerRequest) {
  EXPECT_EQ(Post(kInitialize).result_int(), 413);
  source_->Replace(Limits(1 << 20, {}, 64));
  EXPECT_EQ(Post(kInitialize).result_int(), 200);
}

// A reload while a keep-alive connection waits for its next request applies to that request.
TEST_F(HttpServerSettingsTest, MaxBodyBytesAppliesToTheNextRequestOnAnIdleConnection) {
  source_->Replace(Limits(1 << 20, {}, 64));
  asio::io_context client_io;
  asio::ip::tcp::socket socket(client_io);
  socket.connect({asio::ip::make_address("127.0.0.1"), port_});
  auto exchange = [&socket] {
    bhttp::request<bhttp::string_body> req{bhttp::verb::post, "/mcp", 11};
    req.set(bhttp::field::host, "127.0.0.1");
    req.set(bhttp::field::content_type, "application/json");
    req.set(bhttp::field::accept, "application/json, text/event-stream");
    req.keep_alive(true);
    req.body() = kInitialize;
    req.prepare_payload();
    bhttp::write(socket, req);
    boost::beast::flat_buffer buffer;
    bhttp::response<bhttp::string_body> res;
    bhttp::read(socket, buffer, res);
    return res.result_int();
  };
  EXPECT_EQ(exchange(), 200);
  source_->Replace(Limits(64, {}, 64));
  EXPECT_EQ(exchange(), 413);
}

TEST_F(HttpServerSettingsTest, AllowedOriginsAreReadPerRequest) {
  source_->Replace(Limits(1 << 20, {}, 64));
  EXPECT_EQ(Post(kInitialize, "https://app.example").result_int(), 403);
  source_->Replace(Limits(1 << 20, {"https://app.example"}, 64));
  EXPECT_EQ(Post(kInitialize, "https://app.example").result_int(), 200);
}

TEST_F(HttpServerSettingsTest, MaxJsonDepthIsReadPerRequest) {
  source_->Replace(Limits(1 << 20, {}, 2));
  auto res = Post(kInitialize);  // message > params > capabilities: deeper than 2
  EXPECT_EQ(res.result_int(), 400);
  EXPECT_EQ(boost::json::parse(res.body()).at("error").at("code"), boost::json::value(-32700));
  source_->Replace(Limits(1 << 20, {}, 64));
  EXPECT_EQ(Post(kInitialize).result_int(), 200);
}

}  // namespace
}  // namespace pgmcp::http

// Attacks on the HTTP server's bounds (docs/security.md): HEAD without a body, the connection cap,
// nothing unbounded before authentication, X-Forwarded-* only from trusted proxies, sessions per
// owner, a GET or listen stream that ends with its token. A real listener on a free port; the client is a
// raw POSIX socket with receive timeouts, so a server that never answers fails the test instead
// of hanging it.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <future>
#include <boost/json/parse.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "http/http_server.h"
#include "http/session_registry.h"
#include "no_tools_backend.h"

namespace pgmcp::http {
namespace {
namespace asio = boost::asio;
using std::chrono::steady_clock;

using testing::NoTools;

// Tool calls that run until cancelled (or 30 s); each cancellation is counted and announced.
class SlowTools : public NoTools {
 public:
  asio::awaitable<Result<protocol::ToolOutcome>> CallTool(std::string, boost::json::value,
                                                          protocol::CallContext) override {
    asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::seconds(30));
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec && !cancelled_.exchange(true)) announced_.set_value();
    co_return protocol::ToolOutcome{false, "done", ""};
  }
  // True once a call has been cancelled, waiting up to `within` for it.
  bool CancelledWithin(std::chrono::milliseconds within) { return announced_future_.wait_for(within) == std::future_status::ready; }

 private:
  std::atomic<bool> cancelled_{false};
  std::promise<void> announced_;
  std::future<void> announced_future_ = announced_.get_future();
};

// How a read ended.
enum class End { kDone, kEof, kReset, kTimeout };

struct Received {
  std::string text;
  End end = End::kTimeout;
};

// A blocking client socket whose reads give up after `timeout`, connecting from the loopback
// address `from` (all of 127.0.0.0/8 is loopback: one machine plays several clients).
class RawClient {
 public:
  RawClient(uint16_t port, std::chrono::milliseconds timeout = std::chrono::milliseconds(3000),
            const char* from = "127.0.0.1") {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in source{};
    source.sin_family = AF_INET;
    ::inet_pton(AF_INET, from, &source.sin_addr);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&source), sizeof source);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  }
  ~RawClient() { ::close(fd_); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return connected_; }

  // Sends everything; false when the peer refused part of it.
  bool Send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Reads until `done` holds for what has arrived, the peer closes, or the timeout passes.
  Received ReadUntil(const std::function<bool(const std::string&)>& done) {
    Received r;
    char buf[4096];
    while (true) {
      if (done && done(r.text)) {
        r.end = End::kDone;
        return r;
      }
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n > 0) {
        r.text.append(buf, static_cast<size_t>(n));
        continue;
      }
      if (n == 0) {
        r.end = End::kEof;
      } else {
        r.end = (errno == EAGAIN || errno == EWOULDBLOCK) ? End::kTimeout : End::kReset;
      }
      return r;
    }
  }
  Received ReadToEnd() { return ReadUntil(nullptr); }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

// One complete response head (through the blank line) has arrived.
bool HasHead(const std::string& text) { return text.find("\r\n\r\n") != std::string::npos; }

size_t Count(const std::string& text, std::string_view what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

std::string HeaderValue(const std::string& text, std::string_view name) {
  auto at = text.find(std::string(name) + ": ");
  if (at == std::string::npos) return {};
  at += name.size() + 2;
  return text.substr(at, text.find("\r\n", at) - at);
}

const std::string kHealthz = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

// GET /healthz on `client`: true once its answer has come.
bool Served(RawClient& client) {
  client.Send(kHealthz);
  return client.ReadUntil([](const std::string& t) { return t.find("ok\n") != std::string::npos; }).end == End::kDone;
}

// A new connection from `from` is closed by pgmcp without a byte of it read or answered.
bool ClosedUnread(uint16_t port, const char* from = "127.0.0.1") {
  RawClient client(port, std::chrono::milliseconds(1000), from);
  if (!client.connected()) return false;  // the kernel completes the handshake; pgmcp closes it at once
  client.Send(kHealthz);
  auto r = client.ReadToEnd();
  return (r.end == End::kEof || r.end == End::kReset) && r.text.empty();
}

const std::string kInitialize =
    R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},)"
    R"("clientInfo":{"name":"t","version":"1"}}})";

std::string PostMcp(const std::string& body, std::string_view extra_headers = "") {
  return "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
         "Accept: application/json, text/event-stream\r\n" +
         std::string(extra_headers) + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

class HttpHardeningTest : public ::testing::Test {
 protected:
  void Start(HttpOptions options = {}, Hooks hooks = {}, std::shared_ptr<protocol::Backend> backend = nullptr) {
    options.listen = "127.0.0.1:0";
    if (!backend) backend = std::make_shared<NoTools>();
    server_ = HttpServer::Create(io_, options, backend, std::move(hooks));
    auto port = server_->Start();
    ASSERT_TRUE(port.ok()) << port.error().message;
    port_ = *port;
    loop_ = std::thread([this] { io_.run(); });
  }
  // Hooks that record each connection refused at a cap (what /metrics counts), for Refusals().
  Hooks RefusalsCounted() {
    Hooks hooks;
    hooks.on_connection_refused = [this](std::string_view cap) {
      std::lock_guard<std::mutex> lock(refusals_mutex_);
      refusals_.emplace_back(cap);
    };
    return hooks;
  }
  std::vector<std::string> Refusals() {
    std::lock_guard<std::mutex> lock(refusals_mutex_);
    return refusals_;
  }
  // The HTTP status of an initialize by the token owner `subject`.
  std::string Initialize(const std::string& subject) {
    RawClient client(port_);
    client.Send(PostMcp(kInitialize, "Authorization: Bearer " + subject + "\r\nConnection: close\r\n"));
    return client.ReadToEnd().text.substr(9, 3);
  }
  // A new session of the token owner `subject`: its Mcp-Session-Id.
  std::string OpenSession(const std::string& subject) {
    RawClient client(port_);
    client.Send(PostMcp(kInitialize, "Authorization: Bearer " + subject + "\r\nConnection: close\r\n"));
    return HeaderValue(client.ReadToEnd().text, "Mcp-Session-Id");
  }
  void TearDown() override {
    if (server_) {
      asio::post(io_, [this] {
        server_->StopAccepting();
        server_->CloseSessions();
      });
    }
    io_.stop();
    if (loop_.joinable()) loop_.join();
  }

  asio::io_context io_;
  std::shared_ptr<HttpServer> server_;
  uint16_t port_ = 0;
  std::thread loop_;
  std::mutex refusals_mutex_;
  std::vector<std::string> refusals_;  // the caps of the connections refused, in order
};

TEST_F(HttpHardeningTest, HeadGetsNoBodySoTheNextResponseOnTheConnectionIsIntact) {
  Start();
  RawClient client(port_);
  ASSERT_TRUE(client.Send("HEAD /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                          "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
  auto r = client.ReadToEnd();
  ASSERT_EQ(r.end, End::kEof) << r.text;
  EXPECT_EQ(Count(r.text, "HTTP/1.1 200 OK\r\n"), 2u) << r.text;
  // The HEAD answer's header announces the GET's length, and the next bytes are the GET's answer.
  auto first_end = r.text.find("\r\n\r\n");
  EXPECT_EQ(HeaderValue(r.text, "Content-Length"), "3");
  EXPECT_EQ(r.text.substr(first_end + 4, 9), "HTTP/1.1 ") << r.text;
  EXPECT_EQ(r.text.substr(r.text.size() - 7), "\r\n\r\nok\n") << r.text;
}

TEST_F(HttpHardeningTest, ConnectionsBeyondMaxConnectionsAreClosedAtOnce) {
  HttpOptions options;
  options.max_connections = 2;
  Start(options, RefusalsCounted());
  RawClient a(port_), b(port_);
  ASSERT_TRUE(Served(a));  // both served and kept open
  ASSERT_TRUE(Served(b));
  EXPECT_TRUE(ClosedUnread(port_)) << "the third connection was not closed";
  EXPECT_TRUE(Served(a)) << "the two admitted connections still work";
  EXPECT_EQ(Refusals(), std::vector<std::string>{"max_connections"}) << "each refusal is counted, by its cap";
}

// A connection that never completes its first request head is closed at the first request's
// deadline, not after the keep-alive idle time (75 s): silent sockets cannot hold the
// connection slots. A connection that has been served waits the keep-alive time for its next.
TEST_F(HttpHardeningTest, AConnectionWithoutARequestIsClosedAtTheFirstRequestDeadline) {
  HttpOptions options;
  options.first_request_timeout = std::chrono::milliseconds(200);
  Start(options);
  const auto start = steady_clock::now();
  RawClient silent(port_, std::chrono::milliseconds(2000)), slow(port_, std::chrono::milliseconds(2000));
  ASSERT_TRUE(slow.Send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"));  // a head begun, never ended
  for (auto* client : {&silent, &slow}) {
    auto r = client->ReadToEnd();
    EXPECT_TRUE(r.end == End::kEof || r.end == End::kReset) << "the connection outlived its first request's deadline";
    EXPECT_EQ(r.text, "");
  }
  EXPECT_LT(steady_clock::now() - start, std::chrono::seconds(1));

  RawClient kept(port_, std::chrono::milliseconds(600));
  ASSERT_TRUE(Served(kept));
  EXPECT_EQ(kept.ReadToEnd().end, End::kTimeout) << "an idle keep-alive connection was held to the first request's deadline";
  EXPECT_TRUE(Served(kept));
}

// One client address may hold http.max_connections_per_client connections; one more is closed
// before a byte of it is read. Other clients, and a trusted proxy (which carries every client's
// connections), are not held back by it.
TEST_F(HttpHardeningTest, AConnectionBeyondMaxConnectionsPerClientIsClosedAtOnce) {
  HttpOptions options;
  options.max_connections_per_client = 2;
  options.trusted_proxies = {"127.0.0.2"};  // 127.0.0.1 is a client like any other
  Start(options, RefusalsCounted());
  auto a = std::make_unique<RawClient>(port_);
  RawClient b(port_);
  ASSERT_TRUE(Served(*a));
  ASSERT_TRUE(Served(b));
  EXPECT_TRUE(ClosedUnread(port_)) << "the third connection of one client was not closed";
  EXPECT_EQ(Refusals(), std::vector<std::string>{"max_connections_per_client"});
  RawClient other(port_, std::chrono::milliseconds(3000), "127.0.0.3");
  EXPECT_TRUE(Served(other)) << "another client was held back";
  std::vector<std::unique_ptr<RawClient>> proxied;
  for (int i = 0; i < 4; ++i) {
    proxied.push_back(std::make_unique<RawClient>(port_, std::chrono::milliseconds(3000), "127.0.0.2"));
    EXPECT_TRUE(Served(*proxied.back())) << "the trusted proxy's connection " << i << " was refused";
  }
  EXPECT_TRUE(Served(b)) << "the client's admitted connections still work";

  // A connection that ends gives its place back.
  a.reset();
  const auto deadline = steady_clock::now() + std::chrono::seconds(2);
  bool admitted = false;
  while (!admitted && steady_clock::now() < deadline) {
    RawClient again(port_, std::chrono::milliseconds(1000));
    admitted = Served(again);
  }
  EXPECT_TRUE(admitted) << "the closed connection still counted against its client";
}

// The server forgets a connection when it ends, not at a sweep every 30 s: 150,000 connections
// opened and closed used to leave that many entries (and their memory) behind until then.
TEST_F(HttpHardeningTest, AConnectionThatEndsIsForgottenAtOnce) {
  Start();
  for (int i = 0; i < 20; ++i) {
    RawClient client(port_);
    client.Send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    ASSERT_EQ(client.ReadToEnd().end, End::kEof);
  }
  const auto deadline = steady_clock::now() + std::chrono::seconds(2);
  size_t tracked = 0;
  do {
    std::promise<size_t> count;
    asio::post(io_, [this, &count] { count.set_value(server_->connections()); });
    tracked = count.get_future().get();
  } while (tracked != 0 && steady_clock::now() < deadline);
  EXPECT_EQ(tracked, 0u) << "connections that ended are still tracked";
}

TEST_F(HttpHardeningTest, AnEndlessChunkExtensionIsRefusedWithinASecond) {
  Start();
  RawClient client(port_, std::chrono::milliseconds(2000));
  std::string request =
      "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
      "Accept: application/json\r\nTransfer-Encoding: chunked\r\n\r\n1;";
  request.append(40000, 'x');  // 40 KB of one chunk extension, never ended: well under 64 KB sent
  auto start = steady_clock::now();
  client.Send(request);  // may fail part way once pgmcp has closed: that is the point
  auto r = client.ReadToEnd();
  EXPECT_NE(r.end, End::kTimeout) << "pgmcp kept reading the chunk extension";
  EXPECT_LT(steady_clock::now() - start, std::chrono::seconds(1));
  EXPECT_EQ(r.text.substr(0, 12), "HTTP/1.1 400") << r.text;  // the refusal survives the close
}

Hooks RequireToken(int64_t expires_at = 0) {
  Hooks hooks;
  hooks.authenticate = [expires_at](std::string authorization) -> boost::asio::awaitable<Result<Caller>> {
    if (authorization.empty()) co_return MakeError(ErrorKind::kUnauthenticated, "Missing bearer token.", "missing");
    Caller caller;
    caller.context.role = "reader";
    caller.context.subject = authorization.substr(authorization.find(' ') + 1);
    caller.expires_at = expires_at;
    co_return caller;
  };
  return hooks;
}

TEST_F(HttpHardeningTest, UnauthenticatedPostGets401BeforeItsBodyIsSent) {
  Start({}, RequireToken());
  RawClient client(port_, std::chrono::milliseconds(2000));
  auto start = steady_clock::now();
  ASSERT_TRUE(client.Send(
      "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
      "Accept: application/json\r\nContent-Length: 900000\r\n\r\n"));  // and not one byte of the body
  auto r = client.ReadUntil(HasHead);
  ASSERT_EQ(r.end, End::kDone) << "no answer before the body";
  EXPECT_EQ(r.text.substr(0, 12), "HTTP/1.1 401") << r.text;
  EXPECT_LT(steady_clock::now() - start, std::chrono::seconds(1));
  EXPECT_NE(HeaderValue(r.text, "WWW-Authenticate"), "");
}

// No endpoint outside /mcp takes a body, and none of them asks for a token: a body sent to one is
// refused before a byte of it is read, or anyone could make pgmcp hold http.max_body_bytes per
// connection without a token.
TEST_F(HttpHardeningTest, ABodyOutsideMcpIsRefusedBeforeItIsRead) {
  Start({}, RequireToken());
  for (const char* path : {"/healthz", "/metrics", "/readyz", "/mcp/", "/nope"}) {
    for (const char* framing : {"Content-Length: 900000\r\n", "Transfer-Encoding: chunked\r\n"}) {
      RawClient client(port_, std::chrono::milliseconds(2000));
      auto start = steady_clock::now();
      ASSERT_TRUE(client.Send("POST " + std::string(path) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + framing +
                              "\r\n"));  // and not one byte of the body
      auto r = client.ReadToEnd();
      EXPECT_NE(r.end, End::kTimeout) << path << ": pgmcp waited for the body";
      EXPECT_LT(steady_clock::now() - start, std::chrono::seconds(1)) << path;
      EXPECT_EQ(r.text.substr(0, 12), "HTTP/1.1 413") << path << ": " << r.text;
    }
  }
  RawClient client(port_);  // without a body, the same paths answer as ever
  client.Send("POST /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(client.ReadToEnd().text.substr(0, 12), "HTTP/1.1 404");
}

// The request line, headers and chunk metadata share one 16 KB budget, charged as sent: a
// chunk's size line (its digits, leading zeros included), extensions and line ends. 20 KB of
// extensions, or of zeros before the sizes, are refused; a body in 1,000 chunks without extensions
// (6 bytes of metadata each) is served.
TEST_F(HttpHardeningTest, ChunkMetadataSharesTheHeaderBudget) {
  Start({}, RequireToken());
  const auto post = [this](const std::string& chunks) {
    RawClient client(port_);
    client.Send("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                "Accept: application/json\r\nAuthorization: Bearer alice\r\nTransfer-Encoding: chunked\r\n\r\n" +
                chunks + "0\r\n\r\n");
    auto r = client.ReadUntil(HasHead);
    EXPECT_EQ(r.end, End::kDone);
    return r.text;
  };
  std::string extensions, zeros;
  for (int i = 0; i < 20; ++i) {
    extensions += "1;" + std::string(1000, 'x') + "\r\n \r\n";
    zeros += std::string(1000, '0') + "1\r\n \r\n";
  }
  for (const std::string& chunks : {extensions, zeros}) {
    const std::string answer = post(chunks);
    EXPECT_EQ(answer.substr(0, 12), "HTTP/1.1 400") << answer;
    EXPECT_NE(answer.find("Malformed HTTP request"), std::string::npos) << answer;
  }
  const std::string body = kInitialize.substr(0, kInitialize.size() - 2) + R"(,"padding":")" +
                           std::string(16000 - kInitialize.size(), 'x') + R"("}})";
  std::string small;
  for (size_t at = 0; at < body.size(); at += 16) {
    const std::string piece = body.substr(at, 16);
    char size[8];
    std::snprintf(size, sizeof size, "%zx", piece.size());
    small += std::string(size) + "\r\n" + piece + "\r\n";
  }
  const std::string answer = post(small);
  EXPECT_EQ(answer.substr(0, 12), "HTTP/1.1 200") << answer.substr(0, 200);
}

// RFC 9112 §6.3: a Transfer-Encoding whose last coding is not chunked leaves the body's length
// unknown. Beast reads such a request as having no body (or Content-Length's, when both are
// sent), so the bytes a proxy framed otherwise would be read as the next request: one 400, and
// the connection closes.
TEST_F(HttpHardeningTest, ATransferEncodingThatDoesNotEndInChunkedGetsOne400AndTheConnectionCloses) {
  Start();
  const std::string& smuggled = kHealthz;
  const std::string requests[] = {
      "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: gzip\r\n\r\n" + smuggled,
      "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n" + smuggled,
      PostMcp(kInitialize, "Transfer-Encoding: gzip\r\n") + smuggled,
      // Beast refuses these itself: both fields with chunked last, and two lengths that differ.
      PostMcp(kInitialize, "Transfer-Encoding: chunked\r\n") + smuggled,
      PostMcp(kInitialize, "Content-Length: 5\r\n") + smuggled,
  };
  for (const auto& request : requests) {
    RawClient client(port_);
    ASSERT_TRUE(client.Send(request));
    auto r = client.ReadToEnd();
    EXPECT_EQ(r.end, End::kEof) << request;
    EXPECT_EQ(Count(r.text, "HTTP/1.1 "), 1u) << request << "\n" << r.text;
    EXPECT_EQ(r.text.substr(0, 12), "HTTP/1.1 400") << request << "\n" << r.text;
  }
}

std::string ProtectedResource(uint16_t port) {
  RawClient client(port);
  client.Send(
      "GET /.well-known/oauth-protected-resource HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "X-Forwarded-Proto: https\r\nX-Forwarded-Host: mcp.example.com\r\nConnection: close\r\n\r\n");
  auto r = client.ReadToEnd();
  auto body = r.text.substr(r.text.find("\r\n\r\n") + 4);
  return std::string(boost::json::parse(body).at("resource").as_string());
}

TEST_F(HttpHardeningTest, ForwardedHeadersAreIgnoredFromPeersThatAreNotTrustedProxies) {
  HttpOptions options;
  options.trusted_proxies = {};
  Start(options);
  EXPECT_EQ(ProtectedResource(port_), "http://127.0.0.1/mcp");
}

TEST_F(HttpHardeningTest, ForwardedHeadersAreUsedFromATrustedProxy) {
  Start();  // default: loopback is trusted
  EXPECT_EQ(ProtectedResource(port_), "https://mcp.example.com/mcp");
}

TEST_F(HttpHardeningTest, InitializeBeyondMaxSessionsPerOwnerGets429AndOthersStillOpen) {
  HttpOptions options;
  options.max_sessions_per_owner = 2;
  Start(options, RequireToken());
  EXPECT_EQ(Initialize("alice"), "200");
  EXPECT_EQ(Initialize("alice"), "200");
  EXPECT_EQ(Initialize("alice"), "429");
  EXPECT_EQ(Initialize("bob"), "200");  // another owner is not held back by alice
  EXPECT_EQ(server_->sessions(), 3u);
}

TEST_F(HttpHardeningTest, AFullSessionTableRefusesWith429InsteadOfEvicting) {
  HttpOptions options;
  options.max_sessions = 2;
  Start(options, RequireToken());
  EXPECT_EQ(Initialize("alice"), "200");
  EXPECT_EQ(Initialize("alice"), "200");
  EXPECT_EQ(Initialize("mallory"), "429");
  EXPECT_EQ(server_->sessions(), 2u);
}

// A proxy in front of several replicas routes a session's requests by this tag (deploy/nginx.conf).
TEST_F(HttpHardeningTest, SessionIdsCarryTheReplicaTagAndTheSessionAnswersUnderIt) {
  HttpOptions options;
  options.replica_id = "r2";
  Start(options);
  RawClient client(port_);
  client.Send(PostMcp(kInitialize, "Connection: close\r\n"));
  std::string session_id = HeaderValue(client.ReadToEnd().text, "Mcp-Session-Id");
  ASSERT_EQ(session_id.substr(0, 3), "r2-") << session_id;
  EXPECT_GE(session_id.size(), 3u + 32u) << "the random part stays whole";
  RawClient again(port_);
  again.Send("DELETE /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nMcp-Session-Id: " + session_id +
             "\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(again.ReadToEnd().text.substr(9, 3), "204") << "the tagged id is the session's id";
}

TEST_F(HttpHardeningTest, WithoutAReplicaTagSessionIdsAreUntagged) {
  Start();
  RawClient client(port_);
  client.Send(PostMcp(kInitialize, "Connection: close\r\n"));
  std::string session_id = HeaderValue(client.ReadToEnd().text, "Mcp-Session-Id");
  EXPECT_EQ(session_id.find('-'), std::string::npos) << session_id;
}

// The GET that opens `session_id`'s event stream for `subject`.
std::string GetStream(const std::string& subject, const std::string& session_id) {
  return "GET /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nAuthorization: Bearer " + subject +
         "\r\nMcp-Session-Id: " + session_id + "\r\n\r\n";
}
bool StreamEnded(const std::string& t) { return t.find("\r\n0\r\n\r\n") != std::string::npos; }

TEST_F(HttpHardeningTest, AGetStreamEndsWhenItsTokenExpires) {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  Start({}, RequireToken(now + 1));
  const std::string session_id = OpenSession("alice");
  ASSERT_FALSE(session_id.empty());
  RawClient stream(port_, std::chrono::milliseconds(4000));  // well under the 15 s keep-alive
  stream.Send(GetStream("alice", session_id));
  auto r = stream.ReadUntil(StreamEnded);
  EXPECT_EQ(r.end, End::kDone) << "the stream outlived its token: " << r.text;
  EXPECT_EQ(r.text.substr(0, 12), "HTTP/1.1 200") << r.text;
}

// An exp the clock cannot hold (after 2262 in nanoseconds since 1970; 9999999999 is a common
// "never expires") is no deadline at all, not one long past.
TEST_F(HttpHardeningTest, AGetStreamWhoseTokenExpiresAfter2262StaysOpen) {
  Start({}, RequireToken(9999999999));
  const std::string session_id = OpenSession("alice");
  ASSERT_FALSE(session_id.empty());
  RawClient stream(port_, std::chrono::milliseconds(1000));
  stream.Send(GetStream("alice", session_id));
  auto r = stream.ReadUntil(StreamEnded);
  EXPECT_EQ(r.end, End::kTimeout) << "the stream ended at once: " << r.text;
  EXPECT_EQ(r.text.substr(0, 12), "HTTP/1.1 200") << r.text;
}

TEST_F(HttpHardeningTest, ASessionHoldsSeveralStreamsEachMessageGoesToTheNewestAndAFifthEndsTheOldest) {
  Start({}, RequireToken());
  const std::string session_id = OpenSession("alice");
  ASSERT_FALSE(session_id.empty());
  const std::string get = GetStream("alice", session_id);
  std::vector<std::unique_ptr<RawClient>> streams;
  for (int i = 0; i < 2; ++i) {
    streams.push_back(std::make_unique<RawClient>(port_, std::chrono::milliseconds(1500)));
    streams.back()->Send(get);
    auto head = streams.back()->ReadUntil(HasHead);
    ASSERT_EQ(head.text.substr(0, 12), "HTTP/1.1 200") << "stream " << i << ": " << head.text;  // not 409
  }
  asio::post(io_, [this] { server_->NotifyAll("notifications/tools/list_changed", [](const protocol::CallContext&) { return true; }); });
  const auto has_notification = [](const std::string& t) { return t.find("list_changed") != std::string::npos; };
  EXPECT_EQ(streams[1]->ReadUntil(has_notification).end, End::kDone) << "the newest stream gets the message";
  EXPECT_EQ(streams[0]->ReadUntil(has_notification).end, End::kTimeout) << "and no other stream gets it too";

  for (size_t i = 2; i < kMaxStreamsPerSession + 1; ++i) {
    streams.push_back(std::make_unique<RawClient>(port_, std::chrono::milliseconds(1500)));
    streams.back()->Send(get);
    ASSERT_EQ(streams.back()->ReadUntil(HasHead).text.substr(0, 12), "HTTP/1.1 200");
  }
  // The fifth stream ended the oldest: its chunked response is complete (the last chunk, nothing
  // sent on it since its head was read).
  const auto ended = [](const std::string& t) { return t.find("0\r\n\r\n") != std::string::npos; };
  EXPECT_EQ(streams[0]->ReadUntil(ended).end, End::kDone);
  EXPECT_EQ(streams[1]->ReadUntil(ended).end, End::kTimeout) << "the others stay open";
}

// subscriptions/listen (docs/reference.md, "Subscriptions"): a POST answered with an event stream
// that starts with the acknowledgement and carries only its own caller's list changes.
std::string Listen(const std::string& subject, std::string_view filter, std::string_view accept = "application/json, text/event-stream") {
  const std::string body =
      R"({"jsonrpc":"2.0","id":"listen:1","method":"subscriptions/listen","params":{"_meta":{)"
      R"("io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}},)"
      R"("notifications":)" + std::string(filter) + "}}";
  return "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAccept: " + std::string(accept) +
         "\r\nMCP-Protocol-Version: 2026-07-28\r\nMcp-Method: subscriptions/listen\r\nAuthorization: Bearer " +
         subject + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}
bool Acknowledged(const std::string& t) { return t.find("notifications/subscriptions/acknowledged") != std::string::npos; }

TEST_F(HttpHardeningTest, AListenStreamCarriesOnlyItsOwnCallersListChanges) {
  Start({}, RequireToken());
  RawClient alice(port_, std::chrono::milliseconds(1500)), bob(port_, std::chrono::milliseconds(1500));
  alice.Send(Listen("alice", R"({"toolsListChanged":true})"));
  bob.Send(Listen("bob", R"({"toolsListChanged":true,"resourcesListChanged":true})"));
  auto head = alice.ReadUntil(Acknowledged);
  ASSERT_EQ(head.end, End::kDone) << head.text;
  EXPECT_EQ(head.text.substr(0, 12), "HTTP/1.1 200");
  EXPECT_EQ(HeaderValue(head.text, "Content-Type"), "text/event-stream");
  EXPECT_EQ(HeaderValue(head.text, "X-Accel-Buffering"), "no");
  EXPECT_NE(head.text.find(R"("notifications":{"toolsListChanged":true})"), std::string::npos) << head.text;
  ASSERT_EQ(bob.ReadUntil(Acknowledged).end, End::kDone);

  // Only alice's role's lists changed, and she did not ask for resources.
  asio::post(io_, [this] {
    for (const char* method : {"notifications/tools/list_changed", "notifications/resources/list_changed"}) {
      server_->NotifyAll(method, [](const protocol::CallContext& c) { return c.subject == "alice"; });
    }
  });
  auto change = alice.ReadUntil([](const std::string& t) { return t.find("tools/list_changed") != std::string::npos; });
  ASSERT_EQ(change.end, End::kDone) << change.text;
  EXPECT_NE(change.text.find(R"("_meta":{"io.modelcontextprotocol/subscriptionId":"listen:1"})"), std::string::npos);
  EXPECT_EQ(alice.ReadUntil([](const std::string& t) { return t.find("resources/list_changed") != std::string::npos; }).end,
            End::kTimeout);
  EXPECT_EQ(bob.ReadUntil([](const std::string& t) { return t.find("list_changed") != std::string::npos; }).end,
            End::kTimeout) << "bob's lists did not change";
}

TEST_F(HttpHardeningTest, ListenRefusesBadFiltersClientsThatCannotStreamAndTooManyStreams) {
  HttpOptions options;
  options.max_sessions_per_owner = 2;
  Start(options, RequireToken());
  {
    RawClient client(port_);
    client.Send(Listen("alice", R"({"toolsListChanged":"yes"})"));
    auto r = client.ReadUntil([](const std::string& t) { return t.find("}}") != std::string::npos; });
    EXPECT_EQ(r.text.substr(0, 12), "HTTP/1.1 400") << r.text;
    EXPECT_NE(r.text.find("must be true or false"), std::string::npos) << r.text;
  }
  {
    RawClient client(port_);
    client.Send(Listen("alice", R"({"toolsListChanged":true})", "application/json"));
    auto r = client.ReadUntil([](const std::string& t) { return t.find("}}") != std::string::npos; });
    EXPECT_EQ(r.text.substr(0, 12), "HTTP/1.1 406") << r.text;
    EXPECT_NE(r.text.find("Accept must allow text/event-stream"), std::string::npos) << r.text;
  }
  std::vector<std::unique_ptr<RawClient>> streams;
  for (int i = 0; i < 2; ++i) {
    streams.push_back(std::make_unique<RawClient>(port_));
    streams.back()->Send(Listen("alice", "{}"));
    ASSERT_EQ(streams.back()->ReadUntil(Acknowledged).end, End::kDone);
  }
  {
    RawClient third(port_);
    third.Send(Listen("alice", "{}"));
    auto r = third.ReadUntil([](const std::string& t) { return t.find("}}") != std::string::npos; });
    EXPECT_EQ(r.text.substr(0, 12), "HTTP/1.1 429") << r.text;
    EXPECT_NE(r.text.find("Too many open subscriptions"), std::string::npos) << r.text;
  }
  RawClient other(port_);
  other.Send(Listen("bob", "{}"));
  EXPECT_EQ(other.ReadUntil(Acknowledged).end, End::kDone) << "another owner is not held back by alice";

  // A client that hangs up frees its place at once, not at the next keep-alive 15 s later.
  streams.pop_back();
  const auto deadline = steady_clock::now() + std::chrono::seconds(2);
  bool admitted = false;
  while (!admitted && steady_clock::now() < deadline) {
    RawClient again(port_);
    again.Send(Listen("alice", "{}"));
    auto r = again.ReadUntil([](const std::string& t) { return Acknowledged(t) || t.find("}}") != std::string::npos; });
    admitted = Acknowledged(r.text);
  }
  EXPECT_TRUE(admitted) << "the closed stream still counted against alice";
}

TEST_F(HttpHardeningTest, AListenStreamEndsWhenItsTokenExpires) {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  Start({}, RequireToken(now + 1));
  RawClient expiring(port_, std::chrono::milliseconds(4000));  // well under the 15 s keep-alive
  expiring.Send(Listen("alice", R"({"toolsListChanged":true})"));
  auto r = expiring.ReadUntil(StreamEnded);
  EXPECT_EQ(r.end, End::kDone) << "the stream outlived its token: " << r.text;
  EXPECT_EQ(r.text.find(R"("result")"), std::string::npos) << "a token that expires is no graceful close";
}

TEST_F(HttpHardeningTest, StoppingTheServerEndsAListenStreamWithItsResult) {
  Start({}, RequireToken());
  RawClient client(port_);
  client.Send(Listen("alice", R"({"toolsListChanged":true})"));
  ASSERT_EQ(client.ReadUntil(Acknowledged).end, End::kDone);
  std::promise<size_t> in_flight;
  asio::post(io_, [this, &in_flight] {
    server_->StopAccepting();
    in_flight.set_value(server_->in_flight());
  });
  // The drain (app/serve.cc) stops the loop once in_flight() is 0: the stream must count until
  // its result is written, or the loop stops first and the client sees a dropped connection.
  EXPECT_EQ(in_flight.get_future().get(), 1u);
  auto r = client.ReadUntil(StreamEnded);
  ASSERT_EQ(r.end, End::kDone) << r.text;
  EXPECT_NE(r.text.find(R"("id":"listen:1","result":{"resultType":"complete")"), std::string::npos) << r.text;
}

// Two stateless calls sent back to back arrive in one read: the first body is taken from the
// buffer without swallowing the second request, each is answered in order on the connection, and
// each head is written as Beast wrote it (status line, Server, Content-Type, Content-Length).
TEST_F(HttpHardeningTest, PipelinedStatelessCallsAreEachAnsweredWithTheirExactHead) {
  Start();
  auto call = [](int id, std::string_view extra) {
    const std::string body = R"({"jsonrpc":"2.0","id":)" + std::to_string(id) +
                             R"(,"method":"tools/call","params":{"name":"nope","arguments":{},)"
                             R"("_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28",)"
                             R"("io.modelcontextprotocol/clientCapabilities":{}}}})";
    return PostMcp(body, "MCP-Protocol-Version: 2026-07-28\r\nMcp-Method: tools/call\r\nMcp-Name: nope\r\n" +
                             std::string(extra));
  };
  RawClient client(port_);
  ASSERT_TRUE(client.Send(call(21, "") + call(22, "Connection: close\r\n")));
  auto r = client.ReadToEnd();
  ASSERT_EQ(r.end, End::kEof) << r.text;
  const size_t first = r.text.find(R"("id":21)"), second = r.text.find(R"("id":22)");
  ASSERT_NE(first, std::string::npos) << r.text;
  ASSERT_NE(second, std::string::npos) << r.text;
  EXPECT_LT(first, second) << r.text;
  EXPECT_EQ(Count(r.text, "Unknown tool: nope"), 2u) << r.text;
  const std::string body_one = r.text.substr(r.text.find("\r\n\r\n") + 4, r.text.find("HTTP/1.1", 1) - r.text.find("\r\n\r\n") - 4);
  EXPECT_EQ(r.text.substr(0, r.text.find("\r\n\r\n") + 4),
            "HTTP/1.1 400 Bad Request\r\nServer: pgmcp\r\nContent-Type: application/json\r\nContent-Length: " +
                std::to_string(body_one.size()) + "\r\n\r\n")
      << r.text;
  EXPECT_NE(r.text.find("\r\nConnection: close\r\n", r.text.find("HTTP/1.1", 1)), std::string::npos)
      << "the second answer closes the connection as its request asked: " << r.text;
}

// MakeResponse writes Connection and Content-Length itself (no lookups): the heads must be the
// bytes Beast's keep_alive() and prepare_payload() wrote, for both versions, either way.
TEST_F(HttpHardeningTest, ResponseHeadsNameConnectionOnlyWhereTheVersionsDefaultDiffers) {
  Start();
  const std::string ok_head = "Server: pgmcp\r\nContent-Type: text/plain; charset=utf-8\r\n";
  struct Case {
    std::string request, head;
  };
  const Case cases[] = {
      {"GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n",
       "HTTP/1.0 200 OK\r\n" + ok_head + "Content-Length: 3\r\n\r\n"},
      {"GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n",
       "HTTP/1.0 200 OK\r\n" + ok_head + "Connection: keep-alive\r\nContent-Length: 3\r\n\r\n"},
      {"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
       "HTTP/1.1 200 OK\r\n" + ok_head + "Connection: close\r\nContent-Length: 3\r\n\r\n"},
      {"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
       "HTTP/1.1 200 OK\r\n" + ok_head + "Content-Length: 3\r\n\r\n"},
      {"GET /nowhere HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
       "HTTP/1.1 404 Not Found\r\n" + ok_head + "Content-Length: 11\r\n\r\n"},
  };
  for (const auto& c : cases) {
    RawClient client(port_);
    ASSERT_TRUE(client.Send(c.request));
    auto r = client.ReadUntil([](const std::string& text) { return HasHead(text); });
    EXPECT_EQ(r.text.substr(0, r.text.find("\r\n\r\n") + 4), c.head) << c.request;
  }
}

// Admit reads Host, Origin and Authorization in one pass over the fields: as with req[name],
// the first of a repeated header is the one that counts.
TEST_F(HttpHardeningTest, TheFirstOfARepeatedHostHeaderIsTheOneChecked) {
  Start();
  auto status = [this](std::string_view hosts) {
    RawClient client(port_);
    client.Send("GET /healthz HTTP/1.1\r\n" + std::string(hosts) + "Connection: close\r\n\r\n");
    return client.ReadToEnd().text.substr(9, 3);
  };
  EXPECT_EQ(status("Host: evil.example\r\nHost: 127.0.0.1\r\n"), "403");
  EXPECT_EQ(status("Host: 127.0.0.1\r\nHost: evil.example\r\n"), "200");
  EXPECT_EQ(status(""), "403") << "no Host at all";
}

// Every exchange ends: a POST waiting for a slow call ends within a second when the call is
// cancelled, its session deleted, or its client hangs up; a duplicate id is refused at once.
class HttpExchangeEndsTest : public HttpHardeningTest {
 protected:
  void SetUp() override {
    tools_ = std::make_shared<SlowTools>();
    Start({}, {}, tools_);
    RawClient client(port_);
    client.Send(PostMcp(kInitialize, "Connection: close\r\n"));
    auto r = client.ReadToEnd();
    session_ = HeaderValue(r.text, "Mcp-Session-Id");
    ASSERT_FALSE(session_.empty()) << r.text;
    EXPECT_EQ(Session(R"({"jsonrpc":"2.0","method":"notifications/initialized"})").substr(9, 3), "202");
  }
  std::string SessionHeaders() {
    return "MCP-Protocol-Version: 2025-11-25\r\nMcp-Session-Id: " + session_ + "\r\n";
  }
  // One message on a fresh connection, answered in full.
  std::string Session(const std::string& body) {
    RawClient client(port_);
    client.Send(PostMcp(body, SessionHeaders() + "Connection: close\r\n"));
    return client.ReadToEnd().text;
  }
  // Starts a slow tools/call with `id` on `client`.
  void StartSlowCall(RawClient& client, int id) {
    ASSERT_TRUE(client.Send(PostMcp(R"({"jsonrpc":"2.0","id":)" + std::to_string(id) +
                                        R"(,"method":"tools/call","params":{"name":"slow","arguments":{}}})",
                                    SessionHeaders())));
  }

  std::shared_ptr<SlowTools> tools_;
  std::string session_;
};

TEST_F(HttpExchangeEndsTest, ACancelledCallEndsItsPostWithinASecond) {
  RawClient call(port_, std::chrono::milliseconds(1000));
  StartSlowCall(call, 7);
  Session(R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":7}})");
  auto r = call.ReadUntil(HasHead);
  EXPECT_EQ(r.end, End::kDone) << "the cancelled call's POST never ended";
  EXPECT_TRUE(tools_->CancelledWithin(std::chrono::milliseconds(1000)));
}

TEST_F(HttpExchangeEndsTest, DeletingTheSessionEndsItsPostsWithinASecond) {
  RawClient call(port_, std::chrono::milliseconds(1000));
  StartSlowCall(call, 8);
  RawClient del(port_);
  del.Send("DELETE /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n" + SessionHeaders() + "Connection: close\r\n\r\n");
  EXPECT_EQ(del.ReadToEnd().text.substr(9, 3), "204");
  auto r = call.ReadUntil(HasHead);
  EXPECT_EQ(r.end, End::kDone) << "the deleted session's POST never ended";
  EXPECT_TRUE(tools_->CancelledWithin(std::chrono::milliseconds(1000)));
}

TEST_F(HttpExchangeEndsTest, ADuplicateIdIsRefusedAtOnceAndTheFirstKeepsItsSlot) {
  RawClient first(port_, std::chrono::milliseconds(1000));
  StartSlowCall(first, 9);
  RawClient second(port_, std::chrono::milliseconds(1000));
  StartSlowCall(second, 9);
  auto dup = second.ReadUntil([](const std::string& t) { return t.find("already in use") != std::string::npos; });
  EXPECT_EQ(dup.end, End::kDone) << "the duplicate was not refused at once: " << dup.text;
  // The first is still the one id 9 names: cancelling it ends its POST.
  Session(R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":9}})");
  EXPECT_EQ(first.ReadUntil(HasHead).end, End::kDone) << "the first call lost its reply slot";
}

TEST_F(HttpExchangeEndsTest, AClientThatHangsUpMidCallHasItsCallCancelled) {
  {
    RawClient call(port_);
    StartSlowCall(call, 10);
    // A round trip on the session, so the call has most likely been read; if not, pgmcp reads it
    // with the end of stream behind it and must cancel it all the same.
    EXPECT_NE(Session(R"({"jsonrpc":"2.0","id":11,"method":"ping"})").find("\"result\""), std::string::npos);
  }  // closed here, mid-call
  EXPECT_TRUE(tools_->CancelledWithin(std::chrono::milliseconds(1000))) << "the call outlived its client";
  EXPECT_EQ(server_->sessions(), 1u);
}

// The stateless era too: a POST whose client hangs up mid-call has its call cancelled (and its
// connection freed), instead of running to its end for nobody.
TEST_F(HttpExchangeEndsTest, AStatelessClientThatHangsUpMidCallHasItsCallCancelled) {
  const std::string body =
      R"({"jsonrpc":"2.0","id":12,"method":"tools/call","params":{"name":"slow","arguments":{},)"
      R"("_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28",)"
      R"("io.modelcontextprotocol/clientCapabilities":{}}}})";
  {
    RawClient call(port_);
    ASSERT_TRUE(
        call.Send(PostMcp(body, "MCP-Protocol-Version: 2026-07-28\r\nMcp-Method: tools/call\r\nMcp-Name: slow\r\n")));
    // Another exchange's round trip, so the call has most likely been read before the hang-up.
    EXPECT_NE(Session(R"({"jsonrpc":"2.0","id":13,"method":"ping"})").find("\"result\""), std::string::npos);
  }  // closed here, mid-call
  EXPECT_TRUE(tools_->CancelledWithin(std::chrono::milliseconds(1000))) << "the stateless call outlived its client";
}

}  // namespace
}  // namespace pgmcp::http

namespace pgmcp::http {
namespace {

// auth.mode = "none" is allowed on loopback only, judged by the address the listener binds (a
// name is resolved first): a check of the listen text let a name such as
// "127.internal.example.com", resolving to a routable address, pass.
TEST(LoopbackOnlyTest, AListenAddressThatIsNotLoopbackIsRefusedAtStart) {
  boost::asio::io_context io;
  const auto start = [&io](const char* listen) {
    HttpOptions options;
    options.listen = listen;
    options.loopback_only = true;
    return HttpServer::Create(io, options, std::make_shared<testing::NoTools>(), {})->Start();
  };
  auto refused = start("0.0.0.0:0");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().kind, ErrorKind::kConfig);
  EXPECT_NE(refused.error().message.find("'auth.mode' = \"none\""), std::string::npos) << refused.error().message;
  for (const char* loopback : {"127.0.0.1:0", "localhost:0", "127.0.0.2:0"}) {
    auto started = start(loopback);
    EXPECT_TRUE(started.ok()) << loopback << ": " << (started.ok() ? "" : started.error().message);
  }
}

}  // namespace
}  // namespace pgmcp::http

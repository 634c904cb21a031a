#include "auth/https_fetch.h"

#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <charconv>

namespace pgmcp::auth {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

Error Unavailable(const KeyUrl& url, std::string what) {
  return MakeError(ErrorKind::kUnavailable, url.text + ": " + std::move(what));
}

bool IsLoopback(std::string_view host) {
  if (host == "localhost") return true;
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(std::string(host), ec);
  return !ec && address.is_loopback();
}

// Sends the GET and reads the response on an established (TLS or plain) stream.
template <class Stream>
asio::awaitable<Result<FetchedDocument>> Exchange(Stream& stream, const KeyUrl& url) {
  bhttp::request<bhttp::empty_body> req(bhttp::verb::get, url.target, 11);
  const bool default_port = url.port == (url.tls ? "443" : "80");
  const std::string host = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  req.set(bhttp::field::host, default_port ? host : host + ":" + url.port);
  req.set(bhttp::field::user_agent, "pgmcp");
  req.set(bhttp::field::accept, "application/json");
  req.set(bhttp::field::connection, "close");
  auto [wec, wn] = co_await bhttp::async_write(stream, req, kTuple);
  if (wec) co_return Unavailable(url, "cannot send the request: " + wec.message());

  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(kMaxKeyDocumentBytes);
  auto [rec, rn] = co_await bhttp::async_read(stream, buffer, parser, kTuple);
  if (rec == bhttp::error::body_limit) co_return Unavailable(url, "the response is larger than 1 MiB");
  if (rec) co_return Unavailable(url, "cannot read the response: " + rec.message());
  auto& res = parser.get();
  if (res.result() != bhttp::status::ok) {
    co_return Unavailable(url, "answered HTTP " + std::to_string(res.result_int()) + " (redirects are not followed)");
  }
  FetchedDocument doc;
  doc.cache_control = std::string(res[bhttp::field::cache_control]);
  doc.body = std::move(res.body());
  co_return doc;
}

}  // namespace

Result<KeyUrl> ParseKeyUrl(std::string_view url, std::string_view setting) {
  const auto bad = [&](std::string why) {
    return MakeError(ErrorKind::kConfig, std::string(setting) + ": \"" + std::string(url) + "\" " + why);
  };
  KeyUrl out;
  out.text = std::string(url);
  std::string_view rest = url;
  if (rest.starts_with("https://")) {
    rest.remove_prefix(8);
  } else if (rest.starts_with("http://")) {
    out.tls = false;
    rest.remove_prefix(7);
  } else {
    return bad("is not an https:// URL.");
  }
  const size_t slash = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, slash);
  std::string_view target = slash == std::string_view::npos ? std::string_view("/") : rest.substr(slash);
  if (const size_t hash = target.find('#'); hash != std::string_view::npos) target = target.substr(0, hash);
  if (target.empty() || target.front() != '/') out.target = "/" + std::string(target);
  else out.target = std::string(target);
  if (authority.find('@') != std::string_view::npos) return bad("has user information; put credentials nowhere in it.");
  std::string_view port;
  if (authority.starts_with("[")) {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("has an unclosed IPv6 address.");
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad("has a malformed host.");
      port = after.substr(1);
    }
  } else {
    const size_t colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (out.host.empty()) return bad("has no host.");
  for (char& c : out.host) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  if (!port.empty()) {
    int number = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
    if (ec != std::errc() || end != port.data() + port.size() || number < 1 || number > 65535) {
      return bad("has an invalid port.");
    }
    out.port = std::string(port);
  } else {
    out.port = out.tls ? "443" : "80";
  }
  if (!out.tls && !IsLoopback(out.host)) {
    return bad("uses plain http://; keys must come over https:// (http:// is accepted only for a loopback host).");
  }
  return out;
}

Result<asio::ssl::context> MakeTlsClientContext(const std::string& ca_file) {
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  boost::system::error_code ec;
  ctx.set_options(asio::ssl::context::no_sslv2 | asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                      asio::ssl::context::no_tlsv1_1,
                  ec);
  ctx.set_default_verify_paths(ec);
  if (ec) return MakeError(ErrorKind::kConfig, "TLS: cannot load the system's trusted certificates.");
  if (!ca_file.empty()) {
    ctx.load_verify_file(ca_file, ec);
    if (ec) return MakeError(ErrorKind::kConfig, "auth.jwks_ca_file: cannot read certificates from " + ca_file + ".");
  }
  ctx.set_verify_mode(asio::ssl::verify_peer);
  return ctx;
}

asio::awaitable<Result<FetchedDocument>> FetchDocument(const KeyUrl& url, asio::ssl::context& tls,
                                                       std::chrono::milliseconds timeout) {
  auto executor = co_await asio::this_coro::executor;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  tcp::resolver resolver(executor);
  auto [dec, endpoints] = co_await resolver.async_resolve(url.host, url.port, kTuple);
  if (dec) co_return Unavailable(url, "cannot resolve " + url.host + ": " + dec.message());
  beast::tcp_stream tcp_stream(executor);
  tcp_stream.expires_at(deadline);
  auto [cec, endpoint] = co_await tcp_stream.async_connect(endpoints, kTuple);
  if (cec) co_return Unavailable(url, "cannot connect: " + cec.message());
  if (!url.tls) {
    auto result = co_await Exchange(tcp_stream, url);
    co_return result;
  }
  beast::ssl_stream<beast::tcp_stream> stream(std::move(tcp_stream), tls);
  // SNI, and the certificate must name the host (RFC 6125), not merely chain to a trusted root.
  if (!SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str())) {
    co_return Unavailable(url, "cannot set the TLS server name");
  }
  stream.set_verify_callback(asio::ssl::host_name_verification(url.host));
  auto [hec] = co_await stream.async_handshake(asio::ssl::stream_base::client, kTuple);
  if (hec) co_return Unavailable(url, "TLS handshake failed: " + hec.message());
  auto result = co_await Exchange(stream, url);
  co_return result;
}

}  // namespace pgmcp::auth

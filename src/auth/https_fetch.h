// A minimal HTTPS GET for key documents (the JWKS and OpenID discovery): one request, no
// redirects, a body bounded to 1 MiB, one overall deadline, certificates checked against the
// system store (or a configured CA file). Runs as a coroutine on the caller's executor, never
// blocking it. Plain http:// is accepted only for a loopback host.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <string>
#include <string_view>

#include "common/result.h"

namespace pgmcp::auth {

struct KeyUrl {
  bool tls = true;
  std::string host;    // without brackets for an IPv6 literal
  std::string port;    // "443" by default
  std::string target;  // path and query, at least "/"
  std::string text;    // the URL as configured, for logs and errors
};

// Parses an https:// URL (or http:// to localhost, 127.0.0.0/8 or ::1). Errors are kConfig and
// name `setting`.
Result<KeyUrl> ParseKeyUrl(std::string_view url, std::string_view setting);

// A TLS client context: peer verification on, the system trust store, plus `ca_file` when set.
Result<boost::asio::ssl::context> MakeTlsClientContext(const std::string& ca_file);

struct FetchedDocument {
  std::string body;
  std::string cache_control;  // the response's Cache-Control header value, "" when absent
};

inline constexpr size_t kMaxKeyDocumentBytes = 1 << 20;

// GETs `url`; anything but a 200 within `timeout` is a kUnavailable error whose message says what
// failed (for the log: it never reaches a client).
boost::asio::awaitable<Result<FetchedDocument>> FetchDocument(const KeyUrl& url, boost::asio::ssl::context& tls,
                                                              std::chrono::milliseconds timeout);

}  // namespace pgmcp::auth

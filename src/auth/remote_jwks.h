// Verification keys fetched from the identity provider: auth.jwks_url, or the jwks_uri of the
// OpenID discovery document of auth.issuer. Fetched by a coroutine on the event loop's executor
// (async DNS, TCP, TLS: the loop never blocks), kept as the response's Cache-Control allows, and
// fetched again early when a token names an unknown kid -- at most once per refetch interval.
// Keys() is thread-safe; everything else runs on the executor given to Create.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "auth/https_fetch.h"
#include "auth/jwk_set.h"
#include "auth/jwks_cache_policy.h"
#include "common/result.h"

namespace pgmcp::auth {

struct RemoteJwksOptions {
  std::optional<KeyUrl> jwks_url;    // auth.jwks_url
  std::optional<KeyUrl> issuer_url;  // without jwks_url: discovery at <issuer>/.well-known/openid-configuration
  std::string issuer;                // the discovery document's "issuer" must equal it
  JwksCachePolicy policy;
  std::chrono::milliseconds fetch_timeout{5000};
};

class RemoteJwks : public std::enable_shared_from_this<RemoteJwks> {
 public:
  static std::shared_ptr<RemoteJwks> Create(boost::asio::any_io_executor executor, RemoteJwksOptions options,
                                            boost::asio::ssl::context tls);

  // Starts the first fetch and the refreshes after it; they stop at Stop() or when the io_context stops.
  void Start();
  void Stop();

  // The current key set, or null until a fetch has succeeded. Any thread.
  std::shared_ptr<const JwkSet> Keys() const;
  // How many fetched key sets withdrew a key that the set before them had. A verdict reached
  // when it was lower may rest on a withdrawn key (auth/verified_token_cache.h). Any thread; read
  // before Keys(), it is never newer than the keys Keys() then returns.
  uint64_t withdrawals() const { return withdrawals_.load(std::memory_order_acquire); }

  // For a token whose kid is not in Keys() (or before any key arrived): waits until `deadline` for
  // the next fetch to complete. A fetch is started early only when the rate limit allows one
  // before `deadline`; otherwise this returns at once.
  boost::asio::awaitable<void> AwaitFresherKeys(SteadyTime deadline);

  // Fetches of the JWKS document (discovery not counted) since Start, for tests and the log.
  int64_t jwks_fetches() const { return jwks_fetches_; }
  // Where the keys come from (the JWKS URL, or the issuer for discovery), for the start-up log.
  const std::string& source() const;

  RemoteJwks(boost::asio::any_io_executor executor, RemoteJwksOptions options, boost::asio::ssl::context tls);

 private:
  boost::asio::awaitable<void> Run();
  boost::asio::awaitable<Result<JwkSet>> FetchKeys(std::string& cache_control);
  boost::asio::awaitable<Result<KeyUrl>> Discover();
  // Makes `keys` the current set; returns how many keys of the set before it are gone.
  size_t Publish(std::shared_ptr<const JwkSet> keys);

  boost::asio::any_io_executor executor_;
  RemoteJwksOptions options_;
  boost::asio::ssl::context tls_;
  boost::asio::steady_timer refresh_timer_;  // expires when the next fetch is due
  FetchRateLimit rate_limit_;
  std::optional<KeyUrl> discovered_jwks_url_;  // from discovery; forgotten when a fetch from it fails
  std::vector<boost::asio::steady_timer*> waiters_;  // AwaitFresherKeys calls; cancelled when a fetch ends
  bool fetching_ = false;
  bool stopped_ = false;
  int failures_ = 0;
  int64_t jwks_fetches_ = 0;

  mutable std::mutex mu_;
  std::shared_ptr<const JwkSet> keys_;  // guarded by mu_
  std::atomic<uint64_t> withdrawals_{0};  // written under mu_, after keys_
};

}  // namespace pgmcp::auth

#include "auth/remote_jwks.h"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "common/json.h"
#include "logging/log.h"

namespace pgmcp::auth {
namespace {

namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::chrono::seconds kMaxRetryDelay{300};

// After `failures` failed fetches in a row: the refetch interval, doubled per failure, at most 5 minutes.
std::chrono::seconds RetryDelay(const JwksCachePolicy& policy, int failures) {
  auto delay = policy.refetch_interval;
  for (int i = 1; i < failures && delay < kMaxRetryDelay; ++i) delay *= 2;
  return std::min(std::max(delay, std::chrono::seconds(1)), std::max(kMaxRetryDelay, policy.refetch_interval));
}

}  // namespace

RemoteJwks::RemoteJwks(asio::any_io_executor executor, RemoteJwksOptions options, asio::ssl::context tls)
    : executor_(std::move(executor)),
      options_(std::move(options)),
      tls_(std::move(tls)),
      refresh_timer_(executor_),
      rate_limit_(options_.policy.refetch_interval) {}

std::shared_ptr<RemoteJwks> RemoteJwks::Create(asio::any_io_executor executor, RemoteJwksOptions options,
                                               asio::ssl::context tls) {
  return std::make_shared<RemoteJwks>(std::move(executor), std::move(options), std::move(tls));
}

const std::string& RemoteJwks::source() const {
  return options_.jwks_url ? options_.jwks_url->text : options_.issuer_url->text;
}

void RemoteJwks::Start() {
  refresh_timer_.expires_at(SteadyClock::now());  // the first fetch is due at once
  asio::co_spawn(executor_, [self = shared_from_this()] { return self->Run(); }, asio::detached);
}

void RemoteJwks::Stop() {
  stopped_ = true;
  refresh_timer_.cancel();
  for (auto* waiter : waiters_) waiter->cancel();
}

std::shared_ptr<const JwkSet> RemoteJwks::Keys() const {
  std::lock_guard lock(mu_);
  return keys_;
}

size_t RemoteJwks::Publish(std::shared_ptr<const JwkSet> keys) {
  std::lock_guard lock(mu_);
  const size_t withdrawn = keys_ ? CountWithdrawnKeys(*keys_, *keys) : 0;
  keys_ = std::move(keys);
  // After keys_: a reader that sees the new count and then takes mu_ gets these keys or newer ones.
  if (withdrawn > 0) withdrawals_.fetch_add(1, std::memory_order_release);
  return withdrawn;
}

asio::awaitable<void> RemoteJwks::Run() {
  while (!stopped_) {
    // An earlier fetch requested by AwaitFresherKeys moves the expiry, which ends this wait early;
    // the loop then waits again for the new expiry.
    while (!stopped_ && SteadyClock::now() < refresh_timer_.expiry()) {
      co_await refresh_timer_.async_wait(kTuple);
    }
    if (stopped_) break;
    const auto started = SteadyClock::now();
    rate_limit_.Started(started);
    fetching_ = true;
    std::string cache_control;
    auto keys = co_await FetchKeys(cache_control);
    fetching_ = false;
    if (stopped_) break;
    SteadyTime next;
    if (keys.ok()) {
      failures_ = 0;
      const auto lifetime = KeySetLifetime(cache_control, options_.policy);
      const size_t count = keys->keys.size();
      const int skipped = keys->skipped;
      const size_t withdrawn = Publish(std::make_shared<const JwkSet>(std::move(*keys)));
      // withdrawn > 0: every cached verdict is void, and each token is checked in full once more.
      logging::Info("jwks_fetched", {{"source", source()},
                                     {"keys", count},
                                     {"skipped", skipped},
                                     {"withdrawn", withdrawn},
                                     {"fresh_seconds", lifetime.count()}});
      next = started + lifetime;
    } else {
      ++failures_;
      const auto delay = RetryDelay(options_.policy, failures_);
      logging::Warn("jwks_fetch_failed", {{"source", source()},
                                          {"error", keys.error().message},
                                          {"keeping_keys", Keys() != nullptr},
                                          {"retry_seconds", delay.count()}});
      next = SteadyClock::now() + delay;
    }
    refresh_timer_.expires_at(next);
    for (auto* waiter : waiters_) waiter->cancel();
  }
}

asio::awaitable<void> RemoteJwks::AwaitFresherKeys(SteadyTime deadline) {
  if (stopped_) co_return;
  if (!fetching_ && refresh_timer_.expiry() > deadline) {
    // No fetch would end before the caller gives up: ask for one early, if the rate limit lets it
    // start in time. Forged kids arriving faster than that all share one fetch or get none.
    const SteadyTime allowed = std::max(rate_limit_.NextAllowed(), SteadyClock::now());
    if (allowed > deadline) co_return;
    refresh_timer_.expires_at(allowed);
  }
  asio::steady_timer wait(executor_, deadline);
  waiters_.push_back(&wait);
  co_await wait.async_wait(kTuple);
  waiters_.erase(std::find(waiters_.begin(), waiters_.end(), &wait));
}

asio::awaitable<Result<KeyUrl>> RemoteJwks::Discover() {
  // OpenID Connect Discovery 1.0 §4: the issuer, without a trailing slash, + /.well-known/openid-configuration.
  KeyUrl url = *options_.issuer_url;
  std::string path = url.target.substr(0, url.target.find('?'));
  while (!path.empty() && path.back() == '/') path.pop_back();
  url.target = path + "/.well-known/openid-configuration";
  url.text = "discovery " + url.text;
  auto doc = co_await FetchDocument(url, tls_, options_.fetch_timeout);
  if (!doc.ok()) co_return doc.error();
  auto json = ParseJson(doc->body, 16);
  if (!json.ok() || !json->is_object()) {
    co_return MakeError(ErrorKind::kUnavailable, url.text + ": the document is not a JSON object");
  }
  // §4.3: the document must name the issuer it was fetched for, or its keys are someone else's.
  const auto* issuer = Member(*json, "issuer");
  if (issuer == nullptr || !issuer->is_string() || issuer->get_string() != options_.issuer) {
    co_return MakeError(ErrorKind::kUnavailable, url.text + ": its \"issuer\" is not auth.issuer");
  }
  const auto* jwks_uri = Member(*json, "jwks_uri");
  if (jwks_uri == nullptr || !jwks_uri->is_string()) {
    co_return MakeError(ErrorKind::kUnavailable, url.text + ": the document has no \"jwks_uri\"");
  }
  auto parsed = ParseKeyUrl(std::string_view(jwks_uri->get_string()), "jwks_uri of " + url.text);
  if (!parsed.ok()) co_return MakeError(ErrorKind::kUnavailable, parsed.error().message);
  co_return std::move(*parsed);
}

asio::awaitable<Result<JwkSet>> RemoteJwks::FetchKeys(std::string& cache_control) {
  if (!options_.jwks_url && !discovered_jwks_url_) {
    auto found = co_await Discover();
    if (!found.ok()) co_return found.error();
    discovered_jwks_url_ = std::move(*found);
  }
  const KeyUrl url = options_.jwks_url ? *options_.jwks_url : *discovered_jwks_url_;
  ++jwks_fetches_;
  auto doc = co_await FetchDocument(url, tls_, options_.fetch_timeout);
  if (!doc.ok()) {
    discovered_jwks_url_.reset();  // the provider may have moved its keys: discover again next time
    co_return doc.error();
  }
  // A well-formed set without a usable key is published as it is: the provider withdrew every key
  // (in an emergency, or for a kind pgmcp cannot use), and the old keys must stop verifying.
  auto set = ParseJwkSet(doc->body, url.text, EmptyKeySet::kAllowed);
  if (!set.ok()) co_return MakeError(ErrorKind::kUnavailable, set.error().message);
  cache_control = std::move(doc->cache_control);
  co_return std::move(*set);
}

}  // namespace pgmcp::auth

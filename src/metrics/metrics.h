// Metrics: the series pgmcp exports on GET /metrics (docs/reference.md, "Metrics"), made once and shared.
// Thread-safe: Record*/Set* from any thread; Render() runs the samplers on the thread that calls it.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "metrics/registry.h"

namespace pgmcp::metrics {

#ifdef PGMCP_VERSION
inline constexpr std::string_view kBuildVersion = PGMCP_VERSION;
#else
inline constexpr std::string_view kBuildVersion = "unknown";
#endif

// Label values created at zero up front, so a dashboard's rate() sees a series before the first event.
inline constexpr std::array<std::string_view, 6> kToolCallStatuses = {"ok",      "invalid", "error",
                                                                      "timeout", "busy",    "denied"};
inline constexpr std::array<std::string_view, 3> kReloadResults = {"ok", "unchanged", "failed"};
// The same list as auth::kAuthFailureReasons (metrics does not depend on auth; a test ties the two).
inline constexpr std::array<std::string_view, 12> kAuthFailureReasons = {
    "missing", "malformed", "algorithm", "signature",    "expired",          "not_yet_valid",
    "no_exp",  "issuer",    "audience",  "role_missing", "role_not_allowed", "keys_pending",
};
// The caps at which the HTTP server closes a new connection unread (http::Hooks::on_connection_refused).
inline constexpr std::array<std::string_view, 2> kConnectionCaps = {"max_connections", "max_connections_per_client"};
// From a cached sub-millisecond lookup to a call near the default statement_timeout.
inline constexpr std::array<double, 14> kToolCallDurationBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                                    0.1,    0.25,  0.5,    1,     2.5,  5,     10};

// The pool's state at one instant (database::PoolStats, copied field by field by the caller).
struct PoolSample {
  int64_t idle = 0;        // connected, waiting in the pool
  int64_t busy = 0;        // leased to a call
  int64_t connecting = 0;  // being opened
  int64_t waiting = 0;     // calls waiting for a connection
  int64_t shared_calls = 0;  // calls that rode along in another call's round trip, since the start

  // Calls go as named prepared statements now, and what the connections' statement caches did,
  // summed since the start (database::StatementCacheCounts).
  bool named_statements = false;
  uint64_t statement_cache_hits = 0;
  uint64_t statement_cache_misses = 0;
  uint64_t statement_cache_evictions = 0;

  // New database connections can be opened (the pool's breaker is closed), and the connection
  // attempts that failed since the start.
  bool database_reachable = true;
  uint64_t connect_failures = 0;
};

// The cache of verified tokens (auth::VerifiedTokenCache::Stats), counted since the start; all 0
// with auth.mode = "none".
struct AuthSample {
  uint64_t token_cache_hits = 0;
  uint64_t token_cache_misses = 0;
  uint64_t token_cache_evictions = 0;
};

// Live MCP sessions per protocol era (docs/protocol-eras.md): era="session" for initialize-based
// sessions, era="stateless" for stateless-era requests in flight.
struct SessionSample {
  int64_t session = 0;
  int64_t stateless = 0;
};

class Metrics {
 public:
  // `max_series_per_family` bounds the label sets of each family (see kDefaultMaxSeriesPerFamily).
  static std::shared_ptr<Metrics> Create(std::string_view version = kBuildVersion,
                                         size_t max_series_per_family = kDefaultMaxSeriesPerFamily);
  explicit Metrics(std::string_view version, size_t max_series_per_family = kDefaultMaxSeriesPerFamily);
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Creates a tool's series at zero (every status), e.g. for each tool of a newly loaded catalog.
  void DeclareTool(std::string_view tool);

  // One finished tools/call: status is one of kToolCallStatuses; rows < 0 counts as 0. `tool` must
  // be a tool the catalog knows: record calls to unknown names under one fixed name (e.g.
  // "_unknown"), since client-chosen label values would only be bounded by the series cap.
  void RecordToolCall(std::string_view tool, std::string_view status, double seconds, int64_t rows);
  // One schema reload: "ok" (new snapshot published), "unchanged", or "failed".
  void RecordReload(std::string_view result);
  // One refused request; reason is one of kAuthFailureReasons (an auth refusal's Error::code).
  void RecordAuthFailure(std::string_view reason);
  // One HTTP response, by status code (every endpoint, /metrics included).
  void RecordHttpRequest(int code);
  // One connection closed unread at a cap; cap is one of kConnectionCaps.
  void RecordConnectionRefused(std::string_view cap);
  // Whether the LISTEN connection for NOTIFY reloads is in place. Without a call, the gauge has
  // no sample: no listener (schema.reload_channel empty), nothing to alert on.
  void SetSchemaListenerUp(bool up);

  // The pool and session gauges are pulled: evaluated on every Render(), on the thread that calls
  // Render(), so the value is current. pgmcp renders /metrics on the event loop, which owns the
  // pool, so the sampler may read Pool::Stats() directly. An empty function removes a sampler (the
  // gauges then keep their last values).
  void SetPoolSampler(std::function<PoolSample()> sampler);
  void SetSessionSampler(std::function<SessionSample()> sampler);
  void SetAuthSampler(std::function<AuthSample()> sampler);

  // The exposition text (format 0.0.4; http/ serves it with that content type).
  std::string Render() const;

 private:
  void ApplyPool(const PoolSample& sample) const;
  void ApplySessions(const SessionSample& sample) const;
  void ApplyAuth(const AuthSample& sample) const;

  Registry registry_;
  CounterFamily& tool_calls_;
  HistogramFamily& tool_call_duration_;
  CounterFamily& rows_returned_;
  GaugeFamily& pool_connections_;
  CounterFamily& pool_shared_calls_;
  GaugeFamily& pool_prepared_statements_;
  CounterFamily& pool_statement_cache_hits_;
  CounterFamily& pool_statement_cache_misses_;
  CounterFamily& pool_statement_cache_evictions_;
  GaugeFamily& pool_database_reachable_;
  CounterFamily& pool_connect_failures_;
  CounterFamily& schema_reloads_;
  GaugeFamily& schema_listener_up_;
  CounterFamily& auth_failures_;
  CounterFamily& auth_token_cache_hits_;
  CounterFamily& auth_token_cache_misses_;
  CounterFamily& auth_token_cache_evictions_;
  CounterFamily& http_requests_;
  CounterFamily& http_connections_refused_;
  GaugeFamily& sessions_;
  GaugeFamily& build_info_;
  GaugeFamily& process_start_time_;
  GaugeFamily& resident_memory_;

  mutable std::mutex samplers_mu_;
  std::function<PoolSample()> pool_sampler_;        // GUARDED_BY(samplers_mu_)
  std::function<SessionSample()> session_sampler_;  // GUARDED_BY(samplers_mu_)
  std::function<AuthSample()> auth_sampler_;        // GUARDED_BY(samplers_mu_)
};

}  // namespace pgmcp::metrics

#include "metrics/metrics.h"

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "metrics/process.h"

namespace pgmcp::metrics {
namespace {

// A count kept elsewhere (the pool's, the token cache's); its counter catches up with it (samples
// run on one thread, in order).
void CatchUp(CounterFamily& family, uint64_t counted) {
  auto& counter = family.With({});
  if (counted > counter.Value()) counter.Inc(counted - counter.Value());
}

std::vector<double> DurationBuckets() {
  return std::vector<double>(kToolCallDurationBuckets.begin(), kToolCallDurationBuckets.end());
}

}  // namespace

std::shared_ptr<Metrics> Metrics::Create(std::string_view version, size_t max_series_per_family) {
  return std::make_shared<Metrics>(version, max_series_per_family);
}

Metrics::Metrics(std::string_view version, size_t max_series_per_family)
    : registry_(max_series_per_family),
      tool_calls_(registry_.AddCounter("pgmcp_tool_calls_total", "Finished tools/call requests, by tool and outcome.",
                                       {"tool", "status"})),
      tool_call_duration_(registry_.AddHistogram(
          "pgmcp_tool_call_duration_seconds",
          "Time from a tools/call reaching the service to its result, by tool (pool wait included).", {"tool"},
          DurationBuckets())),
      rows_returned_(
          registry_.AddCounter("pgmcp_rows_returned_total", "Rows returned to clients by tool calls.", {"tool"})),
      pool_connections_(registry_.AddGauge(
          "pgmcp_pool_connections", "Database connections by state; waiting counts calls queued for one.", {"state"})),
      pool_shared_calls_(registry_.AddCounter("pgmcp_pool_shared_calls_total",
                                              "Calls that rode along in another waiting call's round trip.", {})),
      pool_prepared_statements_(registry_.AddGauge(
          "pgmcp_pool_prepared_statements",
          "1 while calls go as named prepared statements, 0 while they go unnamed (off, or auto fell back).", {})),
      pool_statement_cache_hits_(
          registry_.AddCounter("pgmcp_pool_statement_cache_hits_total",
                               "Statement executions that found their statement prepared on the connection.", {})),
      pool_statement_cache_misses_(registry_.AddCounter(
          "pgmcp_pool_statement_cache_misses_total",
          "Statement executions that did not, and added their statement to the connection's cache.", {})),
      pool_statement_cache_evictions_(registry_.AddCounter(
          "pgmcp_pool_statement_cache_evictions_total",
          "Statements evicted from a full cache (pool.statement_cache_size) and deallocated.", {})),
      pool_database_reachable_(registry_.AddGauge(
          "pgmcp_pool_database_reachable",
          "1 while new database connections can be opened, 0 from a failed attempt until one succeeds.", {})),
      pool_connect_failures_(registry_.AddCounter("pgmcp_pool_connect_failures_total",
                                                  "Database connection attempts of the pool that failed.", {})),
      schema_reloads_(registry_.AddCounter("pgmcp_schema_reloads_total", "Schema reloads, by result.", {"result"})),
      schema_listener_up_(registry_.AddGauge(
          "pgmcp_schema_listener_up",
          "1 while the LISTEN connection for NOTIFY reloads is in place, 0 while it is lost or reconnecting.", {})),
      auth_failures_(
          registry_.AddCounter("pgmcp_auth_failures_total", "HTTP requests refused by authentication.", {"reason"})),
      auth_token_cache_hits_(registry_.AddCounter("pgmcp_auth_token_cache_hits_total",
                                                  "Bearer tokens found in the cache of verified tokens.", {})),
      auth_token_cache_misses_(registry_.AddCounter(
          "pgmcp_auth_token_cache_misses_total", "Bearer tokens not in the cache, checked in full.", {})),
      auth_token_cache_evictions_(registry_.AddCounter(
          "pgmcp_auth_token_cache_evictions_total", "Verified tokens dropped from the full cache, oldest first.", {})),
      http_requests_(
          registry_.AddCounter("pgmcp_http_requests_total", "HTTP responses sent, by status code.", {"code"})),
      http_connections_refused_(registry_.AddCounter(
          "pgmcp_http_connections_refused_total",
          "HTTP connections closed unread at a cap (http.max_connections, http.max_connections_per_client).", {"cap"})),
      sessions_(registry_.AddGauge("pgmcp_sessions", "Live MCP sessions, by protocol era.", {"era"})),
      build_info_(registry_.AddGauge("pgmcp_build_info", "Always 1; the version label names the build.", {"version"})),
      process_start_time_(registry_.AddGauge("process_start_time_seconds",
                                             "Start time of the process since the Unix epoch, in seconds.")),
      resident_memory_(registry_.AddGauge("process_resident_memory_bytes", "Resident memory size in bytes.")) {
  for (const auto state : {"idle", "busy", "connecting", "waiting"}) pool_connections_.With({state});
  for (auto* counter : {&pool_shared_calls_, &pool_statement_cache_hits_, &pool_statement_cache_misses_,
                        &pool_statement_cache_evictions_, &pool_connect_failures_, &auth_token_cache_hits_,
                        &auth_token_cache_misses_, &auth_token_cache_evictions_}) {
    counter->With({});
  }
  pool_prepared_statements_.With({});
  pool_database_reachable_.With({}).Set(1);  // serving means start-up connected
  for (const auto result : kReloadResults) schema_reloads_.With({result});
  for (const auto reason : kAuthFailureReasons) auth_failures_.With({reason});
  for (const auto cap : kConnectionCaps) http_connections_refused_.With({cap});
  for (const auto era : {"session", "stateless"}) sessions_.With({era});
  build_info_.With({version}).Set(1);
  // /proc knows the true start; the construction time (at start-up) is a close fallback.
  const auto start = ReadProcessStartTimeSeconds();
  process_start_time_.With({}).Set(
      start ? *start : std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());
  resident_memory_.With({});
}

void Metrics::DeclareTool(std::string_view tool) {
  for (const auto status : kToolCallStatuses) tool_calls_.With({tool, status});
  tool_call_duration_.With({tool});
  rows_returned_.With({tool});
}

void Metrics::RecordToolCall(std::string_view tool, std::string_view status, double seconds, int64_t rows) {
  tool_calls_.With({tool, status}).Inc();
  tool_call_duration_.With({tool}).Observe(seconds);
  // Touched even for 0 rows so every tool that was called has a rows series.
  auto& rows_counter = rows_returned_.With({tool});
  if (rows > 0) rows_counter.Inc(static_cast<uint64_t>(rows));
}

void Metrics::RecordReload(std::string_view result) { schema_reloads_.With({result}).Inc(); }

void Metrics::SetSchemaListenerUp(bool up) { schema_listener_up_.With({}).Set(up ? 1 : 0); }

void Metrics::RecordAuthFailure(std::string_view reason) { auth_failures_.With({reason}).Inc(); }

void Metrics::RecordConnectionRefused(std::string_view cap) { http_connections_refused_.With({cap}).Inc(); }

void Metrics::RecordHttpRequest(int code) {
  const std::string text = std::to_string(code);
  http_requests_.With({text}).Inc();
}

// const: the families are reached through references, and a Set is as thread-safe as a record.
void Metrics::ApplyPool(const PoolSample& sample) const {
  pool_connections_.With({"idle"}).Set(static_cast<double>(sample.idle));
  pool_connections_.With({"busy"}).Set(static_cast<double>(sample.busy));
  pool_connections_.With({"connecting"}).Set(static_cast<double>(sample.connecting));
  pool_connections_.With({"waiting"}).Set(static_cast<double>(sample.waiting));
  pool_prepared_statements_.With({}).Set(sample.named_statements ? 1 : 0);
  CatchUp(pool_shared_calls_, static_cast<uint64_t>(std::max<int64_t>(sample.shared_calls, 0)));
  CatchUp(pool_statement_cache_hits_, sample.statement_cache_hits);
  CatchUp(pool_statement_cache_misses_, sample.statement_cache_misses);
  CatchUp(pool_statement_cache_evictions_, sample.statement_cache_evictions);
  pool_database_reachable_.With({}).Set(sample.database_reachable ? 1 : 0);
  CatchUp(pool_connect_failures_, sample.connect_failures);
}

void Metrics::ApplySessions(const SessionSample& sample) const {
  sessions_.With({"session"}).Set(static_cast<double>(sample.session));
  sessions_.With({"stateless"}).Set(static_cast<double>(sample.stateless));
}

void Metrics::ApplyAuth(const AuthSample& sample) const {
  CatchUp(auth_token_cache_hits_, sample.token_cache_hits);
  CatchUp(auth_token_cache_misses_, sample.token_cache_misses);
  CatchUp(auth_token_cache_evictions_, sample.token_cache_evictions);
}

void Metrics::SetPoolSampler(std::function<PoolSample()> sampler) {
  std::lock_guard lock(samplers_mu_);
  pool_sampler_ = std::move(sampler);
}

void Metrics::SetSessionSampler(std::function<SessionSample()> sampler) {
  std::lock_guard lock(samplers_mu_);
  session_sampler_ = std::move(sampler);
}

void Metrics::SetAuthSampler(std::function<AuthSample()> sampler) {
  std::lock_guard lock(samplers_mu_);
  auth_sampler_ = std::move(sampler);
}

std::string Metrics::Render() const {
  std::function<PoolSample()> pool;
  std::function<SessionSample()> sessions;
  std::function<AuthSample()> auth;
  {
    // Copied out so a sampler never runs under our lock (it may take locks of its own).
    std::lock_guard lock(samplers_mu_);
    pool = pool_sampler_;
    sessions = session_sampler_;
    auth = auth_sampler_;
  }
  if (pool) ApplyPool(pool());
  if (sessions) ApplySessions(sessions());
  if (auth) ApplyAuth(auth());
  if (const auto rss = ReadResidentMemoryBytes()) resident_memory_.With({}).Set(*rss);
  return registry_.Render();
}

}  // namespace pgmcp::metrics

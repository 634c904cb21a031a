#include "service/startup.h"

#include <algorithm>
#include <cstdio>

#include "logging/log.h"
#include "schema/introspect.h"

namespace pgmcp::service {

Result<PgConnPtr> ConnectBlocking(const config::Settings& settings) {
  // libpq's connect_timeout is whole seconds, at least 2.
  std::string timeout = std::to_string(std::max<int64_t>(2, (settings.pool.connect_timeout_ms + 999) / 1000));
  const char* keys[] = {"dbname", "fallback_application_name", "connect_timeout", nullptr};
  const char* values[] = {settings.dsn.c_str(), "pgmcp", timeout.c_str(), nullptr};
  PgConnPtr conn(PQconnectdbParams(keys, values, /*expand_dbname=*/1));
  if (!conn || PQstatus(conn.get()) != CONNECTION_OK) {
    std::string reason = conn ? PQerrorMessage(conn.get()) : "out of memory";
    std::replace(reason.begin(), reason.end(), '\n', ' ');
    while (!reason.empty() && reason.back() == ' ') reason.pop_back();
    return MakeError(ErrorKind::kUnavailable, "cannot connect to the database: " + reason);
  }
  return conn;
}

Result<schema::SnapshotPtr> LoadSchema(const config::Settings& settings) {
  auto conn = ConnectBlocking(settings);
  if (!conn) return conn.error();
  auto snapshot = schema::Introspect(conn->get(), settings);
  if (!snapshot) return snapshot.error();
  for (const auto& w : snapshot->warnings) logging::Warn("schema_warning", {{"message", w}});
  logging::Info("schema_loaded", {{"tables", snapshot->tables.size()}, {"version", snapshot->version}});
  return std::make_shared<const schema::SchemaSnapshot>(std::move(snapshot.value()));
}

database::PoolOptions PoolOptionsFrom(const config::Settings& s, int max) {
  database::PoolOptions o;
  o.dsn = s.dsn;
  o.max = max > 0 ? max : s.pool.max;
  o.min = std::min(s.pool.min, o.max);
  o.acquire_timeout = std::chrono::milliseconds(s.pool.acquire_timeout_ms);
  o.connect_timeout = std::chrono::milliseconds(s.pool.connect_timeout_ms);
  return o;
}

int ReportStartupError(const Error& e) {
  std::fprintf(stderr, "pgmcp: %s\n", e.message.c_str());
  return e.kind == ErrorKind::kConfig || e.kind == ErrorKind::kSecurity ? 2 : 1;
}

}  // namespace pgmcp::service

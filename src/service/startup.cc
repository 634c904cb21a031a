#include "service/startup.h"

#include <algorithm>
#include <boost/json/value_from.hpp>
#include <cstdio>
#include <limits>

#include "database/host_lookup.h"
#include "logging/log.h"
#include "schema/introspect.h"
#include "security/audit.h"
#include "service/query_settings_check.h"

namespace pgmcp::service {

Result<std::unique_ptr<database::CatalogReader>> ConnectBlocking(const config::Settings& settings) {
  // Both, whichever this connection uses: the pool connects with `dsn` later, and must not be the
  // first to find it does not parse.
  for (const auto& [key, dsn] : {std::pair<const char*, const std::string&>{"dsn", settings.dsn},
                                 std::pair<const char*, const std::string&>{"schema.listen_dsn", settings.schema.listen_dsn}}) {
    if (auto parses = database::CheckConnectionString(dsn); !parses) {
      return MakeError(ErrorKind::kConfig, std::string("config key '") + key + "': " + parses.error().message);
    }
  }
  return database::ConnectCatalogReader(
      config::ListenDsn(settings),
      database::Clock::now() + std::chrono::milliseconds(settings.pool.connect_timeout_ms),
      std::chrono::milliseconds(settings.pool.connect_timeout_ms));
}

namespace {

Result<schema::SnapshotPtr> LoadSchemaOn(database::CatalogReader& reader, const config::Settings& settings) {
  auto snapshot = schema::Introspect(reader, settings);
  if (!snapshot) return snapshot.error();
  for (const auto& w : snapshot->warnings) logging::Warn("schema_warning", {{"message", w}});
  logging::Info("schema_loaded", {{"tables", snapshot->tables.size()}, {"version", snapshot->version}});
  return std::make_shared<const schema::SchemaSnapshot>(std::move(snapshot.value()));
}

}  // namespace

Result<std::string> SharedLoginRole(database::CatalogReader& catalog, const config::Settings& settings) {
  auto audited = security::ReadLoginRoles(catalog);
  if (!audited) return audited.error();
  if (config::ListenDsn(settings) == settings.dsn) return audited->session_user;
  config::Settings pool_side = settings;  // the catalog connection of these settings goes to dsn
  pool_side.schema.listen_dsn.clear();
  auto pool_conn = ConnectBlocking(pool_side);
  if (!pool_conn) return pool_conn.error();
  auto pooled = security::ReadLoginRoles(**pool_conn);
  if (!pooled) return pooled.error();
  if (*pooled != *audited) {
    return MakeError(ErrorKind::kConfig,
                     "config keys 'dsn' and 'schema.listen_dsn' log in as different roles: dsn as " +
                         security::DescribeLoginRoles(*pooled) + ", schema.listen_dsn as " +
                         security::DescribeLoginRoles(*audited) +
                         "; the privilege audit reads the catalog through schema.listen_dsn and would vouch for a "
                         "role that runs no tool call: use the same login role in both");
  }
  return audited->session_user;
}

Result<schema::SnapshotPtr> LoadSchema(const config::Settings& settings) {
  auto conn = ConnectBlocking(settings);
  if (!conn) return conn.error();
  return LoadSchemaOn(**conn, settings);
}

Result<AuditedSchema> LoadAuditedSchema(const config::Settings& settings) {
  auto conn = ConnectBlocking(settings);
  if (!conn) return conn.error();
  auto login_role = SharedLoginRole(**conn, settings);
  if (!login_role) return login_role.error();
  auto snapshot = LoadSchemaOn(**conn, settings);
  if (!snapshot) return snapshot.error();
  if (auto audited = AuditOrRefuse(**conn, settings, **snapshot); !audited) return audited.error();
  if (auto judged = CheckQuerySettings(**conn, settings); !judged) return judged.error();
  return AuditedSchema{std::move(snapshot.value()), std::move(login_role.value())};
}

Status AuditOrRefuse(database::CatalogReader& reader, const config::Settings& settings,
                     const schema::SchemaSnapshot& snapshot) {
  auto report = security::AuditRoles(reader, settings, snapshot);
  if (!report) return report.error();
  for (const auto& f : report->findings) {
    // The schema's own warnings were logged when it was loaded.
    if (f.severity == security::Severity::kWarning && f.kind != security::FindingKind::kSchema) {
      logging::Warn("role_warning", {{"role", f.role}, {"message", f.message}});
    }
  }
  if (report->safe()) {
    logging::Info("roles_audited", {{"roles", boost::json::value_from(report->roles)}});
    return OkStatus();
  }
  auto reasons = security::RefusalReasons(*report);
  if (settings.security.allow_privileged_role) {
    // Loud on every start: the override must never be forgotten in a config file.
    for (const auto& reason : reasons) {
      logging::Warn("privileged_role", {{"message", reason}, {"override", "security.allow_privileged_role"}});
    }
    return OkStatus();
  }
  for (const auto& reason : reasons) std::fprintf(stderr, "pgmcp: unsafe: %s\n", reason.c_str());
  std::string n = std::to_string(reasons.size()) + (reasons.size() == 1 ? " problem" : " problems");
  return MakeError(ErrorKind::kSecurity, "refusing to start: the database roles are not read-only (" + n +
                                             "); revoke what is listed (see pgmcp check and docs/security.md) or set "
                                             "security.allow_privileged_role = true");
}

Result<std::string> LoginRole(const config::Settings& settings) {
  auto conn = ConnectBlocking(settings);
  if (!conn) return conn.error();
  auto roles = security::ReadLoginRoles(**conn);
  if (!roles || roles->current_user.empty()) {
    return MakeError(ErrorKind::kUnavailable, "cannot read the login role from the database");
  }
  return roles->current_user;
}

database::PoolOptions PoolOptionsFrom(const config::Settings& s, int max, std::string login_role) {
  database::PoolOptions o;
  o.dsn = s.dsn;
  o.login_role = std::move(login_role);
  o.max = max > 0 ? max : s.pool.max;
  o.min = std::min(s.pool.min, o.max);
  o.acquire_timeout = std::chrono::milliseconds(s.pool.acquire_timeout_ms);
  o.connect_timeout = std::chrono::milliseconds(s.pool.connect_timeout_ms);
  o.max_waiters = static_cast<int>(std::min<int64_t>(s.pool.max_waiters, std::numeric_limits<int>::max()));
  o.prepared_statements = s.pool.prepared_statements == config::PreparedStatements::kOn    ? database::PreparedMode::kOn
                          : s.pool.prepared_statements == config::PreparedStatements::kOff ? database::PreparedMode::kOff
                                                                                           : database::PreparedMode::kAuto;
  o.statement_cache_size = static_cast<size_t>(s.pool.statement_cache_size);
  o.calls_per_round_trip = static_cast<int>(s.pool.calls_per_round_trip);
  o.idle_timeout = std::chrono::milliseconds(s.pool.idle_timeout_ms);
  o.max_lifetime = std::chrono::milliseconds(s.pool.max_lifetime_ms);
  return o;
}

int ReportStartupError(const Error& e) {
  std::fprintf(stderr, "pgmcp: %s\n", e.message.c_str());
  return e.kind == ErrorKind::kConfig || e.kind == ErrorKind::kSecurity ? 2 : 1;
}

}  // namespace pgmcp::service

// Settings: every configuration key (docs/reference.md lists them), resolved from command line >
// environment > config file > default into one immutable value; config::SettingsSource holds the
// current one and a SIGHUP replaces it whole.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/sanitize.h"

namespace pgmcp::config {

using SanitizeMode = pgmcp::SanitizeMode;
enum class Transport { kStdio, kHttp };
enum class AuthMode { kJwt, kNone };
// Which tools a caller gets (docs/reference.md, "Discovery mode"): one per table, the three
// discovery tools, or per table up to schema.max_table_tools visible tables and discovery beyond.
enum class ToolMode { kAuto, kPerTable, kDiscovery };
// Named prepared statements (docs/reference.md, pool.prepared_statements): on, falling back to
// unnamed ones behind a transaction-mode pooler (auto), always, or never.
enum class PreparedStatements { kAuto, kOn, kOff };

struct Limits {
  int64_t default_limit = 100;
  int64_t max_rows = 1000;
  int64_t statement_timeout_ms = 5000;
  int64_t max_result_bytes = 1048576;
  int64_t max_text_chars = 2000;
  int64_t max_in_values = 1000;
  int64_t max_json_depth = 64;       // nesting of one JSON-RPC message; 64 at most
  int64_t max_line_bytes = 1048576;  // one stdio message
  int64_t max_plan_cost = 0;         // the cost guard: 0 off, else the most a call's plan may cost

  bool operator==(const Limits&) const = default;
};

struct PoolSettings {
  int min = 2;
  int max = 10;
  int64_t acquire_timeout_ms = 2000;
  int64_t connect_timeout_ms = 5000;
  int64_t max_waiters = 1000;  // calls waiting for a connection at once; beyond: "server busy" at once
  PreparedStatements prepared_statements = PreparedStatements::kAuto;
  int64_t statement_cache_size = 256;  // named statements kept prepared per connection
  int64_t calls_per_round_trip = 4;    // waiting calls that share one round trip on a freed connection
  int64_t idle_timeout_ms = 600000;    // connections beyond min idle this long are closed; 0: never
  int64_t max_lifetime_ms = 3600000;   // a connection this old is closed when next idle; 0: never
  bool operator==(const PoolSettings&) const = default;
};

struct TableOverride {
  std::string description;
  std::vector<std::string> not_for;
  bool operator==(const TableOverride&) const = default;
};

struct SchemaSettings {
  std::vector<std::string> include_tables;
  std::vector<std::string> exclude_tables = {"*_migrations"};
  std::vector<std::string> exclude_columns = {"*.*password*", "*.*passwd*", "*.*secret*",
                                              "*.*token*",    "*.*api_key*", "*.ssn"};
  int64_t cache_ttl_seconds = 300;
  std::string reload_channel = "pgmcp";
  // The LISTEN connection's and the catalog reader's DSN; empty: `dsn`. Point it at the primary
  // when `dsn` goes through PgBouncer or to a standby (docs/deployment.md).
  std::string listen_dsn;
  ToolMode tool_mode = ToolMode::kAuto;
  int64_t max_table_tools = 40;
  std::vector<std::string> pinned_tables;  // globs as in include_tables: keep their tool in discovery mode
  bool operator==(const SchemaSettings&) const = default;
};

struct QuerySettings {
  std::string text_search_config = "english";
  std::string timezone = "UTC";
  bool structured_content = true;  // false: results only as fenced text, no structuredContent/outputSchema
  bool operator==(const QuerySettings&) const = default;
};

struct SecuritySettings {
  SanitizeMode sanitize_text = SanitizeMode::kStrict;
  bool allow_privileged_role = false;
  bool operator==(const SecuritySettings&) const = default;
};

struct AuthSettings {
  AuthMode mode = AuthMode::kJwt;
  std::string jwt_secret_file;
  std::string jwks_file;
  std::string jwks_url;             // https://, or http:// on a loopback host
  std::string jwks_ca_file;         // extra trusted CA certificates for jwks_url and discovery
  int64_t jwks_refetch_seconds = 30;  // fetches of the key set at most this often
  std::string issuer;
  std::string audience;
  std::string role_claim = "role";
  std::vector<std::string> allowed_roles;
  std::string anonymous_role;
  int64_t clock_skew_seconds = 30;
  std::vector<std::string> authorization_servers;
  bool operator==(const AuthSettings&) const = default;
};

struct HttpSettings {
  std::vector<std::string> allowed_origins;
  int64_t max_body_bytes = 1048576;
  int64_t max_connections = 1024;          // restart-only
  int64_t max_connections_per_client = 64;  // restart-only; 0 = no limit; trusted proxies are not counted
  int64_t max_sessions_per_owner = 100;    // restart-only
  std::vector<std::string> trusted_proxies = {"127.0.0.1", "::1"};  // restart-only
  // Tag of this replica, the prefix of its session ids ("<replica_id>-<random>") that a proxy routes
  // on (deploy/nginx.conf); empty: untagged ids, as for a single replica. Restart-only.
  std::string replica_id;
  bool operator==(const HttpSettings&) const = default;
};

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

struct Settings {
  std::string dsn;  // empty: libpq defaults ($PGHOST, ...)
  std::string config_file;
  Transport transport = Transport::kStdio;
  std::string listen = "127.0.0.1:8808";
  std::vector<std::string> schemas = {"public"};
  LogLevel log_level = LogLevel::kInfo;
  int64_t shutdown_timeout_ms = 10000;  // how long calls in flight may finish after SIGTERM/SIGINT

  Limits limits;
  PoolSettings pool;
  SchemaSettings schema;
  QuerySettings query;
  std::map<std::string, TableOverride> tables;  // key: "table" or "schema.table"
  SecuritySettings security;
  AuthSettings auth;
  HttpSettings http;
  bool operator==(const Settings&) const = default;
};

// Where the LISTEN connection and the catalog reader connect: schema.listen_dsn, else dsn. The
// catalog is read from the server whose NOTIFY announced the change, so a reload never reads a
// standby's catalog that has not replayed the migration yet (docs/decisions.md).
inline const std::string& ListenDsn(const Settings& s) {
  return s.schema.listen_dsn.empty() ? s.dsn : s.schema.listen_dsn;
}

}  // namespace pgmcp::config

// Strict TOML reader: every configuration key (docs/reference.md) has one setter; anything else is
// an error naming it.
#include <functional>
#include <map>
#include <toml++/toml.h>

#include "config/invocation.h"

namespace pgmcp::config {
namespace {

Error KeyError(const std::string& key, const std::string& what) {
  return MakeError(ErrorKind::kConfig, "config key '" + key + "': " + what);
}

using Setter = std::function<Status(const toml::node&, const std::string& key)>;

// Every integer key has a ceiling: a value that fits in 64 bits can still overflow where it is
// used (PostgreSQL's int4 settings and functions, a clock's nanoseconds), and would then fail
// every call instead of failing at start-up (docs/reference.md, Configuration).
constexpr int64_t kMaxPgInt = 2147483647;           // statement_timeout and left() take an int4
constexpr int64_t kGiB = 1073741824;                // PostgreSQL's largest value is 1 GB
constexpr int64_t kMaxRows = 1000000000;            // LIMIT max_rows + 1 stays far from overflow
constexpr int64_t kMaxListed = 1000000;             // counts of things held in memory at once
constexpr int64_t kDayMs = 86400000;                // waits measured in milliseconds
constexpr int64_t kWeekSeconds = 604800;            // the schema's staleness check
constexpr int64_t kMaxPlanCost = 1000000000000000;  // 1e15 planner units: far past any real plan
Setter IntRange(int64_t& target, int64_t min_value, int64_t max_value) {
  return [&target, min_value, max_value](const toml::node& n, const std::string& key) -> Status {
    auto v = n.value_exact<int64_t>();
    if (!v) return KeyError(key, "expected an integer");
    if (*v < min_value || *v > max_value) {
      return KeyError(key, "must be between " + std::to_string(min_value) + " and " + std::to_string(max_value));
    }
    target = *v;
    return OkStatus();
  };
}
Setter IntSmall(int& target, int min_value) {
  return [&target, min_value](const toml::node& n, const std::string& key) -> Status {
    auto v = n.value_exact<int64_t>();
    if (!v) return KeyError(key, "expected an integer");
    if (*v < min_value || *v > 100000) return KeyError(key, "out of range");
    target = static_cast<int>(*v);
    return OkStatus();
  };
}
Setter Str(std::string& target) {
  return [&target](const toml::node& n, const std::string& key) -> Status {
    auto v = n.value_exact<std::string>();
    if (!v) return KeyError(key, "expected a string");
    target = *v;
    return OkStatus();
  };
}
Setter Bool(bool& target) {
  return [&target](const toml::node& n, const std::string& key) -> Status {
    auto v = n.value_exact<bool>();
    if (!v) return KeyError(key, "expected true or false");
    target = *v;
    return OkStatus();
  };
}
Setter StrList(std::vector<std::string>& target) {
  return [&target](const toml::node& n, const std::string& key) -> Status {
    const auto* arr = n.as_array();
    if (arr == nullptr) return KeyError(key, "expected an array of strings");
    std::vector<std::string> out;
    for (const auto& e : *arr) {
      auto v = e.value_exact<std::string>();
      if (!v) return KeyError(key, "expected an array of strings");
      out.push_back(*v);
    }
    target = std::move(out);
    return OkStatus();
  };
}
template <typename E>
Setter Enum(E& target, std::vector<std::pair<std::string, E>> choices) {
  return [&target, choices](const toml::node& n, const std::string& key) -> Status {
    auto v = n.value_exact<std::string>();
    std::string allowed;
    for (const auto& [name, value] : choices) {
      if (v && *v == name) {
        target = value;
        return OkStatus();
      }
      allowed += (allowed.empty() ? "" : ", ") + name;
    }
    return KeyError(key, "expected one of " + allowed);
  };
}

Status ApplyTable(const toml::table& table, const std::string& prefix, const std::map<std::string, Setter>& setters) {
  for (const auto& [k, node] : table) {
    std::string key = prefix + std::string(k.str());
    auto it = setters.find(std::string(k.str()));
    if (it == setters.end()) return KeyError(key, "unknown key");
    if (auto st = it->second(node, key); !st) return st;
  }
  return OkStatus();
}

Status ApplyTableOverrides(const toml::table& tables, Settings& s) {
  for (const auto& [name, node] : tables) {
    const auto* t = node.as_table();
    std::string key = "tables." + std::string(name.str());
    if (t == nullptr) return KeyError(key, "expected a table");
    TableOverride o;
    std::map<std::string, Setter> setters{{"description", Str(o.description)}, {"not_for", StrList(o.not_for)}};
    if (auto st = ApplyTable(*t, key + ".", setters); !st) return st;
    s.tables[std::string(name.str())] = std::move(o);
  }
  return OkStatus();
}

// Every key the config file accepts, each with its setter into `s`: top-level keys, and [section]
// keys by section. [tables.<table>] is read by ApplyTableOverrides.
struct Setters {
  std::map<std::string, Setter> top;
  std::map<std::string, std::map<std::string, Setter>> sections;
};

Setters SettersFor(Settings& s) {
  Setters out;
  out.top = {
      {"dsn", Str(s.dsn)},
      {"schemas", StrList(s.schemas)},
      {"transport", Enum(s.transport, {{"stdio", Transport::kStdio}, {"http", Transport::kHttp}})},
      {"listen", Str(s.listen)},
      {"shutdown_timeout_ms", IntRange(s.shutdown_timeout_ms, 0, kDayMs)},
      {"log_level", Enum(s.log_level, {{"debug", LogLevel::kDebug}, {"info", LogLevel::kInfo},
                                       {"warn", LogLevel::kWarn}, {"error", LogLevel::kError}})},
  };
  out.sections = {
      {"limits",
       {{"default_limit", IntRange(s.limits.default_limit, 1, kMaxRows)},
        {"max_rows", IntRange(s.limits.max_rows, 1, kMaxRows)},
        {"statement_timeout_ms", IntRange(s.limits.statement_timeout_ms, 1, kMaxPgInt)},
        {"max_result_bytes", IntRange(s.limits.max_result_bytes, 1024, kGiB)},
        {"max_text_chars", IntRange(s.limits.max_text_chars, 1, kGiB)},
        {"max_in_values", IntRange(s.limits.max_in_values, 1, kMaxListed)},
        // 64 is the ceiling the security guarantees promise; below 8 not even initialize parses.
        {"max_json_depth", IntRange(s.limits.max_json_depth, 8, 64)},
        {"max_line_bytes", IntRange(s.limits.max_line_bytes, 1024, kGiB)},
        {"max_plan_cost", IntRange(s.limits.max_plan_cost, 0, kMaxPlanCost)}}},
      {"pool",
       {{"min", IntSmall(s.pool.min, 0)},
        {"max", IntSmall(s.pool.max, 1)},
        {"acquire_timeout_ms", IntRange(s.pool.acquire_timeout_ms, 1, kDayMs)},
        {"connect_timeout_ms", IntRange(s.pool.connect_timeout_ms, 1, kDayMs)},
        {"max_waiters", IntRange(s.pool.max_waiters, 0, kMaxListed)},
        {"prepared_statements", Enum(s.pool.prepared_statements, {{"auto", PreparedStatements::kAuto},
                                                                  {"on", PreparedStatements::kOn},
                                                                  {"off", PreparedStatements::kOff}})},
        {"statement_cache_size", IntRange(s.pool.statement_cache_size, 1, 100000)},
        {"calls_per_round_trip", IntRange(s.pool.calls_per_round_trip, 1, 64)},
        {"idle_timeout_ms", IntRange(s.pool.idle_timeout_ms, 0, kDayMs)},
        {"max_lifetime_ms", IntRange(s.pool.max_lifetime_ms, 0, kDayMs)}}},
      {"schema",
       {{"include_tables", StrList(s.schema.include_tables)},
        {"exclude_tables", StrList(s.schema.exclude_tables)},
        {"exclude_columns", StrList(s.schema.exclude_columns)},
        {"cache_ttl_seconds", IntRange(s.schema.cache_ttl_seconds, 0, kWeekSeconds)},
        {"reload_channel", Str(s.schema.reload_channel)},
        {"listen_dsn", Str(s.schema.listen_dsn)},
        {"tool_mode", Enum(s.schema.tool_mode, {{"auto", ToolMode::kAuto},
                                                {"per_table", ToolMode::kPerTable},
                                                {"discovery", ToolMode::kDiscovery}})},
        {"max_table_tools", IntRange(s.schema.max_table_tools, 0, kMaxListed)},
        {"pinned_tables", StrList(s.schema.pinned_tables)}}},
      {"query",
       {{"text_search_config", Str(s.query.text_search_config)},
        {"timezone", Str(s.query.timezone)},
        {"structured_content", Bool(s.query.structured_content)}}},
      {"security",
       {{"sanitize_text", Enum(s.security.sanitize_text, {{"strict", SanitizeMode::kStrict},
                                                          {"basic", SanitizeMode::kBasic},
                                                          {"off", SanitizeMode::kOff}})},
        {"allow_privileged_role", Bool(s.security.allow_privileged_role)}}},
      {"auth",
       {{"mode", Enum(s.auth.mode, {{"jwt", AuthMode::kJwt}, {"none", AuthMode::kNone}})},
        {"jwt_secret_file", Str(s.auth.jwt_secret_file)},
        {"jwks_file", Str(s.auth.jwks_file)},
        {"jwks_url", Str(s.auth.jwks_url)},
        {"jwks_ca_file", Str(s.auth.jwks_ca_file)},
        {"jwks_refetch_seconds", IntRange(s.auth.jwks_refetch_seconds, 1, 3600)},
        {"issuer", Str(s.auth.issuer)},
        {"audience", Str(s.auth.audience)},
        {"role_claim", Str(s.auth.role_claim)},
        {"allowed_roles", StrList(s.auth.allowed_roles)},
        {"anonymous_role", Str(s.auth.anonymous_role)},
        {"clock_skew_seconds", IntRange(s.auth.clock_skew_seconds, 0, 86400)},
        {"authorization_servers", StrList(s.auth.authorization_servers)}}},
      {"http",
       {{"allowed_origins", StrList(s.http.allowed_origins)},
        {"max_body_bytes", IntRange(s.http.max_body_bytes, 1024, kGiB)},
        {"max_connections", IntRange(s.http.max_connections, 1, kMaxListed)},
        {"max_connections_per_client", IntRange(s.http.max_connections_per_client, 0, kMaxListed)},
        {"max_sessions_per_owner", IntRange(s.http.max_sessions_per_owner, 1, kMaxListed)},
        {"trusted_proxies", StrList(s.http.trusted_proxies)},
        {"replica_id", Str(s.http.replica_id)}}},
  };
  return out;
}

}  // namespace

std::vector<std::string> ConfigKeys() {
  Settings scratch;
  Setters setters = SettersFor(scratch);
  std::vector<std::string> keys;
  for (const auto& [key, setter] : setters.top) keys.push_back(key);
  for (const auto& [section, entries] : setters.sections) {
    for (const auto& [key, setter] : entries) keys.push_back(section + "." + key);
  }
  keys.push_back("tables.<table>.description");
  keys.push_back("tables.<table>.not_for");
  return keys;
}

Status LoadConfigText(std::string_view text, const std::string& source_name, Settings& s) {
  toml::table root;
  try {
    root = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    return MakeError(ErrorKind::kConfig, source_name + ":" + std::to_string(where.line) + ": " +
                                             std::string(e.description()));
  }
  Setters setters = SettersFor(s);
  const auto& top = setters.top;
  const auto& sections = setters.sections;
  for (const auto& [k, node] : root) {
    std::string key(k.str());
    if (auto it = top.find(key); it != top.end()) {
      if (auto st = it->second(node, key); !st) return st;
    } else if (key == "tables") {
      const auto* t = node.as_table();
      if (t == nullptr) return KeyError(key, "expected a table");
      if (auto st = ApplyTableOverrides(*t, s); !st) return st;
    } else if (auto sec = sections.find(key); sec != sections.end()) {
      const auto* t = node.as_table();
      if (t == nullptr) return KeyError(key, "expected a table");
      if (auto st = ApplyTable(*t, key + ".", sec->second); !st) return st;
    } else {
      return KeyError(key, "unknown key");
    }
  }
  return OkStatus();
}

Status LoadConfigFile(const std::string& path, Settings& s) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return MakeError(ErrorKind::kConfig, "config file '" + path + "' cannot be read");
  std::string text;
  char buf[8192];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  std::fclose(f);
  return LoadConfigText(text, path, s);
}

}  // namespace pgmcp::config

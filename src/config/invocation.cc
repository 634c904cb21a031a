#include "config/invocation.h"

#include <algorithm>
#include <map>
#include <optional>

namespace pgmcp::config {
namespace {

Error OptionError(const std::string& what) { return MakeError(ErrorKind::kConfig, what); }

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    std::string item = s.substr(start, comma - start);
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (!item.empty()) out.push_back(item);
    start = comma + 1;
  }
  return out;
}

// The command-line options that take a value (docs/reference.md); each also reads PGMCP_<NAME>.
const std::vector<std::string> kValueOptions = {"dsn", "config", "transport", "listen", "schemas", "log-level"};

std::string EnvName(const std::string& option) {
  std::string env = "PGMCP_";
  for (char c : option) env.push_back(c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  return env;
}

Status ApplyOption(const std::string& name, const std::string& value, const std::string& origin, Settings& s) {
  if (name == "dsn") {
    s.dsn = value;
  } else if (name == "transport") {
    if (value == "stdio") s.transport = Transport::kStdio;
    else if (value == "http") s.transport = Transport::kHttp;
    else return OptionError(origin + ": expected stdio or http, got '" + value + "'");
  } else if (name == "listen") {
    s.listen = value;
  } else if (name == "schemas") {
    s.schemas = SplitList(value);
    if (s.schemas.empty()) return OptionError(origin + ": expected at least one schema");
  } else if (name == "log-level") {
    if (value == "debug") s.log_level = LogLevel::kDebug;
    else if (value == "info") s.log_level = LogLevel::kInfo;
    else if (value == "warn") s.log_level = LogLevel::kWarn;
    else if (value == "error") s.log_level = LogLevel::kError;
    else return OptionError(origin + ": expected debug, info, warn or error, got '" + value + "'");
  }
  return OkStatus();
}

}  // namespace

Result<Invocation> ParseInvocation(const std::vector<std::string>& args, const GetEnv& getenv) {
  Invocation inv;
  inv.args = args;
  std::map<std::string, std::string> cli;  // option -> value, last one wins
  std::vector<std::string> positional;
  std::string role_sql_option;  // the last option only role-sql takes, to name it when misplaced
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      inv.command = CommandKind::kHelp;
      return inv;
    }
    if (a == "--version" || a == "-V") {
      inv.command = CommandKind::kVersion;
      return inv;
    }
    if (a.rfind("--", 0) == 0 && a.size() > 2) {
      std::string name = a.substr(2), value;
      bool has_value = false;
      if (auto eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
        has_value = true;
      }
      // role-sql's own options: command line only, checked against the command below.
      if (name == "authenticator" && !has_value) {
        inv.authenticator = true;
        role_sql_option = "--authenticator";
        continue;
      }
      if (name == "explain" && !has_value) {
        inv.explain = true;
        continue;
      }
      if (name == "role") {
        if (!has_value && i + 1 >= args.size()) return OptionError("option '--role' needs a value");
        inv.role = has_value ? value : args[++i];
        role_sql_option = "--role";
        continue;
      }
      bool known = false;
      for (const auto& o : kValueOptions) known = known || o == name;
      if (!known) return OptionError("unknown option '--" + name + "' (see pgmcp --help)");
      if (!has_value) {
        if (i + 1 >= args.size()) return OptionError("option '--" + name + "' needs a value");
        value = args[++i];
      }
      cli[name] = value;
      continue;
    }
    positional.push_back(a);
  }

  size_t next = 0;
  if (!positional.empty()) {
    const std::string& cmd = positional[0];
    if (cmd == "serve") inv.command = CommandKind::kServe;
    else if (cmd == "tools") inv.command = CommandKind::kTools;
    else if (cmd == "call") inv.command = CommandKind::kCall;
    else if (cmd == "check") inv.command = CommandKind::kCheck;
    else if (cmd == "role-sql") inv.command = CommandKind::kRoleSql;
    else return OptionError("unknown command '" + cmd + "' (expected serve, tools, call, check or role-sql)");
    next = 1;
  }
  if (inv.command == CommandKind::kCall) {
    if (positional.size() < 2) return OptionError("pgmcp call needs a tool name: pgmcp call TOOL 'JSON-ARGS'");
    inv.tool = positional[1];
    inv.arguments = positional.size() > 2 ? positional[2] : "{}";
    next = 3;
  }
  if (positional.size() > next) return OptionError("unexpected argument '" + positional[next] + "'");
  if (inv.explain && inv.command != CommandKind::kCall) return OptionError("option '--explain' belongs to pgmcp call");
  if (!role_sql_option.empty() && inv.command != CommandKind::kRoleSql) {
    return OptionError("option '" + role_sql_option + "' belongs to pgmcp role-sql");
  }

  Settings& s = inv.settings;
  // Defaults < config file < environment < command line.
  if (const char* url = getenv("DATABASE_URL"); url != nullptr && *url != '\0') s.dsn = url;
  std::optional<std::string> config_file;
  if (const char* e = getenv("PGMCP_CONFIG"); e != nullptr && *e != '\0') config_file = e;
  if (auto it = cli.find("config"); it != cli.end()) config_file = it->second;
  if (config_file) {
    s.config_file = *config_file;
    if (auto st = LoadConfigFile(*config_file, s); !st) return st.error();
  }
  for (const auto& name : kValueOptions) {
    if (name == "config") continue;
    std::string env = EnvName(name);
    if (const char* e = getenv(env.c_str()); e != nullptr && *e != '\0') {
      if (auto st = ApplyOption(name, e, env, s); !st) return st.error();
    }
  }
  for (const auto& [name, value] : cli) {
    if (name == "config") continue;
    if (auto st = ApplyOption(name, value, "--" + name, s); !st) return st.error();
  }
  if (auto st = Validate(s); !st) return st.error();
  return inv;
}

namespace {

// The restart-only keys, each with the field it reads: `visit(key, field)` where field(settings)
// returns a reference. One list serves both the merge and the report of what was ignored.
template <typename Visit>
void ForEachRestartOnly(Visit visit) {
  visit("dsn", [](auto& s) -> auto& { return s.dsn; });
  visit("transport", [](auto& s) -> auto& { return s.transport; });
  visit("listen", [](auto& s) -> auto& { return s.listen; });
  visit("pool.*", [](auto& s) -> auto& { return s.pool; });
  visit("schema.reload_channel", [](auto& s) -> auto& { return s.schema.reload_channel; });
  visit("schema.listen_dsn", [](auto& s) -> auto& { return s.schema.listen_dsn; });
  visit("security.allow_privileged_role", [](auto& s) -> auto& { return s.security.allow_privileged_role; });
  visit("auth.*", [](auto& s) -> auto& { return s.auth; });
  visit("http.max_connections", [](auto& s) -> auto& { return s.http.max_connections; });
  visit("http.max_connections_per_client", [](auto& s) -> auto& { return s.http.max_connections_per_client; });
  visit("http.max_sessions_per_owner", [](auto& s) -> auto& { return s.http.max_sessions_per_owner; });
  visit("http.trusted_proxies", [](auto& s) -> auto& { return s.http.trusted_proxies; });
  visit("http.replica_id", [](auto& s) -> auto& { return s.http.replica_id; });
}

}  // namespace

Settings MergeReloadable(const Settings& running, const Settings& reloaded) {
  Settings merged = reloaded;
  ForEachRestartOnly([&](const char*, auto field) { field(merged) = field(running); });
  return merged;
}

std::vector<std::string> RestartOnlyChanges(const Settings& running, const Settings& reloaded) {
  std::vector<std::string> changed;
  ForEachRestartOnly([&](const char* key, auto field) {
    if (!(field(running) == field(reloaded))) changed.emplace_back(key);
  });
  return changed;
}

Status Validate(const Settings& s) {
  if (s.limits.default_limit > s.limits.max_rows) {
    return OptionError("config key 'limits.default_limit' (" + std::to_string(s.limits.default_limit) +
                       ") must not exceed 'limits.max_rows' (" + std::to_string(s.limits.max_rows) + ")");
  }
  if (s.pool.max < s.pool.min) {
    return OptionError("config key 'pool.max' (" + std::to_string(s.pool.max) + ") must not be less than 'pool.min' (" +
                       std::to_string(s.pool.min) + ")");
  }
  if (s.schemas.empty()) return OptionError("config key 'schemas' must name at least one schema");
  for (const auto& pattern : s.schema.pinned_tables) {
    if (pattern.empty()) {
      return OptionError("config key 'schema.pinned_tables' holds an empty pattern; write `table` or `schema.table` globs");
    }
  }
  if (s.listen.find(':') == std::string::npos) return OptionError("option '--listen' expects HOST:PORT");
  // The tag ends at the first '-' of a session id, and a proxy matches it with a regular expression.
  const auto& tag = s.http.replica_id;
  bool tag_ok = tag.size() <= 32 && std::all_of(tag.begin(), tag.end(), [](char c) {
                  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
                });
  if (!tag_ok) {
    return OptionError("config key 'http.replica_id' must be at most 32 letters, digits or underscores, got '" +
                       s.http.replica_id + "'");
  }
  return OkStatus();
}

std::string UsageText() {
  return R"(pgmcp — a read-only PostgreSQL server for the Model Context Protocol

Usage:
  pgmcp [serve] [options]          run the MCP server (default command)
  pgmcp tools   [options]          print the generated tools as JSON and exit
  pgmcp call TOOL 'JSON-ARGS'      run one tool call through the full pipeline; exit 0, 1 on isError,
                                   2 for JSON that does not parse or an unknown tool
  pgmcp call --explain TOOL 'JSON-ARGS'
                                   print the call's SQL, its parameters and the database's plan;
                                   runs nothing else
  pgmcp check   [options]          run the start-up security checks; exit 0 if safe, 2 if not
  pgmcp role-sql [--role NAME] [--authenticator] [options]
                                   print SQL that creates a read-only role pgmcp check accepts
  pgmcp --version | --help

Options (each also read from PGMCP_<NAME>, e.g. PGMCP_DSN; command line > environment > config file):
  --dsn DSN                 libpq connection string or URI (default: $DATABASE_URL, else libpq defaults)
  --config FILE             TOML configuration file
  --transport stdio|http    stdio (default) or Streamable HTTP
  --listen HOST:PORT        HTTP listen address (default 127.0.0.1:8808)
  --schemas a,b             schemas to expose (default public)
  --log-level LEVEL         debug, info (default), warn or error; logs are JSON lines on stderr

role-sql (needs no database; run its output with psql as an administrator, see docs/roles.md):
  --role NAME               the login role to create (default pgmcp_reader, or pgmcp_authenticator)
  --authenticator           the login role only switches roles: one NOLOGIN role per
                            auth.allowed_roles (and auth.anonymous_role) reads the --schemas

Exit codes: 0 normal, 1 runtime failure, 2 configuration or security-check failure.
SIGHUP re-reads the configuration. Every key, its default and whether SIGHUP applies it:
docs/reference.md.
)";
}

}  // namespace pgmcp::config

// Command line, environment and TOML resolution: precedence, strictness, and errors that name
// the setting at fault.
#include "config/invocation.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <unistd.h>

namespace pgmcp::config {
namespace {

class InvocationTest : public ::testing::Test {
 protected:
  Result<Invocation> Parse(std::vector<std::string> args) {
    return ParseInvocation(args, [this](const char* name) -> const char* {
      auto it = env_.find(name);
      return it == env_.end() ? nullptr : it->second.c_str();
    });
  }
  // A config file of its own per call, named after the process so parallel runs do not collide,
  // removed when the test ends.
  std::string WriteConfig(const std::string& text) {
    std::string path = ::testing::TempDir() + "/pgmcp_test_" + std::to_string(::getpid()) + "_" +
                       std::to_string(written_.size()) + ".toml";
    std::ofstream(path) << text;
    written_.push_back(path);
    return path;
  }
  void TearDown() override {
    for (const auto& path : written_) std::remove(path.c_str());
  }
  std::map<std::string, std::string> env_;
  std::vector<std::string> written_;
};

TEST_F(InvocationTest, DefaultsAreTheSpecs) {
  auto inv = Parse({});
  ASSERT_TRUE(inv.ok()) << inv.error().message;
  EXPECT_EQ(inv->command, CommandKind::kServe);
  EXPECT_EQ(inv->settings.transport, Transport::kStdio);
  EXPECT_EQ(inv->settings.listen, "127.0.0.1:8808");
  EXPECT_EQ(inv->settings.schemas, std::vector<std::string>{"public"});
  EXPECT_EQ(inv->settings.limits.default_limit, 100);
  EXPECT_EQ(inv->settings.limits.max_rows, 1000);
  EXPECT_EQ(inv->settings.limits.max_plan_cost, 0) << "the cost guard is off by default";
  EXPECT_EQ(inv->settings.pool.min, 2);
  EXPECT_EQ(inv->settings.pool.max, 10);
  EXPECT_EQ(inv->settings.pool.max_waiters, 1000);
  EXPECT_EQ(inv->settings.pool.prepared_statements, PreparedStatements::kAuto) << "prepared, falling back";
  EXPECT_EQ(inv->settings.pool.statement_cache_size, 256);
  EXPECT_EQ(inv->settings.pool.calls_per_round_trip, 4);
  EXPECT_EQ(inv->settings.pool.idle_timeout_ms, 600000) << "PgBouncer's server_idle_timeout";
  EXPECT_EQ(inv->settings.pool.max_lifetime_ms, 3600000) << "PgBouncer's server_lifetime";
  EXPECT_EQ(inv->settings.security.sanitize_text, SanitizeMode::kStrict);
  EXPECT_FALSE(inv->settings.security.allow_privileged_role);
  EXPECT_EQ(inv->settings.schema.tool_mode, ToolMode::kAuto);
  EXPECT_EQ(inv->settings.schema.max_table_tools, 40);
  EXPECT_TRUE(inv->settings.schema.pinned_tables.empty());
}

TEST_F(InvocationTest, CommandLineBeatsEnvironmentBeatsConfigFile) {
  std::string path = WriteConfig("dsn = \"from-file\"\nschemas = [\"file\"]\nlog_level = \"error\"\n");
  env_["PGMCP_DSN"] = "from-env";
  env_["PGMCP_SCHEMAS"] = "env1, env2";
  env_["DATABASE_URL"] = "from-database-url";
  auto inv = Parse({"--config", path, "--dsn", "from-cli"});
  ASSERT_TRUE(inv.ok()) << inv.error().message;
  EXPECT_EQ(inv->settings.dsn, "from-cli");
  EXPECT_EQ(inv->settings.schemas, (std::vector<std::string>{"env1", "env2"}));
  EXPECT_EQ(inv->settings.log_level, LogLevel::kError);
}

TEST_F(InvocationTest, DatabaseUrlIsTheDefaultDsn) {
  env_["DATABASE_URL"] = "postgresql://x@y/z";
  auto inv = Parse({"tools"});
  ASSERT_TRUE(inv.ok());
  EXPECT_EQ(inv->settings.dsn, "postgresql://x@y/z");
  EXPECT_EQ(inv->command, CommandKind::kTools);
}

TEST_F(InvocationTest, ConfigFileFromEnvironment) {
  env_["PGMCP_CONFIG"] = WriteConfig("[limits]\nmax_rows = 50\ndefault_limit = 10\n");
  auto inv = Parse({});
  ASSERT_TRUE(inv.ok()) << inv.error().message;
  EXPECT_EQ(inv->settings.limits.max_rows, 50);
}

TEST_F(InvocationTest, OptionsMayStandAfterTheSubcommandAndUseEquals) {
  auto inv = Parse({"call", "query_t", R"({"limit":1})", "--schemas=a,b", "--log-level", "debug"});
  ASSERT_TRUE(inv.ok()) << inv.error().message;
  EXPECT_EQ(inv->command, CommandKind::kCall);
  EXPECT_EQ(inv->tool, "query_t");
  EXPECT_EQ(inv->arguments, R"({"limit":1})");
  EXPECT_EQ(inv->settings.schemas, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(inv->settings.log_level, LogLevel::kDebug);
}

TEST_F(InvocationTest, FullConfigFileIsRead) {
  auto path = WriteConfig(R"(
dsn = "postgresql://mcp_reader@db/app"
schemas = ["public", "sales"]
[limits]
default_limit = 20
max_rows = 500
statement_timeout_ms = 1500
max_result_bytes = 65536
max_text_chars = 300
max_plan_cost = 25000
[pool]
min = 1
max = 4
acquire_timeout_ms = 100
max_waiters = 0
prepared_statements = "off"
statement_cache_size = 32
calls_per_round_trip = 1
idle_timeout_ms = 0
max_lifetime_ms = 1800000
[schema]
exclude_tables = ["*_old"]
exclude_columns = ["*.ssn"]
cache_ttl_seconds = 60
reload_channel = "ddl"
tool_mode = "discovery"
max_table_tools = 12
pinned_tables = ["customers", "sales.*"]
[query]
text_search_config = "simple"
timezone = "Europe/Berlin"
[tables.customers]
description = "Paying accounts."
not_for = ["archived accounts: use query_customers_archive"]
[security]
sanitize_text = "basic"
[auth]
mode = "none"
allowed_roles = ["analyst"]
anonymous_role = "analyst"
[http]
allowed_origins = ["https://app.example"]
max_body_bytes = 4096
)");
  auto inv = Parse({"--config", path});
  ASSERT_TRUE(inv.ok()) << inv.error().message;
  const Settings& s = inv->settings;
  EXPECT_EQ(s.limits.statement_timeout_ms, 1500);
  EXPECT_EQ(s.limits.max_plan_cost, 25000);
  EXPECT_EQ(s.pool.max, 4);
  EXPECT_EQ(s.pool.max_waiters, 0) << "0 is allowed: no call waits, a full pool answers busy at once";
  EXPECT_EQ(s.pool.prepared_statements, PreparedStatements::kOff);
  EXPECT_EQ(s.pool.statement_cache_size, 32);
  EXPECT_EQ(s.pool.calls_per_round_trip, 1);
  EXPECT_EQ(s.pool.idle_timeout_ms, 0) << "0: idle connections are never closed";
  EXPECT_EQ(s.pool.max_lifetime_ms, 1800000);
  EXPECT_EQ(s.schema.reload_channel, "ddl");
  EXPECT_EQ(s.schema.tool_mode, ToolMode::kDiscovery);
  EXPECT_EQ(s.schema.max_table_tools, 12);
  EXPECT_EQ(s.schema.pinned_tables, (std::vector<std::string>{"customers", "sales.*"}));
  EXPECT_EQ(s.query.timezone, "Europe/Berlin");
  EXPECT_EQ(s.tables.at("customers").not_for.size(), 1u);
  EXPECT_EQ(s.security.sanitize_text, SanitizeMode::kBasic);
  EXPECT_EQ(s.auth.mode, AuthMode::kNone);
  EXPECT_EQ(s.http.max_body_bytes, 4096);
}

struct BadConfig {
  const char* toml;
  const char* must_mention;
};

TEST_F(InvocationTest, MistakesAreConfigErrorsNamingTheKey) {
  const BadConfig cases[] = {
      {"unknown_top = 1\n", "unknown_top"},
      {"[limits]\nmax_rowz = 5\n", "limits.max_rowz"},
      {"[limits]\nmax_rows = \"many\"\n", "limits.max_rows"},
      {"[limits]\nmax_rows = 0\n", "limits.max_rows"},
      {"[limits]\ndefault_limit = 2000\n", "limits.default_limit"},
      {"[pool]\nmin = 5\nmax = 2\n", "pool.max"},
      {"[pool]\nmax_waiters = -1\n", "pool.max_waiters"},
      {"[limits]\nmax_plan_cost = -1\n", "limits.max_plan_cost"},
      {"[limits]\nmax_plan_cost = 1.5\n", "limits.max_plan_cost"},
      {"[pool]\nmax_waiters = 2.5\n", "pool.max_waiters"},
      {"[pool]\nprepared_statements = \"yes\"\n", "expected one of auto, on, off"},
      {"[pool]\nprepared_statements = true\n", "pool.prepared_statements"},
      {"[pool]\nstatement_cache_size = 0\n", "pool.statement_cache_size"},
      {"[pool]\ncalls_per_round_trip = 0\n", "pool.calls_per_round_trip"},
      {"[pool]\ncalls_per_round_trip = 65\n", "pool.calls_per_round_trip"},
      {"[security]\nsanitize_text = \"lenient\"\n", "security.sanitize_text"},
      {"[auth]\nmode = \"basic\"\n", "auth.mode"},
      {"[schema]\ntool_mode = \"both\"\n", "schema.tool_mode"},
      {"[schema]\ntool_mode = \"both\"\n", "auto, per_table, discovery"},
      {"[schema]\nmax_table_tools = -1\n", "schema.max_table_tools"},
      {"[schema]\nmax_table_tools = \"40\"\n", "schema.max_table_tools"},
      {"[schema]\npinned_tables = \"customers\"\n", "schema.pinned_tables"},
      {"[schema]\npinned_tables = [\"customers\", 3]\n", "schema.pinned_tables"},
      {"[schema]\npinned_tables = [\"\"]\n", "schema.pinned_tables"},
      {"schemas = \"public\"\n", "schemas"},
      {"[http]\nreplica_id = \"r-1\"\n", "http.replica_id"},  // '-' ends the tag in a session id
      {"[http]\nreplica_id = \"r 1\"\n", "http.replica_id"},
      {"[tables.x]\ncolour = \"red\"\n", "tables.x.colour"},
      {"this is not toml", ".toml:1"},
  };
  for (const auto& c : cases) {
    auto inv = Parse({"--config", WriteConfig(c.toml)});
    ASSERT_FALSE(inv.ok()) << c.toml;
    EXPECT_EQ(inv.error().kind, ErrorKind::kConfig);
    EXPECT_NE(inv.error().message.find(c.must_mention), std::string::npos) << inv.error().message;
  }
}

// A value that fits in 64 bits but not where it is used (PostgreSQL's int4 settings, LIMIT + 1, a
// clock's nanoseconds) would be taken at start-up and then fail every call: each integer key has
// a ceiling, and the ceiling itself is accepted.
TEST_F(InvocationTest, EveryIntegerKeyHasACeiling) {
  const std::pair<const char*, const char*> too_big[] = {
      {"[limits]\nmax_rows = 9223372036854775807\n", "limits.max_rows"},
      {"[limits]\nstatement_timeout_ms = 2147483648\n", "limits.statement_timeout_ms"},
      {"[limits]\nmax_text_chars = 3000000000\n", "limits.max_text_chars"},
      {"[limits]\nmax_result_bytes = 2147483647\n", "limits.max_result_bytes"},
      {"[limits]\nmax_in_values = 1000001\n", "limits.max_in_values"},
      {"[limits]\nmax_line_bytes = 1073741825\n", "limits.max_line_bytes"},
      {"[limits]\nmax_plan_cost = 1000000000000001\n", "limits.max_plan_cost"},
      {"[pool]\nacquire_timeout_ms = 9223372036854775807\n", "pool.acquire_timeout_ms"},
      {"[pool]\nconnect_timeout_ms = 86400001\n", "pool.connect_timeout_ms"},
      {"[pool]\nmax_waiters = 1000001\n", "pool.max_waiters"},
      {"[pool]\nidle_timeout_ms = 86400001\n", "pool.idle_timeout_ms"},
      {"[pool]\nmax_lifetime_ms = 86400001\n", "pool.max_lifetime_ms"},
      {"shutdown_timeout_ms = 86400001\n", "shutdown_timeout_ms"},
      {"[schema]\ncache_ttl_seconds = 604801\n", "schema.cache_ttl_seconds"},
      {"[schema]\nmax_table_tools = 1000001\n", "schema.max_table_tools"},
      {"[auth]\nclock_skew_seconds = 86401\n", "auth.clock_skew_seconds"},
      {"[http]\nmax_body_bytes = 1073741825\n", "http.max_body_bytes"},
      {"[http]\nmax_connections = 1000001\n", "http.max_connections"},
      {"[http]\nmax_connections_per_client = 1000001\n", "http.max_connections_per_client"},
      {"[http]\nmax_sessions_per_owner = 1000001\n", "http.max_sessions_per_owner"},
  };
  for (const auto& [toml, key] : too_big) {
    auto inv = Parse({"--config", WriteConfig(toml)});
    ASSERT_FALSE(inv.ok()) << toml;
    EXPECT_EQ(inv.error().kind, ErrorKind::kConfig);
    EXPECT_NE(inv.error().message.find(key), std::string::npos) << inv.error().message;
    EXPECT_NE(inv.error().message.find("between"), std::string::npos) << inv.error().message;
  }
  auto at_ceiling = Parse({"--config", WriteConfig("[limits]\nmax_rows = 1000000000\ndefault_limit = 1000000000\n"
                                                   "statement_timeout_ms = 2147483647\nmax_text_chars = 1073741824\n"
                                                   "[pool]\nacquire_timeout_ms = 86400000\n")});
  ASSERT_TRUE(at_ceiling.ok()) << at_ceiling.error().message;
  EXPECT_EQ(at_ceiling->settings.limits.statement_timeout_ms, 2147483647);
}

TEST_F(InvocationTest, CommandLineMistakesAreConfigErrors) {
  EXPECT_FALSE(Parse({"--bogus"}).ok());
  EXPECT_FALSE(Parse({"--dsn"}).ok());
  EXPECT_FALSE(Parse({"--transport", "carrier-pigeon"}).ok());
  EXPECT_FALSE(Parse({"frobnicate"}).ok());
  EXPECT_FALSE(Parse({"call"}).ok());
  EXPECT_FALSE(Parse({"--config", "/nonexistent/pgmcp.toml"}).ok());
  env_["PGMCP_LOG_LEVEL"] = "loud";
  auto inv = Parse({});
  ASSERT_FALSE(inv.ok());
  EXPECT_NE(inv.error().message.find("PGMCP_LOG_LEVEL"), std::string::npos);
}

TEST_F(InvocationTest, HelpAndVersion) {
  EXPECT_EQ(Parse({"--help"})->command, CommandKind::kHelp);
  EXPECT_EQ(Parse({"tools", "--version"})->command, CommandKind::kVersion);
}

TEST_F(InvocationTest, ExplainBelongsToCall) {
  auto inv = Parse({"call", "--explain", "query_t", R"({"limit":1})"});
  ASSERT_TRUE(inv.ok()) << inv.error().message;
  EXPECT_TRUE(inv->explain);
  EXPECT_EQ(inv->tool, "query_t");
  EXPECT_EQ(inv->arguments, R"({"limit":1})");
  EXPECT_FALSE(Parse({"call", "query_t"})->explain);
  auto misplaced = Parse({"tools", "--explain"});
  ASSERT_FALSE(misplaced.ok());
  EXPECT_NE(misplaced.error().message.find("--explain"), std::string::npos);
  EXPECT_FALSE(Parse({"call", "--explain=yes", "query_t"}).ok());
}

TEST_F(InvocationTest, RoleSqlTakesRoleAndAuthenticatorAndNoOtherCommandDoes) {
  auto inv = Parse({"role-sql", "--role", "mcp reader", "--authenticator", "--schemas", "a,b"});
  ASSERT_TRUE(inv.ok()) << inv.error().message;
  EXPECT_EQ(inv->command, CommandKind::kRoleSql);
  EXPECT_EQ(inv->role, "mcp reader");
  EXPECT_TRUE(inv->authenticator);
  EXPECT_EQ(inv->settings.schemas, (std::vector<std::string>{"a", "b"}));
  inv = Parse({"role-sql", "--role=x"});
  ASSERT_TRUE(inv.ok()) << inv.error().message;
  EXPECT_EQ(inv->role, "x");
  EXPECT_FALSE(inv->authenticator);

  EXPECT_FALSE(Parse({"role-sql", "--role"}).ok());
  for (std::vector<std::string> args :
       {std::vector<std::string>{"check", "--authenticator"}, std::vector<std::string>{"--role", "x"}}) {
    auto wrong = Parse(args);
    ASSERT_FALSE(wrong.ok());
    EXPECT_NE(wrong.error().message.find("belongs to pgmcp role-sql"), std::string::npos) << wrong.error().message;
  }
}

}  // namespace
}  // namespace pgmcp::config

// The command line, environment and TOML config file resolved into one Settings (docs/reference.md):
// command line > PGMCP_* environment > config file > default. Every mistake names the setting.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/result.h"
#include "config/settings.h"

namespace pgmcp::config {

enum class CommandKind { kServe, kTools, kCall, kCheck, kRoleSql, kVersion, kHelp };

struct Invocation {
  CommandKind command = CommandKind::kServe;
  std::string tool;       // pgmcp call TOOL
  std::string arguments;  // pgmcp call TOOL 'JSON-ARGS'
  bool explain = false;   // pgmcp call --explain: print the SQL, parameters and plan; run nothing else
  std::string role;          // pgmcp role-sql --role NAME (empty: the default name)
  bool authenticator = false;  // pgmcp role-sql --authenticator
  Settings settings;
  std::vector<std::string> args;  // as given, so SIGHUP can resolve the same invocation again
};

using GetEnv = std::function<const char*(const char*)>;

// Errors are ErrorKind::kConfig with a one-line reason naming the option or key at fault.
Result<Invocation> ParseInvocation(const std::vector<std::string>& args, const GetEnv& getenv);

// Reads a TOML config file over `settings` (strict: unknown keys and wrong types are errors).
Status LoadConfigFile(const std::string& path, Settings& settings);
Status LoadConfigText(std::string_view toml, const std::string& source_name, Settings& settings);
// Every key the config file accepts, as "key", "section.key" and "tables.<table>.key" (for the
// test that keeps docs/reference.md's table of keys complete).
std::vector<std::string> ConfigKeys();

// Cross-field checks (max < min, default_limit > max_rows, ...).
Status Validate(const Settings& settings);

// What a SIGHUP makes current: `reloaded`, except the restart-only keys, which stay as `running`
// has them (the things built once at start: the DSN and pool, the transport and listener, the JWT
// verifier, the LISTEN channel, and the start-up privilege audit's allow_privileged_role).
Settings MergeReloadable(const Settings& running, const Settings& reloaded);

// The restart-only keys (or sections, as "pool.*") whose value differs between the two: a SIGHUP
// logs them, since they take effect only at the next start.
std::vector<std::string> RestartOnlyChanges(const Settings& running, const Settings& reloaded);

std::string UsageText();

}  // namespace pgmcp::config

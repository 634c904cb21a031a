// ToolService: the Backend the protocol layer calls. It joins the layers for one tool call —
// schema snapshot, query builder, read-only envelope on the pool, result encoder — and logs it.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>

#include "catalog/tool_catalog.h"
#include "config/settings_source.h"
#include "database/pool.h"
#include "metrics/metrics.h"
#include "protocol/backend.h"
#include "query/query.h"
#include "schema/snapshot.h"
#include "service/role_views.h"

namespace pgmcp::service {

class ToolService : public protocol::Backend {
 public:
  // Every call reads settings->current() when it starts (limits, query, sanitising, timeouts).
  ToolService(config::SettingsSourcePtr settings, std::shared_ptr<database::Pool> pool,
              std::shared_ptr<metrics::Metrics> metrics = nullptr);
  // Fixed settings, for the one-shot commands and tests.
  ToolService(std::shared_ptr<const config::Settings> settings, std::shared_ptr<database::Pool> pool,
              std::shared_ptr<metrics::Metrics> metrics = nullptr);

  // Makes `snapshot` current, with its per-role views and catalogs built from `built_with`
  // (default: the current settings); readers holding the previous ones finish with them. Returns
  // whose tool list or resources changed. Thread-safe.
  ListChange Publish(schema::SnapshotPtr snapshot, std::shared_ptr<const config::Settings> built_with = nullptr);
  // The same for views built already (off the event loop: RoleViews::Build takes a while on a
  // large schema).
  ListChange Publish(std::shared_ptr<const RoleViews> views);
  // Everything any audited role may read (null before the first Publish).
  std::shared_ptr<const Published> current() const;
  // What a caller running as `context.role` sees ("" is the login role).
  std::shared_ptr<const Published> ViewFor(const protocol::CallContext& context) const;
  const config::SettingsSourcePtr& settings() const { return settings_; }

  // While a reload's privilege audit finds the database roles unsafe (docs/security.md, "The audit
  // runs on every reload"), every tool call is refused with kRolesUnsafeSentence and /readyz
  // answers 503. Set by SchemaReloader; thread-safe.
  void SetRolesUnsafe(bool unsafe) { roles_unsafe_ = unsafe; }
  bool roles_unsafe() const { return roles_unsafe_; }

  // Called (at most once per cache_ttl_seconds, from a request) when the schema is due for a
  // cheap version check (lazily, when the TTL has passed: docs/operations.md). Set before serving.
  void SetStaleHandler(std::function<void()> on_stale) { on_stale_ = std::move(on_stale); }

  std::shared_ptr<const std::string> ToolsList(std::string_view cursor,
                                               const protocol::CallContext& context) const override;
  // Whether any caller may see a tool of this name.
  bool HasTool(std::string_view name) const;
  boost::asio::awaitable<Result<protocol::ToolOutcome>> CallTool(std::string name, boost::json::value arguments,
                                                                 protocol::CallContext context) override;
  std::shared_ptr<const std::string> ResourcesList(const protocol::CallContext& context) const override;
  std::optional<std::string> ReadResource(std::string_view uri, const protocol::CallContext& context) const override;
  // `pgmcp call --explain`: the call's generated SELECT, its parameters and the database's plan
  // for it in the call's envelope, as one JSON object; nothing else runs. kNotFound for an unknown
  // tool, the query builder's error for invalid arguments, the database's errors.
  boost::asio::awaitable<Result<boost::json::value>> ExplainCall(std::string name, boost::json::value arguments,
                                                                 protocol::CallContext context);

 private:
  void CheckStaleness() const;

  config::SettingsSourcePtr settings_;
  std::shared_ptr<database::Pool> pool_;
  std::shared_ptr<metrics::Metrics> metrics_;  // may be null (one-shot commands)
  std::function<void()> on_stale_;
  mutable std::atomic<int64_t> last_check_ms_{0};  // steady clock, ms
  std::atomic<bool> roles_unsafe_{false};
  mutable std::mutex mu_;
  std::shared_ptr<const RoleViews> current_;  // guarded by mu_; swapped whole on reload
};

// The isError text of every tool call while the roles are unsafe (docs/reference.md, "Errors").
inline constexpr std::string_view kRolesUnsafeSentence =
    "The server refuses tool calls until its database role is safe again: a privilege check found that the role "
    "can write or read past its limits. The server's log says what was found.";

}  // namespace pgmcp::service

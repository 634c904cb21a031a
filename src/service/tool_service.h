// ToolService: the Backend the protocol layer calls. It joins the layers for one tool call —
// schema snapshot, query builder, read-only envelope on the pool, result encoder — and logs it.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>

#include "catalog/tool_catalog.h"
#include "config/settings.h"
#include "database/pool.h"
#include "protocol/backend.h"
#include "query/query.h"
#include "schema/snapshot.h"

namespace pgmcp::service {

// What one schema snapshot publishes: the snapshot and everything served from it.
struct Published {
  schema::SnapshotPtr schema;
  std::shared_ptr<const catalog::ToolCatalog> catalog;
};

class ToolService : public protocol::Backend {
 public:
  ToolService(std::shared_ptr<const config::Settings> settings, std::shared_ptr<database::Pool> pool);

  // Makes `snapshot` current; readers holding the previous one finish with it. Thread-safe.
  void Publish(schema::SnapshotPtr snapshot);
  std::shared_ptr<const Published> current() const;
  const query::QueryOptions& query_options() const { return query_options_; }

  std::shared_ptr<const std::string> ToolsList() const override;
  bool HasTool(std::string_view name) const override;
  boost::asio::awaitable<protocol::ToolOutcome> CallTool(std::string name, boost::json::value arguments,
                                                         protocol::CallContext context) override;
  std::shared_ptr<const std::string> ResourcesList() const override;
  std::optional<std::string> ReadResource(std::string_view uri) const override;

 private:
  std::shared_ptr<const config::Settings> settings_;
  std::shared_ptr<database::Pool> pool_;
  query::QueryOptions query_options_;
  mutable std::mutex mu_;
  std::shared_ptr<const Published> current_;  // guarded by mu_; swapped whole on reload
};

query::QueryOptions QueryOptionsFrom(const config::Settings& settings);

}  // namespace pgmcp::service

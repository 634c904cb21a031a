// RoleViews: what one schema snapshot publishes to each caller (docs/security.md, "What a caller
// sees"): per audited role, the snapshot cut to what the role may SELECT and the tool catalog
// built from that cut. Built once per snapshot from one introspection and its privilege matrix,
// immutable afterwards, shared by readers; thread-safe.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "catalog/tool_catalog.h"
#include "config/settings.h"
#include "query/query.h"
#include "query/sql_shape_cache.h"
#include "schema/snapshot.h"

namespace pgmcp::service {

// One caller role's view: the snapshot it may see and the tool catalog served from it. A call uses
// one Published from start to end. Settings are not read from here but from the SettingsSource.
struct Published {
  schema::SnapshotPtr schema;
  std::shared_ptr<const catalog::ToolCatalog> catalog;
  // The settings the snapshot and catalog were built with, only so that SchemaReloader can tell
  // that a SIGHUP made them stale (it rebuilds when this is not the source's current()).
  std::shared_ptr<const config::Settings> built_with;
  // The SQL of the query shapes called on this view (query/sql_shape_cache.h): it lives and dies
  // with the snapshot its keys point into, so a reload starts an empty one.
  std::shared_ptr<query::SqlShapeCache> sql_shapes = std::make_shared<query::SqlShapeCache>();
};

class RoleViews {
 public:
  // The full view and one view per role of snapshot->roles, built now: a role that may read
  // everything shares the full view, the others get VisibleTo's cut and its own catalog.
  static std::shared_ptr<const RoleViews> Build(schema::SnapshotPtr snapshot,
                                                std::shared_ptr<const config::Settings> built_with);

  // Everything any audited role may read (what was introspected): for the operator's tools.
  const std::shared_ptr<const Published>& all() const { return all_; }
  // What a caller running as `role` sees ("" is the login role); a role outside the privilege
  // matrix sees no table at all.
  const std::shared_ptr<const Published>& For(std::string_view role) const;

 private:
  std::shared_ptr<const Published> all_;
  std::map<std::string, std::shared_ptr<const Published>, std::less<>> by_role_;  // "" for the login role
  std::shared_ptr<const Published> nothing_;
};

// What one publication changed for the callers: which roles' tools/list or resources differ.
struct ListChange {
  std::shared_ptr<const RoleViews> before;  // null for the first publication
  std::shared_ptr<const RoleViews> after;

  // The tools or resources a caller running as `role` is listed differ.
  bool For(std::string_view role) const;
  // Some audited role's lists (or the full catalog) differ.
  bool Any() const;
};

// What the settings say about building queries and catalogs.
query::QueryOptions QueryOptionsFrom(const config::Settings& settings);
catalog::CatalogOptions CatalogOptionsFrom(const config::Settings& settings);

}  // namespace pgmcp::service

#include "service/role_views.h"

#include "schema/visible_to.h"

namespace pgmcp::service {

query::QueryOptions QueryOptionsFrom(const config::Settings& settings) {
  query::QueryOptions o;
  o.limits = settings.limits;
  o.text_search_config = settings.query.text_search_config;
  o.sanitize = settings.security.sanitize_text;
  o.structured_content = settings.query.structured_content;
  return o;
}

catalog::CatalogOptions CatalogOptionsFrom(const config::Settings& settings) {
  catalog::CatalogOptions o;
  o.tool_mode = settings.schema.tool_mode;
  o.max_table_tools = settings.schema.max_table_tools;
  o.pinned_tables = settings.schema.pinned_tables;
  if (!settings.schemas.empty()) o.first_schema = settings.schemas.front();
  return o;
}

namespace {

std::shared_ptr<const Published> MakePublished(schema::SnapshotPtr snapshot,
                                               const std::shared_ptr<const config::Settings>& built_with,
                                               const query::QueryOptions& options,
                                               const catalog::CatalogOptions& catalog_options) {
  auto published = std::make_shared<Published>();
  published->built_with = built_with;
  published->catalog = std::make_shared<const catalog::ToolCatalog>(catalog::BuildToolCatalog(*snapshot, options, catalog_options));
  published->schema = std::move(snapshot);
  return published;
}

bool SameLists(const Published& a, const Published& b) {
  return *a.catalog->tools_list == *b.catalog->tools_list && *a.catalog->resources_list == *b.catalog->resources_list;
}

}  // namespace

std::shared_ptr<const RoleViews> RoleViews::Build(schema::SnapshotPtr snapshot,
                                                  std::shared_ptr<const config::Settings> built_with) {
  const query::QueryOptions options = QueryOptionsFrom(*built_with);
  const catalog::CatalogOptions catalog_options = CatalogOptionsFrom(*built_with);
  auto views = std::make_shared<RoleViews>();
  views->all_ = MakePublished(snapshot, built_with, options, catalog_options);
  auto empty = std::make_shared<schema::SchemaSnapshot>();
  empty->version = snapshot->version;
  empty->roles = snapshot->roles;
  views->nothing_ = MakePublished(std::move(empty), built_with, options, catalog_options);
  for (size_t i = 0; i < snapshot->roles.size(); ++i) {
    const std::string& role = snapshot->roles[i];
    if (views->by_role_.count(role) != 0) continue;
    std::shared_ptr<const Published> view =
        schema::SeesEverything(*snapshot, role)
            ? views->all_
            : MakePublished(std::make_shared<const schema::SchemaSnapshot>(schema::VisibleTo(*snapshot, role, *built_with)),
                            built_with, options, catalog_options);
    views->by_role_[role] = view;
    if (i == 0) views->by_role_[""] = view;  // the login role, as a call without a role names it
  }
  return views;
}

const std::shared_ptr<const Published>& RoleViews::For(std::string_view role) const {
  auto it = by_role_.find(role);
  return it == by_role_.end() ? nothing_ : it->second;
}

bool ListChange::For(std::string_view role) const {
  if (!after) return false;
  if (!before) return true;
  return !SameLists(*before->For(role), *after->For(role));
}

bool ListChange::Any() const {
  if (!after) return false;
  if (!before || !SameLists(*before->all(), *after->all())) return true;
  for (const auto& role : after->all()->schema->roles) {
    if (For(role)) return true;
  }
  return For("");
}

}  // namespace pgmcp::service

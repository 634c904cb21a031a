// RoleViews: one view and tool catalog per audited role, built from one snapshot and its privilege
// matrix; ListChange: whose lists a new publication changed. Includes the cost on a 1,000-table
// schema with 5 roles (docs/security.md, "What a caller sees").
#include "service/role_views.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "schema/snapshot_builder.h"
#include "service/tool_service.h"

namespace pgmcp::service {
namespace {

using schema::Column;
using schema::SchemaSnapshot;
using schema::Table;

// Roles: 0 the login role (everything), 1 an analyst (every table, not the "secret_*" columns),
// 2..4 three tenants (each every third table, every column).
constexpr size_t kRoles = 5;

SchemaSnapshot GeneratedSnapshot(size_t tables, size_t columns) {
  SchemaSnapshot s;
  s.roles = {"mcp_reader", "analyst", "tenant_a", "tenant_b", "tenant_c"};
  s.version = "v1";
  for (size_t i = 0; i < tables; ++i) {
    Table t;
    t.oid = static_cast<uint32_t>(1000 + i);
    t.schema = "public";
    t.name = "table_" + std::to_string(i);
    t.comment = "Generated table number " + std::to_string(i) + ".";
    t.row_estimate = 1000.0 * static_cast<double>(i);
    for (size_t j = 0; j < columns; ++j) {
      Column c;
      c.name = (j % 5 == 4 ? "secret_" : "col_") + std::to_string(j);
      c.position = static_cast<int>(j + 1);
      c.type.sql_name = c.type.cast_name = j == 0 ? "integer" : "text";
      c.type.category = j == 0 ? schema::TypeCategory::kInteger : schema::TypeCategory::kText;
      c.type.int_bytes = j == 0 ? 4 : 0;
      c.comment = "Column " + std::to_string(j) + " of table " + std::to_string(i) + ".";
      c.readers.Add(0);
      if (c.name.rfind("secret_", 0) != 0) c.readers.Add(1);
      c.readers.Add(2 + i % 3);
      t.columns.push_back(std::move(c));
    }
    t.primary_key = {"col_0"};
    if (i > 0) t.foreign_keys.push_back(schema::ForeignKey{{"col_1"}, "public", "table_" + std::to_string(i - 1), {"col_0"}});
    for (size_t r : {size_t{0}, size_t{1}, 2 + i % 3}) t.readers.Add(r);
    s.tables.push_back(std::move(t));
  }
  schema::FinishSnapshot(s, config::Settings{});
  return s;
}

std::shared_ptr<const RoleViews> Build(SchemaSnapshot s) {
  auto settings = std::make_shared<const config::Settings>();
  return RoleViews::Build(std::make_shared<const SchemaSnapshot>(std::move(s)), settings);
}

TEST(RoleViewsTest, EachRoleGetsItsOwnViewAndTheLoginRoleSharesTheFullOne) {
  auto views = Build(GeneratedSnapshot(9, 6));
  EXPECT_EQ(views->For(""), views->all()) << "the login role reads everything: no copy";
  EXPECT_EQ(views->For("mcp_reader"), views->all());
  EXPECT_EQ(views->For("analyst")->schema->tables.size(), 9u);
  EXPECT_EQ(views->For("analyst")->schema->tables[0].columns.size(), 5u) << "secret_4 is hidden";
  EXPECT_EQ(views->For("analyst")->catalog->tools_list->find("secret_4"), std::string::npos);
  EXPECT_EQ(views->For("tenant_a")->schema->tables.size(), 3u);
  EXPECT_EQ(views->For("tenant_a")->catalog->tools.size(), 3u);
  EXPECT_TRUE(views->For("stranger")->schema->tables.empty()) << "a role outside the matrix sees nothing";
  EXPECT_TRUE(views->For("stranger")->catalog->tools.empty());
}

// The SQL cached per query shape points into its snapshot: each publication, a reload's included,
// starts its own empty cache, and a role's cut view does not share the full view's.
TEST(RoleViewsTest, EachPublicationHasItsOwnEmptySqlShapeCache) {
  auto before = Build(GeneratedSnapshot(9, 6));
  auto after = Build(GeneratedSnapshot(9, 6));
  ASSERT_NE(before->all()->sql_shapes, nullptr);
  EXPECT_NE(after->all()->sql_shapes, before->all()->sql_shapes);
  EXPECT_EQ(after->all()->sql_shapes->GetStats().size, 0u);
  EXPECT_NE(before->For("analyst")->sql_shapes, before->all()->sql_shapes);
  EXPECT_EQ(before->For("mcp_reader")->sql_shapes, before->all()->sql_shapes) << "the same view, the same snapshot";
}

TEST(RoleViewsTest, AChangeIsReportedOnlyForTheRolesWhoseListsChanged) {
  SchemaSnapshot before = GeneratedSnapshot(9, 6);
  SchemaSnapshot after = before;
  // tenant_a may now read table_1 (tenant_b's): only tenant_a's lists change.
  for (auto& t : after.tables) {
    if (t.name != "table_1") continue;
    t.readers.Add(2);
    for (auto& c : t.columns) c.readers.Add(2);
  }
  ListChange change{Build(before), Build(after)};
  EXPECT_TRUE(change.For("tenant_a"));
  EXPECT_FALSE(change.For("tenant_b"));
  EXPECT_FALSE(change.For("analyst"));
  EXPECT_FALSE(change.For(""));
  EXPECT_TRUE(change.Any());
  ListChange none{Build(before), Build(before)};
  EXPECT_FALSE(none.Any());
  ListChange first{nullptr, Build(before)};
  EXPECT_TRUE(first.For("analyst")) << "the first publication is news to everyone";
}

// 1,000 tables of 15 columns, 5 roles: the views and catalogs of every role, from one snapshot.
// The bound is loose (sanitizer builds, a loaded machine); the figure is printed for the record.
TEST(RoleViewsTest, BuildingEveryRolesViewOfAThousandTablesStaysCheap) {
  SchemaSnapshot s = GeneratedSnapshot(1000, 15);
  auto one_catalog = std::chrono::steady_clock::now();
  catalog::BuildToolCatalog(s, QueryOptionsFrom(config::Settings{}));
  double baseline = std::chrono::duration<double>(std::chrono::steady_clock::now() - one_catalog).count();
  auto started = std::chrono::steady_clock::now();
  auto views = Build(std::move(s));
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("RoleViews::Build, 1000 tables x 15 columns, %zu roles: %.3f s (one catalog of every table: %.3f s)\n",
              kRoles, seconds, baseline);
  RecordProperty("build_seconds", std::to_string(seconds));
  EXPECT_EQ(views->For("tenant_c")->schema->tables.size(), 333u);
  EXPECT_LT(seconds, 20.0);
}

}  // namespace
}  // namespace pgmcp::service

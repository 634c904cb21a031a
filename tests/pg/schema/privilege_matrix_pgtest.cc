// The privilege matrix read at introspection, and VisibleTo on it, against a real server: table
// grants, column grants only, no grant, and a foreign key to a table the role cannot see.
#include "schema/privilege_matrix.h"

#include <gtest/gtest.h>

#include "schema/visible_to.h"
#include "schema_pg_support.h"

namespace pgmcp::schema {
namespace {

using namespace testing;  // NOLINT: the schema tests' helpers (schema_pg_support.h)

std::vector<std::string> ColumnNames(const Table& t) {
  std::vector<std::string> names;
  for (const auto& c : t.columns) names.push_back(c.name);
  return names;
}

class PrivilegeMatrixTest : public ::testing::Test {
 protected:
  void SetUp() override {
    reader_ = RoleName(db_, "reader");
    analyst_ = RoleName(db_, "analyst");
    tenant_ = RoleName(db_, "tenant");
    CreateLoginRole(db_, reader_);
    CreateLoginRole(db_, analyst_, false);
    CreateLoginRole(db_, tenant_, false);
    // customers: the analyst by table grant, the tenant by column grants on (id, plan) only.
    // orders: the tenant; it refers to customers and to staff, which only the reader may read.
    db_.Exec("CREATE TABLE staff (id int PRIMARY KEY, salary int);"
             "CREATE TABLE customers (id int PRIMARY KEY, email text UNIQUE, plan text);"
             "CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customers (id),"
             "                     clerk_id int REFERENCES staff (id), contact text REFERENCES customers (email));"
             "GRANT SELECT ON staff, customers, orders TO " + reader_ + ";"
             "GRANT SELECT ON customers TO " + analyst_ + ";"
             "GRANT SELECT (id, plan) ON customers TO " + tenant_ + ";"
             "GRANT SELECT ON orders TO " + tenant_ + ";");
    settings_.auth.allowed_roles = {analyst_, tenant_, "no_such_role_at_all"};
  }
  void TearDown() override {
    db_.Exec("DROP OWNED BY " + reader_ + ", " + analyst_ + ", " + tenant_ + "; DROP ROLE " + reader_ +
             "; DROP ROLE " + analyst_ + "; DROP ROLE " + tenant_);
  }

  TestDatabase db_;
  std::string reader_, analyst_, tenant_;
  config::Settings settings_;
};

TEST_F(PrivilegeMatrixTest, RolesAreTheLoginRoleThenTheConfiguredOnes) {
  settings_.auth.anonymous_role = analyst_;  // listed once
  SchemaSnapshot s = MustIntrospect(db_.DsnFor(reader_), settings_);
  EXPECT_EQ(s.roles, (std::vector<std::string>{reader_, analyst_, tenant_, "no_such_role_at_all"}));
}

TEST_F(PrivilegeMatrixTest, TableGrantsColumnGrantsAndNoGrant) {
  SchemaSnapshot s = MustIntrospect(db_.DsnFor(reader_), settings_);
  auto analyst = RoleIndex(s, analyst_), tenant = RoleIndex(s, tenant_), nobody = RoleIndex(s, "no_such_role_at_all");
  ASSERT_TRUE(analyst && tenant && nobody);
  const Table* customers = Find(s, "public", "customers");
  const Table* orders = Find(s, "public", "orders");
  const Table* staff = Find(s, "public", "staff");
  ASSERT_TRUE(customers && orders && staff);
  // A table grant: the table and every column.
  EXPECT_TRUE(customers->readers.Has(*analyst));
  for (const auto& c : customers->columns) EXPECT_TRUE(c.readers.Has(*analyst)) << c.name;
  // Column grants only: the table, with those columns.
  EXPECT_TRUE(customers->readers.Has(*tenant));
  EXPECT_TRUE(customers->FindColumn("id")->readers.Has(*tenant));
  EXPECT_TRUE(customers->FindColumn("plan")->readers.Has(*tenant));
  EXPECT_FALSE(customers->FindColumn("email")->readers.Has(*tenant));
  // No grant at all.
  EXPECT_FALSE(orders->readers.Has(*analyst));
  EXPECT_FALSE(staff->readers.Has(*analyst));
  EXPECT_FALSE(staff->readers.Has(*tenant));
  for (const auto& t : s.tables) EXPECT_FALSE(t.readers.Has(*nobody)) << t.name;
  // The login role reads everything here.
  EXPECT_TRUE(SeesEverything(s, ""));
}

TEST_F(PrivilegeMatrixTest, EachRolesViewHasOnlyWhatItMaySelect) {
  SchemaSnapshot s = MustIntrospect(db_.DsnFor(reader_), settings_);
  SchemaSnapshot analyst = VisibleTo(s, analyst_, settings_);
  ASSERT_EQ(analyst.tables.size(), 1u);
  EXPECT_EQ(analyst.tables[0].name, "customers");
  EXPECT_EQ(ColumnNames(analyst.tables[0]), (std::vector<std::string>{"id", "email", "plan"}));

  SchemaSnapshot tenant = VisibleTo(s, tenant_, settings_);
  ASSERT_NE(Find(tenant, "public", "customers"), nullptr);
  EXPECT_EQ(ColumnNames(*Find(tenant, "public", "customers")), (std::vector<std::string>{"id", "plan"}));
  EXPECT_EQ(Find(tenant, "public", "staff"), nullptr);
  const Table* orders = Find(tenant, "public", "orders");
  ASSERT_NE(orders, nullptr);
  // customer_id -> customers(id) stays; clerk_id -> staff (invisible) and contact ->
  // customers(email) (a hidden column) are dropped.
  ASSERT_EQ(orders->foreign_keys.size(), 1u);
  EXPECT_EQ(orders->foreign_keys[0].columns, (std::vector<std::string>{"customer_id"}));
  EXPECT_EQ(orders->description.find("staff"), std::string::npos) << orders->description;
  EXPECT_EQ(Find(tenant, "public", "customers")->unique_keys.size(), 0u) << "UNIQUE (email) names a hidden column";
  // The cost guard's refusal suggests indexed columns: email's index is the analyst's to know of.
  EXPECT_EQ(Find(analyst, "public", "customers")->indexed_columns, (std::vector<std::string>{"id", "email"}));
  EXPECT_EQ(Find(tenant, "public", "customers")->indexed_columns, (std::vector<std::string>{"id"}));

  EXPECT_TRUE(VisibleTo(s, "no_such_role_at_all", settings_).tables.empty());
}

// The anonymous role is a caller too: what only it may read is exposed (to it alone).
TEST_F(PrivilegeMatrixTest, TablesOnlyTheAnonymousRoleReadsAreExposedToIt) {
  db_.Exec("CREATE TABLE anon_only (id int); GRANT SELECT ON anon_only TO " + analyst_ + ";");
  settings_.auth.allowed_roles = {tenant_};
  settings_.auth.anonymous_role = analyst_;
  SchemaSnapshot s = MustIntrospect(db_.DsnFor(reader_), settings_);
  ASSERT_NE(Find(s, "public", "anon_only"), nullptr);
  EXPECT_NE(Find(VisibleTo(s, analyst_, settings_), "public", "anon_only"), nullptr);
  EXPECT_EQ(Find(VisibleTo(s, tenant_, settings_), "public", "anon_only"), nullptr);
  EXPECT_EQ(Find(VisibleTo(s, "", settings_), "public", "anon_only"), nullptr);
}

}  // namespace
}  // namespace pgmcp::schema

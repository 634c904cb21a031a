// VisibleTo on a hand-built snapshot and privilege matrix: what one role's view keeps and cuts
// (docs/security.md, "What a caller sees").
#include "schema/visible_to.h"

#include <gtest/gtest.h>

#include "schema/snapshot_builder.h"

namespace pgmcp::schema {
namespace {

constexpr size_t kLogin = 0, kAnalyst = 1, kTenant = 2;

Column MakeColumn(std::string name, std::initializer_list<size_t> readers, std::string comment = {}) {
  Column c;
  c.name = std::move(name);
  c.type.sql_name = "text";
  c.type.cast_name = "text";
  c.type.category = TypeCategory::kText;
  c.comment = std::move(comment);
  for (size_t r : readers) c.readers.Add(r);
  return c;
}

Table MakeTable(std::string name, std::vector<Column> columns) {
  Table t;
  t.schema = "public";
  t.name = std::move(name);
  t.columns = std::move(columns);
  for (const auto& c : t.columns) {
    for (size_t r : {kLogin, kAnalyst, kTenant}) {
      if (c.readers.Has(r)) t.readers.Add(r);
    }
  }
  return t;
}

// customers: the analyst reads it whole, the tenant only id and plan (column grants); orders:
// the tenant reads it, with a foreign key to customers(id) and one to the login role's
// payroll; payroll: the login role alone.
SchemaSnapshot ExampleSnapshot() {
  Table customers = MakeTable("customers", {MakeColumn("id", {kLogin, kAnalyst, kTenant}),
                                            MakeColumn("email", {kLogin, kAnalyst}, "The customer's payroll contact."),
                                            MakeColumn("plan", {kLogin, kAnalyst, kTenant})});
  customers.primary_key = {"id"};
  customers.unique_keys = {{"email"}, {"plan", "id"}};
  customers.indexed_columns = {"id", "email"};
  customers.referenced_by.push_back(Reference{"public", "orders", {"customer_id"}, {"id"}});
  customers.referenced_by.push_back(Reference{"public", "orders", {"contact"}, {"email"}});

  Table orders = MakeTable("orders", {MakeColumn("id", {kLogin, kTenant}), MakeColumn("customer_id", {kLogin, kTenant}),
                                      MakeColumn("contact", {kLogin, kTenant}), MakeColumn("clerk_id", {kLogin, kTenant})});
  orders.primary_key = {"id"};
  orders.foreign_keys.push_back(ForeignKey{{"customer_id"}, "public", "customers", {"id"}});
  orders.foreign_keys.push_back(ForeignKey{{"contact"}, "public", "customers", {"email"}});
  orders.foreign_keys.push_back(ForeignKey{{"clerk_id"}, "public", "payroll", {"id"}});

  Table payroll = MakeTable("payroll", {MakeColumn("id", {kLogin}), MakeColumn("salary", {kLogin})});
  payroll.primary_key = {"id"};
  payroll.referenced_by.push_back(Reference{"public", "orders", {"clerk_id"}, {"id"}});

  SchemaSnapshot s;
  s.tables = {customers, orders, payroll};
  s.roles = {"mcp_reader", "analyst", "tenant_user"};
  s.version = "v1";
  FinishSnapshot(s, config::Settings{});
  return s;
}

std::vector<std::string> ToolNames(const SchemaSnapshot& s) {
  std::vector<std::string> names;
  for (const auto& t : s.tables) names.push_back(t.tool_name);
  return names;
}

std::vector<std::string> ColumnNames(const Table& t) {
  std::vector<std::string> names;
  for (const auto& c : t.columns) names.push_back(c.name);
  return names;
}

TEST(VisibleToTest, RolesAreFoundByNameAndTheEmptyRoleIsTheLoginRole) {
  SchemaSnapshot s = ExampleSnapshot();
  EXPECT_EQ(RoleIndex(s, ""), kLogin);
  EXPECT_EQ(RoleIndex(s, "mcp_reader"), kLogin);
  EXPECT_EQ(RoleIndex(s, "tenant_user"), kTenant);
  EXPECT_EQ(RoleIndex(s, "someone_else"), std::nullopt);
  EXPECT_EQ(RoleIndex(SchemaSnapshot{}, ""), std::nullopt) << "no matrix: nobody sees anything";
}

TEST(VisibleToTest, OnlyTheLoginRoleSeesEverythingHere) {
  SchemaSnapshot s = ExampleSnapshot();
  EXPECT_TRUE(SeesEverything(s, ""));
  EXPECT_FALSE(SeesEverything(s, "analyst"));
  EXPECT_FALSE(SeesEverything(s, "tenant_user"));
  EXPECT_FALSE(SeesEverything(s, "someone_else"));
}

TEST(VisibleToTest, TablesAndColumnsTheRoleCannotReadAreGone) {
  SchemaSnapshot s = ExampleSnapshot();
  SchemaSnapshot analyst = VisibleTo(s, "analyst", config::Settings{});
  EXPECT_EQ(ToolNames(analyst), (std::vector<std::string>{"query_customers"}));
  SchemaSnapshot tenant = VisibleTo(s, "tenant_user", config::Settings{});
  EXPECT_EQ(ToolNames(tenant), (std::vector<std::string>{"query_customers", "query_orders"}));
  const Table* customers = tenant.FindTool("query_customers");
  ASSERT_NE(customers, nullptr) << "readable through column grants only: visible with those columns";
  EXPECT_EQ(ColumnNames(*customers), (std::vector<std::string>{"id", "plan"}));
  EXPECT_EQ(tenant.FindTool("query_payroll"), nullptr);
  EXPECT_TRUE(VisibleTo(s, "someone_else", config::Settings{}).tables.empty());
  EXPECT_EQ(tenant.version, s.version);
}

TEST(VisibleToTest, ForeignKeysAndReferencesToWhatIsHiddenAreDropped) {
  SchemaSnapshot tenant = VisibleTo(ExampleSnapshot(), "tenant_user", config::Settings{});
  const Table* orders = tenant.FindTool("query_orders");
  ASSERT_NE(orders, nullptr);
  // Kept: customer_id -> customers(id), both sides visible. Dropped: contact -> customers(email)
  // (a hidden column on the other side) and clerk_id -> payroll (an invisible table).
  ASSERT_EQ(orders->foreign_keys.size(), 1u);
  EXPECT_EQ(orders->foreign_keys[0].columns, (std::vector<std::string>{"customer_id"}));
  const Table* customers = tenant.FindTool("query_customers");
  ASSERT_EQ(customers->referenced_by.size(), 1u);
  EXPECT_EQ(customers->referenced_by[0].columns, (std::vector<std::string>{"customer_id"}));

  // The analyst cannot see orders: customers is referenced by nothing it sees.
  SchemaSnapshot analyst = VisibleTo(ExampleSnapshot(), "analyst", config::Settings{});
  EXPECT_TRUE(analyst.FindTool("query_customers")->referenced_by.empty());
}

TEST(VisibleToTest, KeysNamingAHiddenColumnAreDroppedWhole) {
  SchemaSnapshot tenant = VisibleTo(ExampleSnapshot(), "tenant_user", config::Settings{});
  const Table* customers = tenant.FindTool("query_customers");
  EXPECT_EQ(customers->primary_key, (std::vector<std::string>{"id"}));
  EXPECT_EQ(customers->unique_keys, (std::vector<std::vector<std::string>>{{"plan", "id"}}));
  SchemaSnapshot s = ExampleSnapshot();
  s.tables[s.by_tool.at("query_customers")].columns[0].readers = RoleSet{};  // id hidden from everyone
  SchemaSnapshot login = VisibleTo(s, "mcp_reader", config::Settings{});
  const Table* without_id = login.FindTool("query_customers");
  ASSERT_NE(without_id, nullptr);
  EXPECT_TRUE(without_id->primary_key.empty());
  EXPECT_EQ(without_id->unique_keys, (std::vector<std::vector<std::string>>{{"email"}}));
}

// The cost guard's refusal suggests a table's indexed columns (service/cost_refusal.h): a role
// must not learn there of a column it cannot read.
TEST(VisibleToTest, IndexedColumnsAreOnlyTheVisibleOnes) {
  SchemaSnapshot s = ExampleSnapshot();
  EXPECT_EQ(VisibleTo(s, "analyst", config::Settings{}).FindTool("query_customers")->indexed_columns,
            (std::vector<std::string>{"id", "email"}));
  EXPECT_EQ(VisibleTo(s, "tenant_user", config::Settings{}).FindTool("query_customers")->indexed_columns,
            (std::vector<std::string>{"id"}));
}

// "User-Data" and user_data both make query_user_data; the full snapshot gives it to user_data.
// A role that sees only "User-Data" is given the plain name: a hash suffix would tell it that a
// table it cannot see exists. Its metric name stays the full snapshot's.
TEST(VisibleToTest, ToolNamesAreGivenAmongTheTablesTheRoleSees) {
  SchemaSnapshot s;
  s.tables = {MakeTable("user_data", {MakeColumn("id", {kLogin, kAnalyst})}),
              MakeTable("User-Data", {MakeColumn("id", {kLogin, kTenant})})};
  s.roles = {"mcp_reader", "analyst", "tenant_user"};
  FinishSnapshot(s, config::Settings{});
  ASSERT_EQ(s.FindTool("query_user_data")->name, "user_data");
  const std::string hashed = s.tables[s.by_tool.at("query_user_data") == 0 ? 1 : 0].tool_name;
  ASSERT_NE(hashed, "query_user_data");
  for (const auto& t : s.tables) EXPECT_EQ(t.metric_name, t.tool_name) << t.name;

  SchemaSnapshot tenant = VisibleTo(s, "tenant_user", config::Settings{});
  EXPECT_EQ(ToolNames(tenant), (std::vector<std::string>{"query_user_data"}));
  const Table* table = tenant.FindTool("query_user_data");
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(table->name, "User-Data");
  EXPECT_EQ(table->metric_name, hashed);
  EXPECT_EQ(table->description.find(hashed), std::string::npos) << table->description;
  EXPECT_EQ(VisibleTo(s, "analyst", config::Settings{}).FindTool("query_user_data")->name, "user_data");
}

TEST(VisibleToTest, DescriptionsNameNoHiddenTableOrColumn) {
  SchemaSnapshot s = ExampleSnapshot();
  const Table& full_orders = s.tables[s.by_tool.at("query_orders")];
  ASSERT_NE(full_orders.description.find("payroll"), std::string::npos) << full_orders.description;
  SchemaSnapshot tenant = VisibleTo(s, "tenant_user", config::Settings{});
  for (const auto& t : tenant.tables) {
    EXPECT_EQ(t.description.find("payroll"), std::string::npos) << t.description;
    EXPECT_EQ(t.description.find("email"), std::string::npos) << t.description;
    EXPECT_EQ(t.description.find("salary"), std::string::npos) << t.description;
  }
  EXPECT_TRUE(tenant.warnings.empty());
}

}  // namespace
}  // namespace pgmcp::schema

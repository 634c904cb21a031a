// Which table privileges the audit counts as writes, per server version: PostgreSQL 17's MAINTAIN
// makes a role unsafe, and older servers, which reject the privilege's name, are never asked about it.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "security/audit.h"

namespace pgmcp::security {
namespace {

bool Lists(const std::vector<std::string>& privileges, const std::string& name) {
  return std::find(privileges.begin(), privileges.end(), name) != privileges.end();
}

TEST(TableWritePrivilegesTest, EveryServerIsAskedAboutTheWrites) {
  for (int version : {130000, 150004, 160000, 170000, 180001}) {
    auto privileges = TableWritePrivileges(version);
    for (const char* p : {"INSERT", "UPDATE", "DELETE", "TRUNCATE", "TRIGGER"}) {
      EXPECT_TRUE(Lists(privileges, p)) << p << " on " << version;
    }
  }
}

TEST(TableWritePrivilegesTest, MaintainCountsFromPostgres17On) {
  EXPECT_TRUE(Lists(TableWritePrivileges(170000), "MAINTAIN"));
  EXPECT_TRUE(Lists(TableWritePrivileges(170002), "MAINTAIN"));
  EXPECT_TRUE(Lists(TableWritePrivileges(180000), "MAINTAIN"));
}

TEST(TableWritePrivilegesTest, OlderServersAreNotAskedAboutMaintain) {
  // has_table_privilege(..., 'MAINTAIN') is an error before 17: asking would break the audit.
  EXPECT_FALSE(Lists(TableWritePrivileges(169999), "MAINTAIN"));
  EXPECT_FALSE(Lists(TableWritePrivileges(150004), "MAINTAIN"));
}

}  // namespace
}  // namespace pgmcp::security

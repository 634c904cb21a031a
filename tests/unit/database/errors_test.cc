// The SQLSTATE → ErrorKind mapping of database/errors.h, without a database.
#include "database/errors.h"

#include <gtest/gtest.h>

namespace pgmcp::database {
namespace {

TEST(ErrorFromSqlState, TransactionRollbackClassIsRetryNotBusy) {
  for (const char* state : {"40001", "40P01", "40000", "40003"}) {
    Error e = ErrorFromSqlState(state);
    EXPECT_EQ(e.kind, ErrorKind::kRetry) << state;
    EXPECT_EQ(e.code, state);
  }
}

TEST(ErrorFromSqlState, OtherClassesKeepTheirKinds) {
  EXPECT_EQ(ErrorFromSqlState("57014").kind, ErrorKind::kTimeout);
  EXPECT_EQ(ErrorFromSqlState("42501").kind, ErrorKind::kPermissionDenied);
  EXPECT_EQ(ErrorFromSqlState("22012").kind, ErrorKind::kInvalidArgument);
  EXPECT_EQ(ErrorFromSqlState("08006").kind, ErrorKind::kUnavailable);
  EXPECT_EQ(ErrorFromSqlState("53300").kind, ErrorKind::kUnavailable);
  EXPECT_EQ(ErrorFromSqlState("XX000").kind, ErrorKind::kInternal);
  EXPECT_EQ(ErrorFromSqlState("").kind, ErrorKind::kInternal);
}

}  // namespace
}  // namespace pgmcp::database

// The cost guard's refusal: estimated rows, grouped for reading, and the indexed columns to filter on.
#include "service/cost_refusal.h"

#include <gtest/gtest.h>

namespace pgmcp::service {
namespace {

TEST(CostRefusalTest, NamesTheRowsAndTheIndexedColumns) {
  schema::Table t;
  t.indexed_columns = {"id", "created_at"};
  EXPECT_EQ(CostRefusal(t, {98765.4, 1234567.6}),
            "This call was not run: the database estimates it would read about 1,234,568 rows, more work than "
            "this server allows for one call; narrow it with a filter on an indexed column (id, created_at).");
}

TEST(CostRefusalTest, WithoutIndexesItSaysHowElseToNarrow) {
  schema::Table t;
  EXPECT_EQ(CostRefusal(t, {5000, 999}),
            "This call was not run: the database estimates it would read about 999 rows, more work than this "
            "server allows for one call; add filters or a smaller limit to narrow it.");
}

}  // namespace
}  // namespace pgmcp::service

// Rows over a real PGresult: a row read whole (Rows::ReadRow, the result encoder's way) gives
// exactly what IsNull and Value give cell by cell: NULL apart from the empty string, multi-byte
// text byte for byte, and only the columns asked for.
#include "database/rows.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

#include "database/catalog_reader.h"
#include "support/test_database.h"

namespace pgmcp::database {
namespace {

Rows MustQuery(const testing::TestDatabase& db, const std::string& sql) {
  auto reader = ConnectCatalogReader(db.Dsn(), Clock::now() + std::chrono::seconds(10));
  if (!reader) throw std::runtime_error(reader.error().message);
  auto rows = (*reader)->Query(sql);
  if (!rows) throw std::runtime_error(rows.error().message);
  return std::move(rows.value());
}

TEST(RowsTest, ReadRowGivesWhatIsNullAndValueGive) {
  testing::TestDatabase db;
  const Rows rows = MustQuery(db,
                              "SELECT * FROM (VALUES (NULL::text, ''::text, 'Grüße, 世界 🎉'::text, 42::int4), "
                              "('', NULL, 'x', NULL)) v(a, b, c, d)");
  ASSERT_EQ(rows.row_count(), 2);
  ASSERT_EQ(rows.column_count(), 4);
  for (int i = 0; i < rows.row_count(); ++i) {
    std::vector<Cell> cells(4, Cell{"stale", false});
    rows.ReadRow(i, cells);
    for (int j = 0; j < 4; ++j) {
      EXPECT_EQ(cells[j].null, rows.IsNull(i, j)) << "row " << i << " column " << j;
      EXPECT_EQ(cells[j].text, rows.Value(i, j)) << "row " << i << " column " << j;
    }
  }
  std::vector<Cell> first(4);
  rows.ReadRow(0, first);
  EXPECT_TRUE(first[0].null);
  EXPECT_EQ(first[0].text, "");
  EXPECT_FALSE(first[1].null) << "the empty string is not NULL";
  EXPECT_EQ(first[1].text, "");
  EXPECT_EQ(first[2].text, "Grüße, 世界 🎉");
  EXPECT_EQ(first[2].text.size(), 20u) << "multi-byte text keeps its every byte";
  EXPECT_EQ(first[3].text, "42");
}

TEST(RowsTest, ReadRowFillsOnlyTheCellsAskedFor) {
  testing::TestDatabase db;
  const Rows rows = MustQuery(db, "SELECT 'a'::text AS a, 'b'::text AS b, 'c'::text AS c");
  std::vector<Cell> cells(3, Cell{"untouched", true});
  rows.ReadRow(0, std::span<Cell>(cells.data(), 2));
  EXPECT_EQ(cells[0].text, "a");
  EXPECT_EQ(cells[1].text, "b");
  EXPECT_FALSE(cells[1].null);
  EXPECT_EQ(cells[2].text, "untouched");
  EXPECT_TRUE(cells[2].null);
}

}  // namespace
}  // namespace pgmcp::database

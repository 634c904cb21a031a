// Fuzzes the tool-argument parser, the value parser and the SQL builder against the fixture
// schema of the query layer's golden tests (tests/unit/query/shop_fixture.h). The first byte picks
// the table (and the column for the value parser), the rest is the tools/call "arguments" JSON.
#include <boost/json/parse.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "fuzz/sql_invariants.h"
#include "query/query.h"
#include "query/value_parser.h"
#include "unit/query/shop_fixture.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pgmcp;
  static const schema::SchemaSnapshot snapshot = query::testing::FixtureSnapshot();
  static const query::QueryOptions options;
  if (size == 0) return 0;
  const schema::Table& table = snapshot.tables[data[0] % snapshot.tables.size()];
  boost::json::error_code ec;
  const boost::json::value arguments =
      boost::json::parse(std::string_view(reinterpret_cast<const char*>(data + 1), size - 1), ec);
  if (ec) return 0;

  const auto built = query::BuildQuery(snapshot, table, arguments, options);
  if (built.ok()) {
    fuzzing::CheckSql(built.value());
  } else {
    PGMCP_FUZZ_CHECK(built.error().kind == ErrorKind::kInvalidArgument, "bad arguments are kInvalidArgument");
    PGMCP_FUZZ_CHECK(!built.error().message.empty(), "an error says what is wrong");
  }

  const schema::Column& column = table.columns[(data[0] / snapshot.tables.size()) % table.columns.size()];
  const auto param = query::ValueToParam(column, arguments);
  if (param.ok()) fuzzing::CheckParam(param.value());
  if (arguments.is_string()) (void)query::CheckTextValue(column, arguments.get_string());
  return 0;
}

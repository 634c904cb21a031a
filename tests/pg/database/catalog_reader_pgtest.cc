// The blocking CatalogReader: rows read by column name and typed, errors without SQL, a connect
// that gives up at its deadline to the millisecond (libpq's own connect_timeout counts whole
// seconds, at least two), and queries that end at their statement_timeout.
#include "database/catalog_reader.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

#include "database/pg_handles.h"
#include "support/test_database.h"

namespace pgmcp::database {
namespace {

std::unique_ptr<CatalogReader> MustConnect(const std::string& dsn) {
  auto reader = ConnectCatalogReader(dsn, Clock::now() + std::chrono::seconds(10));
  if (!reader) throw std::runtime_error(reader.error().message);
  return std::move(reader.value());
}

TEST(CatalogReaderTest, ReadsColumnsByNameWithTypedGetters) {
  testing::TestDatabase db;
  auto reader = MustConnect(db.Dsn());
  auto rows = reader->Query(
      "SELECT * FROM (VALUES (1::int8, 'one', true, 1.5::float8, NULL::text), "
      "(9007199254740993, 'two', false, -2::float8, 'x')) v(n, word, flag, ratio, maybe) WHERE n >= $1::int8",
      {"0"});
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  ASSERT_EQ(rows->row_count(), 2);
  ASSERT_EQ(rows->column_count(), 5);
  EXPECT_EQ(rows->ColumnIndex("ratio"), 3);
  const Row first = (*rows)[0];
  EXPECT_EQ(first.Int64("n"), 1);
  EXPECT_EQ(first.Text("word"), "one");
  EXPECT_TRUE(first.Bool("flag"));
  EXPECT_DOUBLE_EQ(first.Double("ratio"), 1.5);
  EXPECT_TRUE(first.IsNull("maybe"));
  EXPECT_EQ(first.OptionalText("maybe"), std::nullopt);
  EXPECT_EQ(first.Text("maybe"), "");
  const Row second = (*rows)[1];
  EXPECT_EQ(second.Int64("n"), 9007199254740993);
  EXPECT_FALSE(second.Bool("flag"));
  EXPECT_EQ(second.OptionalText("maybe"), "x");
  EXPECT_THROW(second.Text("no_such_column"), std::out_of_range) << "a misspelt column is a bug, not a value";
  EXPECT_GE(reader->server_version(), 140000);
}

TEST(CatalogReaderTest, FailedQueryIsAnErrorWithoutSql) {
  testing::TestDatabase db;
  auto reader = MustConnect(db.Dsn());
  auto rows = reader->Query("SELECT no_such_column FROM pg_class");
  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.error().kind, ErrorKind::kInternal);
  EXPECT_EQ(rows.error().message.find("no_such_column"), std::string::npos);
  EXPECT_EQ(rows.error().code.substr(0, 5), "42703") << "the SQLSTATE is kept for the logs";
}

// A server that accepts TCP connections (the kernel does, from the listen backlog) and never
// answers: the connect must give up at the deadline, not at libpq's next whole second.
TEST(CatalogReaderTest, ConnectGivesUpAtItsMillisecondDeadline) {
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(listener, 8), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const std::string dsn = "host=127.0.0.1 port=" + std::to_string(ntohs(addr.sin_port)) +
                          " dbname=x user=x sslmode=disable connect_timeout=30";

  const auto start = Clock::now();
  auto reader = ConnectCatalogReader(dsn, start + std::chrono::milliseconds(300));
  const auto took = Clock::now() - start;
  ::close(listener);
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.error().kind, ErrorKind::kUnavailable);
  EXPECT_EQ(reader.error().message.rfind("cannot connect to the database: ", 0), 0u) << reader.error().message;
  EXPECT_GE(took, std::chrono::milliseconds(300));
  EXPECT_LT(took, std::chrono::milliseconds(1500)) << "gave up late";
}

// Found in review: catalog queries had no timeout, so a reload stuck on the database stopped
// every later reload and held shutdown. A query waiting on a lock now ends at the reader's
// statement_timeout, set for its own transaction only, and the connection serves on.
TEST(CatalogReaderTest, AQueryEndsAtItsStatementTimeoutAndTheConnectionServesOn) {
  testing::TestDatabase db;
  db.Exec("CREATE TABLE locked (id int)");
  PgConnPtr holder(PQconnectdb(db.Dsn().c_str()));
  ASSERT_EQ(PQstatus(holder.get()), CONNECTION_OK);
  PgResultPtr lock(PQexec(holder.get(), "BEGIN; LOCK TABLE locked IN ACCESS EXCLUSIVE MODE"));
  ASSERT_EQ(PQresultStatus(lock.get()), PGRES_COMMAND_OK) << PQerrorMessage(holder.get());

  auto reader = ConnectCatalogReader(db.Dsn(), Clock::now() + std::chrono::seconds(10), std::chrono::milliseconds(300));
  ASSERT_TRUE(reader.ok()) << reader.error().message;
  const auto start = Clock::now();
  auto rows = (*reader)->Query("SELECT count(*) AS n FROM locked");
  const auto took = Clock::now() - start;
  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.error().kind, ErrorKind::kTimeout);
  EXPECT_EQ(rows.error().message, "Reading the database catalog timed out.");
  EXPECT_EQ(rows.error().code.substr(0, 5), "57014");
  EXPECT_GE(took, std::chrono::milliseconds(300));
  EXPECT_LT(took, std::chrono::milliseconds(2000)) << "the server's timeout, not the client's grace";

  lock.reset(PQexec(holder.get(), "ROLLBACK"));
  auto next = (*reader)->Query("SELECT current_setting('statement_timeout') AS inside, count(*) AS n FROM locked");
  ASSERT_TRUE(next.ok()) << next.error().message;
  EXPECT_EQ((*next)[0].Text("inside"), "300ms");
}

TEST(CatalogReaderTest, RefusedConnectionNamesTheReasonOnOneLine) {
  auto reader = ConnectCatalogReader("host=127.0.0.1 port=1 dbname=x", Clock::now() + std::chrono::seconds(5));
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.error().kind, ErrorKind::kUnavailable);
  EXPECT_NE(reader.error().message.find("refused"), std::string::npos) << reader.error().message;
  EXPECT_EQ(reader.error().message.find('\n'), std::string::npos);
}

}  // namespace
}  // namespace pgmcp::database

#include "database/catalog_reader.h"

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "database/host_lookup.h"
#include "database/pg_handles.h"

namespace pgmcp::database {
namespace {

class PgCatalogReader final : public CatalogReader {
 public:
  explicit PgCatalogReader(PgConnPtr conn) : conn_(std::move(conn)) {}

  Result<Rows> Query(const std::string& sql, const std::vector<std::string>& params) override {
    if (PQstatus(conn_.get()) != CONNECTION_OK) {
      return MakeError(ErrorKind::kUnavailable, "The database connection is not available.");
    }
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) values.push_back(p.c_str());
    PgResultPtr result(PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                                    nullptr, nullptr, 0));
    const auto status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
    if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) return RowsFromResult(std::move(result));
    const char* state = result ? PQresultErrorField(result.get(), PG_DIAG_SQLSTATE) : nullptr;
    std::string code = std::string(state != nullptr ? state : "") + " " + ConnectionErrorText(conn_.get());
    ErrorKind kind = PQstatus(conn_.get()) == CONNECTION_OK ? ErrorKind::kInternal : ErrorKind::kUnavailable;
    return MakeError(kind, "Reading the database catalog failed.", code);
  }

  int server_version() const override { return PQserverVersion(conn_.get()); }

 private:
  PgConnPtr conn_;
};

Error CannotConnect(const std::string& reason) {
  return MakeError(ErrorKind::kUnavailable, "cannot connect to the database: " + reason);
}

// Waits until the socket is ready for what PQconnectPoll asked, or the deadline; true when ready.
Result<bool> WaitReady(int fd, PostgresPollingStatusType want, Deadline deadline) {
  while (true) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd, static_cast<short>(want == PGRES_POLLING_READING ? POLLIN : POLLOUT), 0};
    int n = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left, 60'000)));
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return CannotConnect(std::strerror(errno));
  }
}

}  // namespace

Result<std::unique_ptr<CatalogReader>> ConnectCatalogReader(const std::string& dsn, Deadline deadline) {
  // libpq's own connect_timeout counts whole seconds (and at least two); polling keeps the
  // deadline to the millisecond, the same way the event loop's Connection does. libpq resolves
  // host names here synchronously: this reader blocks anyway (start-up, or reloads on a worker
  // thread), never on the event loop, which resolves first (database/host_lookup.h).
  if (auto parses = CheckConnectionString(dsn); !parses) return parses.error();
  PgConnPtr conn = StartConnect(dsn);
  if (!conn || PQstatus(conn.get()) == CONNECTION_BAD) return CannotConnect(ConnectionErrorText(conn.get()));
  PostgresPollingStatusType state = PGRES_POLLING_WRITING;
  while (state != PGRES_POLLING_OK) {
    if (state == PGRES_POLLING_FAILED) return CannotConnect(ConnectionErrorText(conn.get()));
    // libpq may switch sockets between polls (multi-host DSNs, SSL retries): ask every time.
    int fd = PQsocket(conn.get());
    if (fd < 0) return CannotConnect(ConnectionErrorText(conn.get()));
    auto ready = WaitReady(fd, state, deadline);
    if (!ready) return ready.error();
    if (!*ready) return CannotConnect("timeout expired");
    state = PQconnectPoll(conn.get());
  }
  SilenceNotices(conn.get());
  return std::unique_ptr<CatalogReader>(std::make_unique<PgCatalogReader>(std::move(conn)));
}

}  // namespace pgmcp::database

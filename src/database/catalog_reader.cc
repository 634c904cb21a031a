#include "database/catalog_reader.h"

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "database/host_lookup.h"
#include "database/pg_handles.h"

namespace pgmcp::database {
namespace {

// Each query's statement_timeout, for its own transaction only (is_local): a pipeline's
// statements up to its Sync are one transaction, so nothing stays on the session, which a
// transaction-mode pooler would hand to other clients.
constexpr const char* kStatementTimeoutSql = "SELECT pg_catalog.set_config('statement_timeout', $1, true)";

// Waits until `fd` is ready for `events` or `deadline` passes; false at the deadline.
Result<bool> WaitSocket(int fd, short events, Deadline deadline) {
  while (true) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd, events, 0};
    int n = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left, 60'000)));
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return MakeError(ErrorKind::kUnavailable, std::strerror(errno));
  }
}

class PgCatalogReader final : public CatalogReader {
 public:
  PgCatalogReader(PgConnPtr conn, std::chrono::milliseconds statement_timeout)
      : conn_(std::move(conn)), statement_timeout_(statement_timeout) {}

  Result<Rows> Query(const std::string& sql, const std::vector<std::string>& params) override {
    if (broken_ || PQstatus(conn_.get()) != CONNECTION_OK) {
      return MakeError(ErrorKind::kUnavailable, "The database connection is not available.");
    }
    // The server ends the statement at statement_timeout; the client gives up kTimeoutGrace later
    // (a database that accepted the login and then never answers: a stalled network path).
    const Deadline deadline = Clock::now() + statement_timeout_ + kTimeoutGrace;
    if (auto sent = Send(sql, params, deadline); !sent) return sent.error();
    return Receive(deadline);
  }

  int server_version() const override { return PQserverVersion(conn_.get()); }

 private:
  // The statement_timeout, the query and a Sync: one pipeline, one transaction, one round trip.
  Status Send(const std::string& sql, const std::vector<std::string>& params, Deadline deadline) {
    PGconn* c = conn_.get();
    const std::string timeout = std::to_string(statement_timeout_.count());
    const char* timeout_value = timeout.c_str();
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) values.push_back(p.c_str());
    if (PQsendQueryParams(c, kStatementTimeoutSql, 1, nullptr, &timeout_value, nullptr, nullptr, 0) == 0 ||
        PQsendQueryParams(c, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr, nullptr,
                          0) == 0 ||
        PQpipelineSync(c) == 0) {
      return Broken(ConnectionErrorText(c));
    }
    // Non-blocking: PQflush answers 1 while output is still queued. The server may be waiting for
    // us to read meanwhile, so wait for either direction.
    for (int r = PQflush(c); r != 0; r = PQflush(c)) {
      if (r < 0) return Broken(ConnectionErrorText(c));
      if (auto st = Wait(POLLOUT | POLLIN, deadline); !st) return st;
      if (PQconsumeInput(c) == 0) return Broken(ConnectionErrorText(c));
    }
    return OkStatus();
  }

  // Reads every result up to the Sync's: one per statement, each followed by a null.
  Result<Rows> Receive(Deadline deadline) {
    PgResultPtr answer;
    PgResultPtr failure;
    size_t statement = 0;
    while (true) {
      auto next = NextResult(deadline);
      if (!next) return next.error();
      if (*next == nullptr) {  // the end of one statement's results
        if (PQstatus(conn_.get()) != CONNECTION_OK) {
          broken_ = true;
          return QueryFailed(failure.get());
        }
        if (++statement > 2) return Broken("the pipeline's answer ended early");
        continue;
      }
      const auto status = PQresultStatus(next->get());
      if (status == PGRES_PIPELINE_SYNC) break;
      if (status == PGRES_FATAL_ERROR && !failure) {
        failure = std::move(*next);
      } else if (statement == 1 && (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK)) {
        answer = std::move(*next);
      }
    }
    if (answer && !failure) return RowsFromResult(std::move(answer));
    return QueryFailed(failure.get());
  }

  Result<PgResultPtr> NextResult(Deadline deadline) {
    PGconn* c = conn_.get();
    while (PQisBusy(c) == 1) {
      if (auto st = Wait(POLLIN, deadline); !st) return st.error();
      if (PQconsumeInput(c) == 0) return Broken(ConnectionErrorText(c));
    }
    return PgResultPtr(PQgetResult(c));
  }

  Status Wait(short events, Deadline deadline) {
    auto ready = WaitSocket(PQsocket(conn_.get()), events, deadline);
    if (!ready) return Broken(ready.error().message);
    if (*ready) return OkStatus();
    // Mid-pipeline: the connection cannot serve another query. Nothing waits for the server (a
    // cancel request could block as long, database/cancel_sender.h): its statement_timeout, set
    // in the same transaction, ends the statement there.
    broken_ = true;
    return MakeError(ErrorKind::kTimeout, "Reading the database catalog timed out.",
                     "no answer within " + std::to_string((statement_timeout_ + kTimeoutGrace).count()) + " ms");
  }

  Error Broken(std::string reason) {
    broken_ = true;
    return MakeError(ErrorKind::kUnavailable, "Reading the database catalog failed.", std::move(reason));
  }

  Error QueryFailed(const PGresult* failure) {
    const char* state = failure != nullptr ? PQresultErrorField(failure, PG_DIAG_SQLSTATE) : nullptr;
    const std::string sqlstate = state != nullptr ? state : "";
    std::string code = sqlstate + " " + ConnectionErrorText(conn_.get());
    if (sqlstate == "57014") {  // query_canceled: the statement_timeout
      return MakeError(ErrorKind::kTimeout, "Reading the database catalog timed out.", std::move(code));
    }
    ErrorKind kind = PQstatus(conn_.get()) == CONNECTION_OK ? ErrorKind::kInternal : ErrorKind::kUnavailable;
    return MakeError(kind, "Reading the database catalog failed.", std::move(code));
  }

  PgConnPtr conn_;
  std::chrono::milliseconds statement_timeout_;
  bool broken_ = false;  // a query was given up mid-pipeline, or the connection failed
};

Error CannotConnect(const std::string& reason) {
  return MakeError(ErrorKind::kUnavailable, "cannot connect to the database: " + reason);
}

}  // namespace

Result<std::unique_ptr<CatalogReader>> ConnectCatalogReader(const std::string& dsn, Deadline deadline,
                                                            std::chrono::milliseconds statement_timeout) {
  // libpq's own connect_timeout counts whole seconds (and at least two); polling keeps the
  // deadline to the millisecond, the same way the event loop's Connection does. libpq resolves
  // host names here synchronously: this reader blocks anyway (start-up, or reloads on a worker
  // thread), never on the event loop, which resolves first (database/host_lookup.h).
  auto params = ConnectionParams(dsn);
  if (!params) return params.error();
  PgConnPtr conn = StartConnect(*params);
  if (!conn || PQstatus(conn.get()) == CONNECTION_BAD) return CannotConnect(ConnectionErrorText(conn.get()));
  PostgresPollingStatusType state = PGRES_POLLING_WRITING;
  while (state != PGRES_POLLING_OK) {
    if (state == PGRES_POLLING_FAILED) return CannotConnect(ConnectionErrorText(conn.get()));
    // libpq may switch sockets between polls (multi-host DSNs, SSL retries): ask every time.
    int fd = PQsocket(conn.get());
    if (fd < 0) return CannotConnect(ConnectionErrorText(conn.get()));
    auto ready = WaitSocket(fd, state == PGRES_POLLING_READING ? POLLIN : POLLOUT, deadline);
    if (!ready) return CannotConnect(ready.error().message);
    if (!*ready) return CannotConnect("timeout expired");
    state = PQconnectPoll(conn.get());
  }
  SilenceNotices(conn.get());
  // Non-blocking and in pipeline mode, so that no query waits past its deadline (Query).
  if (PQsetnonblocking(conn.get(), 1) != 0 || PQenterPipelineMode(conn.get()) != 1) {
    return CannotConnect(ConnectionErrorText(conn.get()));
  }
  return std::unique_ptr<CatalogReader>(std::make_unique<PgCatalogReader>(std::move(conn), statement_timeout));
}

}  // namespace pgmcp::database

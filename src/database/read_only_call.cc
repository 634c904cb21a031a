#include "database/read_only_call.h"

namespace pgmcp::database {
namespace asio = boost::asio;

namespace {
// How long past statement_timeout the client waits before it gives up on the server.
constexpr std::chrono::milliseconds kTimeoutGrace{2000};
}  // namespace

std::vector<Statement> EnvelopeStatements(const Envelope& e, Statement select) {
  std::vector<Statement> out;
  out.reserve(4);
  out.push_back(Statement{"BEGIN READ ONLY", {}});
  // Everything is transaction-scoped (is_local = true): nothing survives the COMMIT, so a pooled
  // connection carries no state to the next call, and PgBouncer transaction pooling stays safe.
  // search_path is pinned (docs/security.md, "Name resolution is pinned"): no operator, function
  // or type planted in another schema is visible to the call. pg_temp is listed last so that it
  // is not searched first implicitly; the set_config calls name their schema because they run
  // before the path is pinned.
  std::string set =
      "SELECT pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true), "
      "pg_catalog.set_config('request.jwt.claims', $1, true), pg_catalog.set_config('statement_timeout', $2, true), "
      "pg_catalog.set_config('TimeZone', $3, true), pg_catalog.set_config('DateStyle', 'ISO, YMD', true), "
      "pg_catalog.set_config('IntervalStyle', 'iso_8601', true), pg_catalog.set_config('extra_float_digits', '1', true)";
  std::vector<std::optional<std::string>> params = {e.claims_json, std::to_string(e.statement_timeout_ms), e.timezone};
  if (!e.role.empty()) {
    set += ", pg_catalog.set_config('role', $4, true)";
    params.emplace_back(e.role);
  }
  out.push_back(Statement{std::move(set), std::move(params)});
  out.push_back(std::move(select));
  out.push_back(Statement{"COMMIT", {}});
  return out;
}

asio::awaitable<Result<Rows>> RunReadOnly(Pool& pool, Envelope envelope, Statement select,
                                          Deadline acquire_deadline) {
  auto lease = co_await pool.Acquire(acquire_deadline);
  if (!lease) co_return lease.error();
  Lease conn = std::move(lease.value());
  auto deadline = Clock::now() + std::chrono::milliseconds(envelope.statement_timeout_ms) + kTimeoutGrace;
  // Named first: g++ 12 destroys temporaries of a co_await full-expression twice.
  const std::vector<Statement> statements = EnvelopeStatements(envelope, std::move(select));
  auto results = co_await conn->RunPipeline(statements, deadline);
  if (!results) {
    // A failed statement leaves the transaction aborted: roll back so the connection is idle again.
    if (conn->InTransaction()) {
      std::vector<Statement> rollback(1);
      rollback[0].sql = "ROLLBACK";
      auto rb = co_await conn->RunPipeline(rollback, Clock::now() + kTimeoutGrace);
      (void)rb;  // if even that fails, the Lease drops the connection
    }
    co_return results.error();
  }
  co_return std::move(results.value()[2]);
}

}  // namespace pgmcp::database

// The transaction envelope (docs/security.md, guarantee 2): one statement that makes the transaction
// read-only and sets role, claims, statement_timeout, search_path (pinned to pg_catalog) and the output
// formats with transaction scope; the one SELECT — pipelined in one round trip, one transaction that
// the pipeline's Sync ends.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>

#include "database/plan_estimate.h"
#include "database/pool.h"
#include "database/row_sink.h"

namespace pgmcp::database {

struct Envelope {
  std::string role;         // empty: stay the login role (stdio without anonymous_role)
  std::string claims_json;  // request.jwt.claims; empty string when there are none
  int64_t statement_timeout_ms = 5000;
  std::string timezone = "UTC";
};

// The statements sent for one call, in order (exposed for tests and the benchmark).
std::vector<Statement> EnvelopeStatements(const Envelope& envelope, Statement select);

// Runs `select` inside the envelope on a pooled connection and returns its result. The client-side
// deadline is the statement timeout plus a grace period; past it the server is told to cancel and
// the connection dropped. A connection goes back to the pool only when it is idle again.
// Errors: database/errors.h's mapping of the SQLSTATE, the Pool's kBusy/kUnavailable, kTimeout
// past the client-side deadline, kCancelled when the caller cancels this coroutine.
// (Arguments are by value: a coroutine must not hold references to its caller's temporaries.)
boost::asio::awaitable<Result<Rows>> RunReadOnly(Pool& pool, Envelope envelope, Statement select,
                                                 Deadline acquire_deadline);

// The call of a query tool: as RunReadOnly, but the rows go to `sink` one at a time as they
// arrive, so that no more than one row is held (docs/security.md, "Bounded memory"); once the
// sink wants no more, the rest are read and dropped and the transaction still commits.
// With the cost guard on (docs/reference.md, limits.max_plan_cost, `max_cost` > 0), `select` is
// planned first inside the same envelope (EXPLAIN (FORMAT JSON) with the same role, claims,
// settings and parameters, so row-level security and the parameter values shape the estimate)
// and runs only when the estimated total cost is at most `max_cost`; otherwise the transaction
// rolls back and `ran` is false. Two round trips instead of one; `max_cost` <= 0 is one.
// Errors as RunReadOnly. `sink` must outlive the call.
struct GuardedRun {
  bool ran = false;   // false: refused without running, `plan` is over the limit
  PlanEstimate plan;  // set when the guard is on
};
boost::asio::awaitable<Result<GuardedRun>> RunReadOnlyWithinCost(Pool& pool, Envelope envelope, Statement select,
                                                                 double max_cost, RowSink& sink,
                                                                 Deadline acquire_deadline);

// The plan of `select` in the envelope, as the text of EXPLAIN (FORMAT JSON); nothing else runs
// and the transaction rolls back (`pgmcp call --explain`).
boost::asio::awaitable<Result<std::string>> ExplainReadOnly(Pool& pool, Envelope envelope, Statement select,
                                                            Deadline acquire_deadline);

}  // namespace pgmcp::database

// The transaction envelope (docs/security.md, guarantee 2): BEGIN READ ONLY; role, claims, statement_timeout,
// search_path (pinned to pg_catalog) and session formats set with transaction scope; the one SELECT;
// COMMIT — pipelined in one round trip.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>

#include "database/plan_estimate.h"
#include "database/pool.h"

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

// The cost guard (docs/reference.md, limits.max_plan_cost): plans `select` first inside the same
// envelope (EXPLAIN (FORMAT JSON) with the same role, claims, settings and parameters, so
// row-level security and the parameter values shape the estimate), then runs it only when the
// estimated total cost is at most `max_cost`; otherwise rolls back and returns the estimate.
// Two round trips instead of one; `max_cost` <= 0 is RunReadOnly (one). Errors as RunReadOnly.
struct GuardedRows {
  std::optional<Rows> rows;  // empty: refused without running, `plan` is over the limit
  PlanEstimate plan;
};
boost::asio::awaitable<Result<GuardedRows>> RunReadOnlyWithinCost(Pool& pool, Envelope envelope, Statement select,
                                                                  double max_cost, Deadline acquire_deadline);

// The plan of `select` in the envelope, as the text of EXPLAIN (FORMAT JSON); nothing else runs
// and the transaction rolls back (`pgmcp call --explain`).
boost::asio::awaitable<Result<std::string>> ExplainReadOnly(Pool& pool, Envelope envelope, Statement select,
                                                            Deadline acquire_deadline);

}  // namespace pgmcp::database

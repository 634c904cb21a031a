// Helpers of the service layer's database tests: the demo database loaded once per test suite,
// a ToolService on a real pool driven by an io_context, and timed tool calls through the whole
// pipeline (query builder → pipelined read-only envelope → result encoder).
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "database/pool.h"
#include "logging/log.h"
#include "service/startup.h"
#include "service/tool_service.h"
#include "support/run_to_completion.h"
#include "support/test_database.h"

namespace pgmcp::service::testing {

namespace asio = boost::asio;
namespace json = boost::json;

// The demo database (examples/demo.sql) plus `extra_sql`, run as the superuser. Loading the demo
// takes seconds, so a suite whose tests only read shares one, made by its first test (not in
// SetUpTestSuite: a failure there shows up in ctest as skipped tests, not failed ones).
inline std::unique_ptr<pgmcp::testing::TestDatabase> MakeDemoDatabase(const std::string& extra_sql = "") {
  auto db = std::make_unique<pgmcp::testing::TestDatabase>();
  // The demo is a psql script: its meta-commands (\set ON_ERROR_STOP on) are psql's, not SQL;
  // Exec stops at the first error anyway.
  std::ifstream in(std::string(PGMCP_SOURCE_DIR) + "/examples/demo.sql");
  if (!in) throw std::runtime_error("cannot open examples/demo.sql");
  std::string sql, line;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] == '\\') continue;
    sql += line;
    sql += '\n';
  }
  db->Exec(sql);
  if (!extra_sql.empty()) db->Exec(extra_sql);
  return db;
}

// Settings of a server logging in as the demo's read-only role mcp_reader.
inline config::Settings ReaderSettings(const pgmcp::testing::TestDatabase& db) {
  config::Settings s;
  s.dsn = db.DsnFor("mcp_reader");
  s.pool.min = 0;
  s.pool.max = 2;
  return s;
}

struct TimedOutcome {
  protocol::ToolOutcome outcome;
  std::chrono::steady_clock::duration elapsed{};
};

struct ToolCall {
  std::string tool;
  json::value arguments;
};

// A ToolService over a real pool, as `pgmcp serve` builds it, minus the transport.
class ServiceHarness {
 public:
  explicit ServiceHarness(config::Settings settings)
      : settings_(std::make_shared<const config::Settings>(std::move(settings))) {
    auto snapshot = LoadSchema(*settings_);
    if (!snapshot) throw std::runtime_error("LoadSchema: " + snapshot.error().message);
    pool_ = database::Pool::Create(io_.get_executor(), PoolOptionsFrom(*settings_));
    service_ = std::make_unique<ToolService>(settings_, pool_);
    service_->Publish(std::move(snapshot.value()));
  }
  ~ServiceHarness() {
    pool_->Close();
    io_.restart();
    io_.run();
  }

  const config::Settings& settings() const { return *settings_; }
  ToolService& service() { return *service_; }
  database::Pool& pool() { return *pool_; }

  template <typename T>
  T Run(asio::awaitable<T> a) {
    return pgmcp::testing::RunToCompletion(io_, std::move(a));
  }

  TimedOutcome Call(std::string tool, json::value arguments, protocol::CallContext context = {}) {
    std::vector<ToolCall> one{{std::move(tool), std::move(arguments)}};
    return CallAll(std::move(one), std::move(context)).front();
  }

  // One call after the other (as one session's calls are), each timed on its own.
  std::vector<TimedOutcome> CallAll(std::vector<ToolCall> calls, protocol::CallContext context = {}) {
    return Run([](ToolService& svc, std::vector<ToolCall> todo,
                  protocol::CallContext ctx) -> asio::awaitable<std::vector<TimedOutcome>> {
      std::vector<TimedOutcome> out;
      out.reserve(todo.size());
      for (auto& call : todo) {
        const auto start = std::chrono::steady_clock::now();
        // Named first: g++ 12 destroys temporaries of a co_await full-expression twice.
        auto op = svc.CallTool(call.tool, call.arguments, ctx);
        auto result = co_await std::move(op);
        // A refused call (unknown tool) is judged like an isError result here.
        protocol::ToolOutcome outcome = result ? std::move(*result) : protocol::ToolOutcome{true, result.error().message, {}};
        out.push_back({std::move(outcome), std::chrono::steady_clock::now() - start});
      }
      co_return out;
    }(*service_, std::move(calls), std::move(context)));
  }

 private:
  std::shared_ptr<const config::Settings> settings_;
  asio::io_context io_;
  std::shared_ptr<database::Pool> pool_;
  std::unique_ptr<ToolService> service_;
};

// What a pooled connection carries between calls, read outside any envelope (no BEGIN, no
// set_config of ours), so it shows the session state the next call would start from.
struct PooledState {
  int backend_pid = 0;
  bool idle = false;              // no transaction open, protocol in sync, when leased
  std::string current_user;
  std::string session_user;
  std::string claims;             // request.jwt.claims; "" when unset or empty
  std::string statement_timeout;        // current value, in ms (pg_settings.setting)
  std::string statement_timeout_reset;  // the session's value before any SET (pg_settings.reset_val)
  std::string timezone;
  std::string timezone_reset;
  std::string transaction_read_only;  // default_transaction_read_only is not ours to set
};

// Leases every idle connection of the pool at once (so each is seen once) and reads its state.
inline asio::awaitable<std::vector<PooledState>> InspectIdle(database::Pool& p) {
  std::vector<database::Lease> leases;
  const int idle = p.stats().idle;
  for (int i = 0; i < idle; ++i) {
    auto lease = co_await p.Acquire(database::Clock::now() + std::chrono::seconds(5));
    if (!lease) break;
    leases.push_back(std::move(lease.value()));
  }
  std::vector<database::Statement> probe(1);
  probe[0].sql =
      "SELECT pg_backend_pid() AS pid, current_user AS current_user, session_user AS session_user, "
      "coalesce(current_setting('request.jwt.claims', true), '') AS claims, "
      "(SELECT setting FROM pg_settings WHERE name = 'statement_timeout') AS statement_timeout, "
      "(SELECT reset_val FROM pg_settings WHERE name = 'statement_timeout') AS statement_timeout_reset, "
      "current_setting('TimeZone') AS timezone, "
      "(SELECT reset_val FROM pg_settings WHERE name = 'TimeZone') AS timezone_reset, "
      "current_setting('transaction_read_only') AS transaction_read_only";
  std::vector<PooledState> out;
  for (auto& lease : leases) {
    PooledState st;
    st.idle = lease->IsIdle();
    auto op = lease->RunPipeline(probe, database::Clock::now() + std::chrono::seconds(5));
    auto r = co_await std::move(op);
    if (!r) {
      ADD_FAILURE() << "probe failed: " << r.error().message;
      continue;
    }
    const database::Row row = r.value()[0][0];
    st.backend_pid = static_cast<int>(row.Int64("pid"));
    st.current_user = row.Text("current_user");
    st.session_user = row.Text("session_user");
    st.claims = row.Text("claims");
    st.statement_timeout = row.Text("statement_timeout");
    st.statement_timeout_reset = row.Text("statement_timeout_reset");
    st.timezone = row.Text("timezone");
    st.timezone_reset = row.Text("timezone_reset");
    st.transaction_read_only = row.Text("transaction_read_only");
    out.push_back(std::move(st));
  }
  co_return out;
}

inline std::vector<PooledState> InspectIdleConnections(ServiceHarness& harness) {
  return harness.Run(InspectIdle(harness.pool()));
}

// The structuredContent of a successful call, parsed (fails the test when it is not JSON).
inline json::object Structured(const TimedOutcome& call) {
  EXPECT_FALSE(call.outcome.is_error) << call.outcome.text;
  boost::system::error_code ec;
  auto v = json::parse(call.outcome.structured_json, ec);
  EXPECT_FALSE(ec) << "structuredContent is not JSON: " << call.outcome.structured_json.substr(0, 200);
  if (ec || !v.is_object()) return {};
  return v.as_object();
}

}  // namespace pgmcp::service::testing

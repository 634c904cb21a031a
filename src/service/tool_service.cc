#include "service/tool_service.h"

#include "database/read_only_call.h"
#include "logging/log.h"
#include "service/untrusted_data.h"

namespace pgmcp::service {
namespace asio = boost::asio;
namespace json = boost::json;

query::QueryOptions QueryOptionsFrom(const config::Settings& settings) {
  query::QueryOptions o;
  o.limits = settings.limits;
  o.text_search_config = settings.query.text_search_config;
  o.sanitize = settings.security.sanitize_text;
  return o;
}

ToolService::ToolService(std::shared_ptr<const config::Settings> settings, std::shared_ptr<database::Pool> pool)
    : settings_(std::move(settings)), pool_(std::move(pool)), query_options_(QueryOptionsFrom(*settings_)) {}

void ToolService::Publish(schema::SnapshotPtr snapshot) {
  auto published = std::make_shared<Published>();
  published->catalog = std::make_shared<const catalog::ToolCatalog>(catalog::BuildToolCatalog(*snapshot, query_options_));
  published->schema = std::move(snapshot);
  std::lock_guard<std::mutex> lock(mu_);
  current_ = std::move(published);
}

std::shared_ptr<const Published> ToolService::current() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_;
}

std::shared_ptr<const std::string> ToolService::ToolsList() const { return current()->catalog->tools_list; }

bool ToolService::HasTool(std::string_view name) const { return current()->schema->FindTool(name) != nullptr; }

std::shared_ptr<const std::string> ToolService::ResourcesList() const { return current()->catalog->resources_list; }

std::optional<std::string> ToolService::ReadResource(std::string_view uri) const {
  return current()->catalog->ReadResource(uri);
}

asio::awaitable<protocol::ToolOutcome> ToolService::CallTool(std::string name, json::value arguments,
                                                            protocol::CallContext context) {
  auto started = database::Clock::now();
  auto published = current();  // this call runs against one snapshot, whatever reloads meanwhile
  protocol::ToolOutcome outcome;
  json::object log{{"tool", name}, {"session", context.session_id}, {"sub", context.subject},
                   {"role", context.role}};
  int64_t rows = 0;
  std::string status = "ok";
  std::string error;

  const schema::Table* table = published->schema->FindTool(name);
  if (table == nullptr) {
    outcome = {true, "Unknown tool '" + name + "': the schema changed; list the tools again.", {}};
    status = "invalid";
  } else {
    log["table"] = table->QualifiedName();
    auto built = query::BuildQuery(*table, arguments, query_options_);
    if (!built) {
      outcome = {true, built.error().message, {}};
      status = "invalid";
    } else {
      database::Envelope envelope;
      envelope.role = context.role;
      envelope.claims_json = context.claims_json;
      envelope.statement_timeout_ms = settings_->limits.statement_timeout_ms;
      envelope.timezone = settings_->query.timezone;
      // Built as a named awaitable first: g++ 12 destroys temporaries inside a co_await
      // full-expression twice, so no argument with a destructor is created inside one.
      auto run = database::RunReadOnly(*pool_, envelope, database::Statement{built->sql, built->params},
                                       started + std::chrono::milliseconds(settings_->pool.acquire_timeout_ms));
      auto result = co_await std::move(run);
      if (!result) {
        outcome = {true, result.error().message, {}};
        status = result.error().kind == ErrorKind::kBusy      ? "busy"
                 : result.error().kind == ErrorKind::kTimeout ? "timeout"
                                                              : "error";
        error = result.error().code;
      } else {
        auto encoded = query::EncodeRows(result->get(), *built, query_options_);
        rows = encoded.row_count;
        outcome.text = WrapUntrustedData(encoded.json, NewNonce());
        outcome.structured_json = std::move(encoded.json);
      }
    }
  }
  if (outcome.is_error && error.empty()) error = outcome.text;
  log["duration_ms"] =
      std::chrono::duration<double, std::milli>(database::Clock::now() - started).count();
  log["rows"] = rows;
  log["status"] = status;
  log["error"] = error;
  logging::Info("tool_call", std::move(log));
  co_return outcome;
}

}  // namespace pgmcp::service

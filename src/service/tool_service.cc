#include "service/tool_service.h"

#include "common/error_kinds.h"
#include "common/random.h"
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
  o.structured_content = settings.query.structured_content;
  return o;
}

namespace {
int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

ToolService::ToolService(config::SettingsSourcePtr settings, std::shared_ptr<database::Pool> pool,
                         std::shared_ptr<metrics::Metrics> metrics)
    : settings_(std::move(settings)), pool_(std::move(pool)), metrics_(std::move(metrics)), last_check_ms_(NowMs()) {}

ToolService::ToolService(std::shared_ptr<const config::Settings> settings, std::shared_ptr<database::Pool> pool,
                         std::shared_ptr<metrics::Metrics> metrics)
    : ToolService(std::make_shared<config::SettingsSource>(std::move(settings)), std::move(pool), std::move(metrics)) {}

bool ToolService::Publish(schema::SnapshotPtr snapshot, std::shared_ptr<const config::Settings> built_with) {
  if (!built_with) built_with = settings_->current();
  auto published = std::make_shared<Published>();
  published->built_with = built_with;
  published->catalog =
      std::make_shared<const catalog::ToolCatalog>(catalog::BuildToolCatalog(*snapshot, QueryOptionsFrom(*built_with)));
  published->schema = std::move(snapshot);
  last_check_ms_ = NowMs();
  std::lock_guard<std::mutex> lock(mu_);
  bool changed = !current_ || *current_->catalog->tools_list != *published->catalog->tools_list ||
                 *current_->catalog->resources_list != *published->catalog->resources_list;
  if (metrics_) {
    for (const auto& table : published->schema->tables) metrics_->DeclareTool(table.tool_name);
  }
  current_ = std::move(published);
  return changed;
}

void ToolService::CheckStaleness() const {
  if (!on_stale_) return;
  int64_t ttl_ms = settings_->current()->schema.cache_ttl_seconds * 1000;
  int64_t now = NowMs(), last = last_check_ms_.load();
  // Only the request that moves the clock forward triggers the check; the others go on.
  if (ttl_ms > 0 && now - last >= ttl_ms && last_check_ms_.compare_exchange_strong(last, now)) on_stale_();
}

std::shared_ptr<const Published> ToolService::current() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_;
}

std::shared_ptr<const std::string> ToolService::ToolsList(std::string_view cursor) const {
  CheckStaleness();
  return current()->catalog->ToolsPage(cursor);
}

bool ToolService::HasTool(std::string_view name) const { return current()->schema->FindTool(name) != nullptr; }

std::shared_ptr<const std::string> ToolService::ResourcesList() const { return current()->catalog->resources_list; }

std::optional<std::string> ToolService::ReadResource(std::string_view uri) const {
  return current()->catalog->ReadResource(uri);
}

asio::awaitable<Result<protocol::ToolOutcome>> ToolService::CallTool(std::string name, json::value arguments,
                                                            protocol::CallContext context) {
  auto started = database::Clock::now();
  CheckStaleness();
  // This call runs against one snapshot and one settings value, whatever reloads meanwhile.
  auto published = current();
  auto current_settings = settings_->current();
  const config::Settings& settings = *current_settings;
  const query::QueryOptions query_options = QueryOptionsFrom(settings);
  protocol::ToolOutcome outcome;
  json::object log{{"tool", name}, {"session", context.session_id}, {"sub", context.subject},
                   {"role", context.role}};
  int64_t rows = 0;
  std::string status = "ok";
  std::string error;

  const schema::Table* table = published->schema->FindTool(name);
  std::optional<Error> refused;  // answered as a JSON-RPC error, not as a result
  if (table == nullptr) {
    refused = protocol::UnknownTool(name);
    status = Describe(refused->kind).metric_status;
    error = refused->message;
  } else {
    log["table"] = table->QualifiedName();
    auto built = query::BuildQuery(*table, arguments, query_options);
    if (!built) {
      outcome = {true, built.error().message, {}};
      status = Describe(built.error().kind).metric_status;
    } else {
      database::Envelope envelope;
      envelope.role = context.role;
      envelope.claims_json = context.claims_json;
      envelope.statement_timeout_ms = settings.limits.statement_timeout_ms;
      envelope.timezone = settings.query.timezone;
      // Built as a named awaitable first: g++ 12 destroys temporaries inside a co_await
      // full-expression twice, so no argument with a destructor is created inside one.
      auto run = database::RunReadOnly(*pool_, envelope, database::Statement{built->sql, built->params},
                                       started + std::chrono::milliseconds(settings.pool.acquire_timeout_ms));
      auto result = co_await std::move(run);
      if (!result) {
        outcome = {true, std::string(ClientSentence(result.error())), {}};
        status = Describe(result.error().kind).metric_status;
        error = result.error().code;
      } else if (auto nonce = RandomHex128(); !nonce) {
        outcome = {true, std::string(ClientSentence(nonce.error())), {}};
        status = Describe(nonce.error().kind).metric_status;
        error = nonce.error().code;
      } else {
        auto encoded = query::EncodeRows(*result, *built, query_options);
        rows = encoded.row_count;
        outcome.text = WrapUntrustedData(encoded.json, *nonce);
        // Off for clients that would show structuredContent to the model outside the fence (docs/reference.md).
        if (query_options.structured_content) outcome.structured_json = std::move(encoded.json);
      }
    }
  }
  if (outcome.is_error && error.empty()) error = outcome.text;
  auto elapsed = std::chrono::duration<double>(database::Clock::now() - started).count();
  if (metrics_) metrics_->RecordToolCall(table != nullptr ? std::string_view(name) : "_unknown", status, elapsed, rows);
  log["duration_ms"] = elapsed * 1000.0;
  log["rows"] = rows;
  log["status"] = status;
  log["error"] = error;
  logging::Info("tool_call", std::move(log));
  if (refused) co_return std::move(*refused);
  co_return outcome;
}

}  // namespace pgmcp::service

#include "service/tool_service.h"

#include <boost/json/parse.hpp>

#include "common/error_kinds.h"
#include "common/random.h"
#include "database/read_only_call.h"
#include "catalog/discovery_tools.h"
#include "logging/log.h"
#include "protocol/errors.h"
#include "query/result_encoder.h"
#include "service/cost_refusal.h"
#include "service/discovery_calls.h"
#include "service/untrusted_data.h"

namespace pgmcp::service {
namespace asio = boost::asio;
namespace json = boost::json;

namespace {
int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
// One call's transaction settings (docs/security.md, guarantee 2).
database::Envelope EnvelopeFor(const config::Settings& settings, const protocol::CallContext& context) {
  database::Envelope envelope;
  envelope.role = context.role;
  envelope.claims_json = context.claims_json;
  envelope.statement_timeout_ms = settings.limits.statement_timeout_ms;
  envelope.timezone = settings.query.timezone;
  return envelope;
}

}  // namespace

ToolService::ToolService(config::SettingsSourcePtr settings, std::shared_ptr<database::Pool> pool,
                         std::shared_ptr<metrics::Metrics> metrics)
    : settings_(std::move(settings)), pool_(std::move(pool)), metrics_(std::move(metrics)), last_check_ms_(NowMs()) {}

ToolService::ToolService(std::shared_ptr<const config::Settings> settings, std::shared_ptr<database::Pool> pool,
                         std::shared_ptr<metrics::Metrics> metrics)
    : ToolService(std::make_shared<config::SettingsSource>(std::move(settings)), std::move(pool), std::move(metrics)) {}

ListChange ToolService::Publish(schema::SnapshotPtr snapshot, std::shared_ptr<const config::Settings> built_with) {
  if (!built_with) built_with = settings_->current();
  return Publish(RoleViews::Build(std::move(snapshot), std::move(built_with)));
}

ListChange ToolService::Publish(std::shared_ptr<const RoleViews> views) {
  last_check_ms_ = NowMs();
  if (metrics_) {
    for (const auto& tool : views->all()->catalog->tools) metrics_->DeclareTool(tool.at("name").as_string());
  }
  std::lock_guard<std::mutex> lock(mu_);
  ListChange change{current_, views};
  current_ = std::move(views);
  return change;
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
  return current_ ? current_->all() : nullptr;
}

std::shared_ptr<const Published> ToolService::ViewFor(const protocol::CallContext& context) const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_->For(context.role);
}

std::shared_ptr<const std::string> ToolService::ToolsList(std::string_view cursor,
                                                          const protocol::CallContext& context) const {
  CheckStaleness();
  return ViewFor(context)->catalog->ToolsPage(cursor);
}

bool ToolService::HasTool(std::string_view name) const { return current()->catalog->HasTool(name); }

std::shared_ptr<const std::string> ToolService::ResourcesList(const protocol::CallContext& context) const {
  return ViewFor(context)->catalog->resources_list;
}

std::optional<std::string> ToolService::ReadResource(std::string_view uri, const protocol::CallContext& context) const {
  return ViewFor(context)->catalog->ReadResource(uri);
}

asio::awaitable<Result<protocol::ToolOutcome>> ToolService::CallTool(std::string name, json::value arguments,
                                                            protocol::CallContext context) {
  auto started = database::Clock::now();
  CheckStaleness();
  // This call runs against one snapshot and one settings value, whatever reloads meanwhile; the
  // snapshot is the caller's view, so a table or column it may not read answers like one that
  // does not exist.
  auto published = ViewFor(context);
  auto current_settings = settings_->current();
  const config::Settings& settings = *current_settings;
  const query::QueryOptions query_options = QueryOptionsFrom(settings);
  protocol::ToolOutcome outcome;
  // The log line's members are written in this order at the end: tool, session, sub, role, then
  // table and plan_cost when known, then the outcome.
  std::optional<std::string> table_name;
  std::optional<double> plan_cost;
  int64_t rows = 0;
  std::string status = "ok";
  std::string error;

  const schema::SchemaSnapshot& snapshot = *published->schema;
  const catalog::ToolCatalog& tools = *published->catalog;
  // Set when the call queries a table: its own tool, or query_table naming it.
  const schema::Table* table = nullptr;
  std::optional<Error> refused;  // answered as a JSON-RPC error, not as a result
  auto refuse_call = [&](const Error& e) {
    outcome = {true, std::string(ClientSentence(e)), {}};
    status = Describe(e.kind).metric_status;
  };
  if (roles_unsafe_) {
    // Checked before the tool name, so that no call at all reaches the database meanwhile.
    outcome = {true, std::string(kRolesUnsafeSentence), {}};
    status = Describe(ErrorKind::kSecurity).metric_status;
    error = "roles_unsafe";
  } else if (!tools.HasTool(name)) {
    refused = protocol::UnknownTool(name);
    status = Describe(refused->kind).metric_status;
    error = refused->message;
  } else if (tools.discovery && name == catalog::kFindTables) {
    auto found = FindTables(*tools.directory, arguments);
    auto nonce = RandomHex128();
    if (!found) {
      refuse_call(found.error());
    } else if (!nonce) {
      refuse_call(nonce.error());
      error = nonce.error().code;
    } else {
      outcome.text = WrapUntrustedData(*found, *nonce);
      if (query_options.structured_content) outcome.structured_json = std::move(*found);
    }
  } else if (tools.discovery && name == catalog::kDescribeTable) {
    auto described = DescribeTable(snapshot, tools, arguments, query_options);
    if (!described) {
      refuse_call(described.error());
    } else {
      table_name = described->table->QualifiedName();
      outcome.text = std::move(described->text);
      if (query_options.structured_content) outcome.structured_json = std::move(described->structured_json);
    }
  } else if (tools.discovery && name == catalog::kQueryTable) {  // else a table named "table"
    auto call = ResolveQueryTable(snapshot, tools, std::move(arguments));
    if (!call) {
      refuse_call(call.error());
    } else {
      table = call->table;
      arguments = std::move(call->arguments);
    }
  } else {
    table = snapshot.FindTool(name);
  }
  if (table != nullptr) {
    table_name = table->QualifiedName();
    auto built = query::BuildQuery(*published->schema, *table, arguments, query_options, published->sql_shapes.get());
    if (!built) {
      refuse_call(built.error());
    } else {
      const database::Envelope envelope = EnvelopeFor(settings, context);
      // Built as a named awaitable first: g++ 12 destroys temporaries inside a co_await
      // full-expression twice, so no argument with a destructor is created inside one.
      // The rows are encoded as they arrive: the call holds the capped result and one row.
      // The encoder reads only the columns and the limit: the SQL and its values move to the database.
      query::ResultEncoder encoder(*built, query_options);
      auto run = database::RunReadOnlyWithinCost(*pool_, envelope,
                                                 database::Statement{std::move(built->sql), std::move(built->params)},
                                                 static_cast<double>(settings.limits.max_plan_cost), encoder,
                                                 started + std::chrono::milliseconds(settings.pool.acquire_timeout_ms));
      auto result = co_await std::move(run);
      if (!result) {
        refuse_call(result.error());
        error = result.error().code;
      } else if (!result->ran) {  // the cost guard refused it unrun
        outcome = {true, CostRefusal(*table, result->plan), {}};
        status = Describe(ErrorKind::kInvalidArgument).metric_status;
        error = "plan_cost";
        plan_cost = result->plan.total_cost;
      } else if (auto nonce = RandomHex128(); !nonce) {
        refuse_call(nonce.error());
        error = nonce.error().code;
      } else {
        auto encoded = encoder.Finish();
        rows = encoded.row_count;
        outcome.text = WrapUntrustedData(encoded.json, *nonce);
        // Off for clients that would show structuredContent to the model outside the fence (docs/reference.md).
        if (query_options.structured_content) outcome.structured_json = std::move(encoded.json);
      }
    }
  }
  if (outcome.is_error && error.empty()) error = outcome.text;
  auto elapsed = std::chrono::duration<double>(database::Clock::now() - started).count();
  if (metrics_) {
    // A table's tool is labelled by its full snapshot's name, whatever this caller's view calls it.
    const std::string_view label = refused                                     ? std::string_view("_unknown")
                                   : table != nullptr && table->tool_name == name ? std::string_view(table->metric_name)
                                                                                  : std::string_view(name);
    metrics_->RecordToolCall(label, status, elapsed, rows);
  }
  // A name that is no tool is cut as its echo in the refusal is: a request may hold a megabyte.
  std::string cut_name;
  std::string_view logged_name = name;
  if (name.size() > 64) logged_name = cut_name = protocol::Echo(name);
  logging::Fields log;
  log.Add("tool", logged_name).Add("session", context.session_id).Add("sub", context.subject).Add("role", context.role);
  if (table_name) log.Add("table", *table_name);
  if (plan_cost) log.Add("plan_cost", *plan_cost);
  log.Add("duration_ms", elapsed * 1000.0).Add("rows", rows).Add("status", status).Add("error", error);
  logging::Log(logging::LogLevel::kInfo, "tool_call", log);
  if (refused) co_return std::move(*refused);
  co_return outcome;
}

asio::awaitable<Result<json::value>> ToolService::ExplainCall(std::string name, json::value arguments,
                                                           protocol::CallContext context) {
  auto published = ViewFor(context);
  auto current_settings = settings_->current();
  if (!published->catalog->HasTool(name)) co_return protocol::UnknownTool(name);
  const schema::Table* table = published->schema->FindTool(name);
  if (published->catalog->discovery && name == catalog::kQueryTable) {
    auto call = ResolveQueryTable(*published->schema, *published->catalog, std::move(arguments));
    if (!call) co_return call.error();
    table = call->table;
    arguments = std::move(call->arguments);
  }
  if (table == nullptr) co_return MakeError(ErrorKind::kInvalidArgument, "Only a query tool's call can be explained.");
  auto built = query::BuildQuery(*published->schema, *table, arguments, QueryOptionsFrom(*current_settings));
  if (!built) co_return built.error();
  const auto acquire_deadline =
      database::Clock::now() + std::chrono::milliseconds(current_settings->pool.acquire_timeout_ms);
  auto run = database::ExplainReadOnly(*pool_, EnvelopeFor(*current_settings, context),
                                       database::Statement{built->sql, built->params}, acquire_deadline);
  auto plan = co_await std::move(run);
  if (!plan) co_return plan.error();
  json::array params;
  for (const auto& p : built->params) params.emplace_back(p ? json::value(*p) : json::value(nullptr));
  boost::system::error_code ec;
  json::value parsed = json::parse(*plan, ec);
  if (ec) co_return MakeError(ErrorKind::kInternal, "The database's query plan could not be read.");
  co_return json::value{{"sql", built->sql}, {"params", std::move(params)}, {"plan", std::move(parsed)}};
}

}  // namespace pgmcp::service

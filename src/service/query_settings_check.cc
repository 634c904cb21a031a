#include "service/query_settings_check.h"

#include "database/read_only_call.h"

namespace pgmcp::service {
namespace {

// One statement judges both: set_config refuses an unknown time zone with 22023, and the cast an
// unknown text search configuration with 42704. It changes nothing past its own transaction.
constexpr const char* kProbe =
    "SELECT pg_catalog.set_config('TimeZone', $1, true), $2::pg_catalog.regconfig::pg_catalog.text";

// `code` starts with the SQLSTATE (the catalog reader follows it with libpq's text).
Status Verdict(const Error& error, const config::Settings& settings) {
  const std::string_view state = std::string_view(error.code).substr(0, 5);
  if (state == "22023") {
    return MakeError(ErrorKind::kConfig, "config key 'query.timezone': the database knows no time zone '" +
                                             settings.query.timezone + "'");
  }
  if (state == "42704") {
    return MakeError(ErrorKind::kConfig,
                     "config key 'query.text_search_config': the database has no text search configuration '" +
                         settings.query.text_search_config + "'");
  }
  return error;
}

}  // namespace

Status CheckQuerySettings(database::CatalogReader& reader, const config::Settings& settings) {
  auto rows = reader.Query(kProbe, {settings.query.timezone, settings.query.text_search_config});
  if (!rows) return Verdict(rows.error(), settings);
  return OkStatus();
}

boost::asio::awaitable<Status> CheckQuerySettings(database::Pool& pool, config::Settings settings) {
  database::Envelope envelope;  // the login role: the settings are what is judged, not a caller
  envelope.statement_timeout_ms = settings.limits.statement_timeout_ms;
  envelope.timezone = settings.query.timezone;
  auto run = database::RunReadOnly(
      pool, envelope, database::Statement{kProbe, {settings.query.timezone, settings.query.text_search_config}},
      database::Clock::now() + std::chrono::milliseconds(settings.pool.acquire_timeout_ms));
  auto rows = co_await std::move(run);
  if (!rows) co_return Verdict(rows.error(), settings);
  co_return OkStatus();
}

}  // namespace pgmcp::service

#include "database/pg_handles.h"

#include <cstdlib>
#include <string_view>
#include <vector>

#include "database/errors.h"
#include "logging/log.h"

namespace pgmcp::database {

void PgResultDeleter::operator()(PGresult* r) const { PQclear(r); }
void PgConnDeleter::operator()(PGconn* c) const { PQfinish(c); }
void PgCancelDeleter::operator()(PGcancel* c) const { PQfreeCancel(c); }

namespace {

class PgRows final : public RowSource {
 public:
  explicit PgRows(PgResultPtr result) : result_(std::move(result)) {}
  int row_count() const override { return PQntuples(result_.get()); }
  int column_count() const override { return PQnfields(result_.get()); }
  std::string_view column_name(int column) const override { return PQfname(result_.get(), column); }
  bool IsNull(int row, int column) const override { return PQgetisnull(result_.get(), row, column) == 1; }
  std::string_view Value(int row, int column) const override {
    return {PQgetvalue(result_.get(), row, column), static_cast<size_t>(PQgetlength(result_.get(), row, column))};
  }
  void ReadRow(int row, std::span<Cell> cells) const override {
    const PGresult* result = result_.get();
    for (size_t j = 0; j < cells.size(); ++j) {
      const int column = static_cast<int>(j);
      const int length = PQgetlength(result, row, column);
      // Only an empty value can be NULL (libpq gives NULL a length of 0): one call fewer for the others.
      const bool null = length == 0 && PQgetisnull(result, row, column) == 1;
      cells[j] = null ? Cell{{}, true} : Cell{{PQgetvalue(result, row, column), static_cast<size_t>(length)}, false};
    }
  }

 private:
  PgResultPtr result_;
};

}  // namespace

Rows RowsFromResult(PgResultPtr result) {
  if (!result) return Rows();
  return Rows(std::make_unique<PgRows>(std::move(result)));
}

namespace {

// TCP keepalives sooner than the kernel's two hours (docs/decisions.md, "TCP keepalives after a
// minute"): a firewall or NAT that drops flows idle for a few minutes keeps an idle connection's
// flow alive, and a peer gone without a word is found in about two minutes. Ignored on Unix sockets.
constexpr std::pair<const char*, const char*> kDefaultParams[] = {
    {"keepalives_idle", "60"}, {"keepalives_interval", "10"}, {"keepalives_count", "6"}};

// Whether the connection takes settings from a service file (a `service` key, in an expanded
// dbname too, or PGSERVICE). libpq fills in only the keys not given from it, so a default given
// here would beat the service file's own value.
bool NamesAService(const ConnectParams& params, bool expand_dbname) {
  if (const char* env = std::getenv("PGSERVICE"); env != nullptr && *env != '\0') return true;
  for (const auto& [key, value] : params) {
    if (key == "service" && !value.empty()) return true;
    if (!expand_dbname || key != "dbname") continue;
    char* error = nullptr;
    PQconninfoOption* parsed = PQconninfoParse(value.c_str(), &error);
    PQfreemem(error);
    if (parsed == nullptr) continue;  // a bare database name
    bool service = false;
    for (auto* o = parsed; o->keyword != nullptr; ++o) {
      if (std::string_view(o->keyword) == "service" && o->val != nullptr && *o->val != '\0') service = true;
    }
    PQconninfoFree(parsed);
    if (service) return true;
  }
  return false;
}

// Every key the caller sets wins over the defaults (given first: libpq keeps the last value of a
// key, and an expanded dbname's values override the keys before it) and over the fallback
// application name. With a service file there are no defaults: its values must win too.
PgConnPtr StartConnectWith(ConnectParams params, bool expand_dbname) {
  std::vector<const char*> keys, values;
  if (!NamesAService(params, expand_dbname)) {
    for (const auto& [key, value] : kDefaultParams) {
      keys.push_back(key);
      values.push_back(value);
    }
  }
  params.emplace_back("fallback_application_name", "pgmcp");
  for (const auto& [key, value] : params) {
    keys.push_back(key.c_str());
    values.push_back(value.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  return PgConnPtr(PQconnectStartParams(keys.data(), values.data(), expand_dbname ? 1 : 0));
}

}  // namespace

PgConnPtr StartConnect(const std::string& dsn) {
  // expand_dbname: `dsn` may be a full connection string or URI.
  return StartConnectWith({{"dbname", dsn}}, /*expand_dbname=*/true);
}

PgConnPtr StartConnect(const ConnectParams& params) { return StartConnectWith(params, /*expand_dbname=*/false); }

std::string ConnectionErrorText(const PGconn* conn) {
  std::string reason = conn != nullptr ? PQerrorMessage(conn) : "out of memory";
  std::string folded;
  for (char c : reason) {
    bool space = c == '\n' || c == '\t' || c == ' ';
    if (space && (folded.empty() || folded.back() == ' ')) continue;
    folded.push_back(space ? ' ' : c);
  }
  while (!folded.empty() && folded.back() == ' ') folded.pop_back();
  return folded;
}

void SilenceNotices(PGconn* conn) {
  // libpq prints server NOTICEs to stderr by default, which would break the JSON-lines log (a
  // `search` of stop words alone raises one). They say nothing an operator needs: debug only.
  PQsetNoticeProcessor(
      conn,
      [](void*, const char* message) {
        std::string text = message != nullptr ? message : "";
        while (!text.empty() && text.back() == '\n') text.pop_back();
        logging::Debug("db_notice", {{"message", text}});
      },
      nullptr);
}

Error ErrorFromResult(const PGresult* result) {
  const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
  logging::Debug("db_error",
                 {{"sqlstate", state != nullptr ? state : ""}, {"message", primary != nullptr ? primary : ""}});
  return ErrorFromSqlState(state != nullptr ? state : "");
}

}  // namespace pgmcp::database

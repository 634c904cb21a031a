#include "database/pg_handles.h"

#include <algorithm>
#include <cstdlib>
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

// Whether the connection takes settings from a service file (a `service` key, or PGSERVICE).
// libpq fills in only the keys not given from it, so a default given here would beat the service
// file's own value.
bool NamesAService(const ConnectParams& params) {
  if (const char* env = std::getenv("PGSERVICE"); env != nullptr && *env != '\0') return true;
  return std::any_of(params.begin(), params.end(),
                     [](const auto& p) { return p.first == "service" && !p.second.empty(); });
}

}  // namespace

// Every key the caller sets wins over the defaults (given first: libpq keeps the last value of a
// key) and over the fallback application name. With a service file there are no defaults: its
// values must win too.
PgConnPtr StartConnect(const ConnectParams& params) {
  std::vector<const char*> keys, values;
  if (!NamesAService(params)) {
    for (const auto& [key, value] : kDefaultParams) {
      keys.push_back(key);
      values.push_back(value);
    }
  }
  for (const auto& [key, value] : params) {
    keys.push_back(key.c_str());
    values.push_back(value.c_str());
  }
  keys.push_back("fallback_application_name");
  values.push_back("pgmcp");
  keys.push_back(nullptr);
  values.push_back(nullptr);
  return PgConnPtr(PQconnectStartParams(keys.data(), values.data(), /*expand_dbname=*/0));
}

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

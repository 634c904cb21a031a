// RAII owners for libpq handles and the Statement value every query is sent as.
// Statements always go through the extended query protocol (one statement per message).
#pragma once

#include <libpq-fe.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pgmcp::database {

struct PgResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResultPtr = std::unique_ptr<PGresult, PgResultDeleter>;

struct Statement {
  std::string sql;
  std::vector<std::optional<std::string>> params;  // text format; nullopt is SQL NULL
};

}  // namespace pgmcp::database

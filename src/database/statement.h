// Statement: one SQL statement and its bind values, the unit every query is sent as.
// Statements always go through the extended query protocol (one statement per message).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace pgmcp::database {

struct Statement {
  std::string sql;
  std::vector<std::optional<std::string>> params;  // text format; nullopt is SQL NULL
  // false: sent unnamed even when the connection prepares statements (database/statement_cache.h),
  // for statements that must work whatever a pooler did with the named ones: the ROLLBACK after
  // a failure.
  bool named = true;
};

}  // namespace pgmcp::database

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
};

}  // namespace pgmcp::database

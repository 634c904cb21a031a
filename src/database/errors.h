// Maps PostgreSQL errors (SQLSTATE classes) to pgmcp's error kinds and plain client sentences.
// The server's own message is for logs only: it may name objects the caller cannot see.
#pragma once

#include <string_view>

#include "common/result.h"

namespace pgmcp::database {

// The Error for a statement that failed with `sqlstate` (five characters; empty when unknown):
// its kind and client sentence, the SQLSTATE as code. Class 40 (serialization failure, deadlock)
// is kRetry: the same call may well succeed when run again.
Error ErrorFromSqlState(std::string_view sqlstate);

}  // namespace pgmcp::database

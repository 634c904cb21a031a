// Maps PostgreSQL errors (SQLSTATE classes) to pgmcp's error kinds and plain client sentences.
// The server's own message is for logs only: it may name objects the caller cannot see.
#pragma once

#include <libpq-fe.h>

#include "common/result.h"

namespace pgmcp::database {

// The Error for a failed result: kind and sentence from the SQLSTATE, the SQLSTATE as code.
Error ErrorFromResult(const PGresult* result);

}  // namespace pgmcp::database

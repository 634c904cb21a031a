#include "database/prepared_statements.h"

#include "logging/log.h"

namespace pgmcp::database {

PreparedStatements::PreparedStatements(PreparedMode mode, size_t cache_size)
    : mode_(mode), cache_size_(cache_size), named_(mode != PreparedMode::kOff && cache_size > 0) {}

void PreparedStatements::Apply(Connection& conn) const {
  conn.UsePreparedStatements(named_ ? cache_size_ : 0, counts_);
}

bool IsPoolerStatementError(const Error& error) { return error.code == "26000" || error.code == "42P05"; }

bool PreparedStatements::FallBack(const Error& error, Connection& conn) {
  if (mode_ != PreparedMode::kAuto || conn.prepared_statements() == nullptr || !IsPoolerStatementError(error) ||
      !conn.IsIdle()) {
    return false;
  }
  if (named_) {
    named_ = false;
    logging::Warn("prepared_statements_off",
                  {{"reason", "a named prepared statement failed with SQLSTATE " + error.code +
                                  ", as behind a transaction-mode pooler; statements go unnamed from now on"}});
  }
  Apply(conn);
  return true;
}

}  // namespace pgmcp::database

// The RAII owners of libpq's handles, declared without libpq-fe.h, so that a database/ header
// may hold one (Connection does) without exposing libpq to the layers that include it.
// Defined in pg_handles.cc; database/pg_handles.h adds the libpq-side helpers.
#pragma once

#include <memory>

// libpq's handle types (PGconn, PGresult and PGcancel are typedefs of these).
struct pg_conn;
struct pg_result;
struct pg_cancel;

namespace pgmcp::database {

struct PgResultDeleter {
  void operator()(pg_result* r) const;  // PQclear
};
using PgResultPtr = std::unique_ptr<pg_result, PgResultDeleter>;

struct PgConnDeleter {
  void operator()(pg_conn* c) const;  // PQfinish
};
using PgConnPtr = std::unique_ptr<pg_conn, PgConnDeleter>;

struct PgCancelDeleter {
  void operator()(pg_cancel* c) const;  // PQfreeCancel
};

}  // namespace pgmcp::database

// HostLookup: turns a DSN into the connection parameters libpq is given, with every host name
// already resolved off the event loop, so libpq never calls getaddrinfo on the loop's thread.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "database/deadline.h"

namespace pgmcp::database {

// libpq keyword/value pairs, in the order given to PQconnectStartParams (expand_dbname off).
using ConnectParams = std::vector<std::pair<std::string, std::string>>;

// Parses `dsn` (key=value string, URI, or a bare database name) and resolves each entry of its
// host list that libpq would look up by name (not a Unix-socket path, not an IP literal, no
// hostaddr of its own) with Asio's resolver, whose getaddrinfo runs on Asio's own thread. Each
// address becomes one host/hostaddr/port entry (host kept for TLS verification and messages), so
// libpq still tries the addresses in turn. Names that do not resolve are dropped from a list;
// when none is left: kUnavailable with libpq's own wording. kTimeout at `deadline`, kCancelled
// when the coroutine is cancelled; a DSN libpq cannot parse: CheckConnectionString's error.
// Host, hostaddr and port missing from the DSN come from the environment (PGHOST...) as in
// libpq. A DSN naming a `service` is passed on as it is (the service file is libpq's business).
// `first_host` rotates a host list (with its hostaddr and port lists) to start at entry
// first_host % n, so that successive connections start at successive hosts (the pool's spread).
// kConfig when libpq cannot parse `dsn`, with a fixed message: libpq's own quotes the text around
// the fault, and that can be the password (docs/operations.md: no line holds a DSN password).
Status CheckConnectionString(const std::string& dsn);

// The keyword/value pairs `dsn` itself gives, nothing looked up and no defaults added (libpq adds
// them as it connects, and looks host names up itself: for the blocking CatalogReader only).
// CheckConnectionString's error when libpq cannot parse `dsn`.
Result<ConnectParams> ConnectionParams(const std::string& dsn);

boost::asio::awaitable<Result<ConnectParams>> ResolveHostNames(std::string dsn, Deadline deadline,
                                                               size_t first_host = 0);

}  // namespace pgmcp::database

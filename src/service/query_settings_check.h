// query.timezone and query.text_search_config name things only the database knows: a time zone of
// its tz database, a text search configuration of its catalog. A typo would pass the config
// reader and then fail every call (or every search), so the database is asked where the settings
// take effect (docs/reference.md, Configuration): at start-up on the catalog connection, and
// before a SIGHUP applies new ones, on a pooled connection inside the call's own envelope.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "common/result.h"
#include "config/settings.h"
#include "database/catalog_reader.h"
#include "database/pool.h"

namespace pgmcp::service {

// kConfig naming the key the database refused; the reader's or pool's own error when the
// database could not be asked.
Status CheckQuerySettings(database::CatalogReader& reader, const config::Settings& settings);
boost::asio::awaitable<Status> CheckQuerySettings(database::Pool& pool, config::Settings settings);

}  // namespace pgmcp::service

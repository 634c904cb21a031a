// The HOST:PORT of --listen / `listen`, split once for the HTTP listener and the start-up checks.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace pgmcp {

struct ListenAddress {
  std::string host;  // without the brackets of an IPv6 literal ("[::1]:8808" -> "::1")
  std::string port;  // as written; "0" asks for a free port
};

// Splits at the last ':'; kConfig naming option '--listen' when there is none.
Result<ListenAddress> ParseListenAddress(std::string_view listen);

}  // namespace pgmcp

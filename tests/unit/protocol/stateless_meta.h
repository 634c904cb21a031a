// The `_meta` member a 2026-07-28 (stateless-era) client sends with every request, for tests
// that write request bodies by hand.
#pragma once

namespace pgmcp::protocol::testing {

constexpr const char* kStatelessMeta =
    R"("_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}})";

}  // namespace pgmcp::protocol::testing

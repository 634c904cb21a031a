// How many of the server's answers to the pipelines sent (each up to its Sync's ReadyForQuery)
// have already arrived whole on a connection's socket, looked at without consuming them
// (MSG_PEEK) before libpq reads any of them. It lets Connection::ReadUntilSync read small answers
// whole instead of row by row (docs/decisions.md, "Small answers are read whole"), the answers of
// every call of a shared round trip among them.
#pragma once

#include <cstddef>

namespace pgmcp::database {

// The most of the answers read whole: the wire bytes of everything up to the last whole answer's
// ReadyForQuery. The memory they take once parsed is a small multiple of this.
inline constexpr size_t kWholeAnswerBytes = 32 * 1024;

// How many whole answers (whole messages up to a ReadyForQuery, one after the other) the bytes
// waiting on `fd` (a plain, unencrypted PostgreSQL protocol stream, at a message boundary) hold
// within their first kWholeAnswerBytes. 0 when there is none, or the bytes cannot be read or are
// not the protocol.
size_t WholeAnswersArrived(int fd);

}  // namespace pgmcp::database

// Whether the server's whole answer to a pipeline has already arrived on a connection's socket,
// looked at without consuming it (MSG_PEEK) before libpq reads any of it. It lets
// Connection::ReadUntilSync read a small answer whole instead of row by row (docs/decisions.md,
// "Small answers are read whole").
#pragma once

#include <cstddef>

namespace pgmcp::database {

// The most of an answer read whole: the wire bytes of everything up to the pipeline's
// ReadyForQuery. The memory it takes once parsed is a small multiple of this.
inline constexpr size_t kWholeAnswerBytes = 32 * 1024;

// True when the bytes waiting on `fd` (a plain, unencrypted PostgreSQL protocol stream, at a
// message boundary) hold whole messages up to a ReadyForQuery within kWholeAnswerBytes.
// False when they do not, or cannot be read.
bool AnswerArrivedWhole(int fd);

}  // namespace pgmcp::database

#include "database/answer_peek.h"

#include <sys/socket.h>

#include <array>
#include <cstdint>

namespace pgmcp::database {

size_t WholeAnswersArrived(int fd) {
  std::array<unsigned char, kWholeAnswerBytes> bytes;
  const ssize_t got = ::recv(fd, bytes.data(), bytes.size(), MSG_PEEK | MSG_DONTWAIT);
  if (got <= 0) return 0;
  const size_t n = static_cast<size_t>(got);
  // Each backend message: a type byte, then its length (itself included) as a big-endian int32.
  size_t at = 0;
  size_t whole = 0;
  while (at + 5 <= n) {
    const uint32_t length = (uint32_t{bytes[at + 1]} << 24) | (uint32_t{bytes[at + 2]} << 16) |
                            (uint32_t{bytes[at + 3]} << 8) | uint32_t{bytes[at + 4]};
    if (length < 4) return 0;  // not the protocol: never read whole on a guess
    const size_t end = at + 1 + length;
    if (end > n) break;
    if (bytes[at] == 'Z') ++whole;  // ReadyForQuery: a Sync's answer, the last message of one answer
    at = end;
  }
  return whole;
}

}  // namespace pgmcp::database

// Where finished log lines go: straight to stderr with one write(2) each, or, on the event loop's
// thread while a LineBatch is alive, into a buffer written with one write(2) per turn of the loop.
// Thread-safe: every write to stderr holds one lock, so lines never interleave, however long.
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

namespace pgmcp::logging {

// Held lines past this many bytes are written at once rather than at the next flush.
inline constexpr size_t kMaxHeldLogBytes = 64 * 1024;

// Writes one finished line (its "\n" included): held when the calling thread is the one that made
// the live LineBatch, else written at once.
void WriteLine(std::string_view line);

// Writes every held line, in order, with one write(2). Does nothing on any thread but the batching
// one, or when nothing is held.
void FlushLines();

// While alive, lines logged on the thread that made it are held; the first line held after a flush
// calls `request_flush`, which must make FlushLines run on that thread soon (serve posts it to the
// event loop, so every line logged during one turn of the loop goes out in one write). Destruction
// writes what is held and sends lines straight out again. At most one at a time; logging knows no
// event loop (docs/architecture.md), hence the callback.
class LineBatch {
 public:
  explicit LineBatch(std::function<void()> request_flush);
  ~LineBatch();
  LineBatch(const LineBatch&) = delete;
  LineBatch& operator=(const LineBatch&) = delete;
};

}  // namespace pgmcp::logging

#include "logging/line_output.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

namespace pgmcp::logging {
namespace {

// Serialises every write to stderr: a write(2) larger than a pipe's buffer can be split, and
// another thread's line must not land between its parts.
std::mutex g_write_mutex;

// The batching thread (a default id when no LineBatch is alive). Read by every logging thread,
// written only by the batching thread itself, so only that thread ever sees its own id here.
std::atomic<std::thread::id> g_batching_thread{};

// The batching thread's own state: no other thread touches it.
struct Held {
  std::string text;
  std::function<void()> request_flush;
  bool flush_requested = false;
};
Held& TheHeld() {
  static Held* held = new Held();  // never destroyed: a line may be logged while the process exits
  return *held;
}

bool OnBatchingThread() {
  return g_batching_thread.load(std::memory_order_relaxed) == std::this_thread::get_id();
}

void WriteAll(std::string_view text) {
  std::lock_guard lock(g_write_mutex);
  const char* p = text.data();
  size_t left = text.size();
  while (left > 0) {
    const ssize_t n = ::write(STDERR_FILENO, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // stderr closed or full: the log is lost, never the server
    p += n;
    left -= static_cast<size_t>(n);
  }
}

void WriteHeld(Held& held) {
  if (held.text.empty()) return;
  WriteAll(held.text);
  held.text.clear();
}

}  // namespace

void WriteLine(std::string_view line) {
  if (!OnBatchingThread()) {
    WriteAll(line);
    return;
  }
  Held& held = TheHeld();
  held.text.append(line);
  if (held.text.size() >= kMaxHeldLogBytes) {
    WriteHeld(held);
    return;  // a flush, if requested, finds what was logged since
  }
  if (!held.flush_requested) {
    held.flush_requested = true;
    held.request_flush();
  }
}

void FlushLines() {
  if (!OnBatchingThread()) return;
  Held& held = TheHeld();
  held.flush_requested = false;
  WriteHeld(held);
}

LineBatch::LineBatch(std::function<void()> request_flush) {
  Held& held = TheHeld();
  held.request_flush = std::move(request_flush);
  held.flush_requested = false;
  held.text.reserve(4096);
  g_batching_thread.store(std::this_thread::get_id(), std::memory_order_relaxed);
}

LineBatch::~LineBatch() {
  Held& held = TheHeld();
  WriteHeld(held);
  g_batching_thread.store(std::thread::id{}, std::memory_order_relaxed);
  held.request_flush = nullptr;
  held.flush_requested = false;
  std::string().swap(held.text);
}

}  // namespace pgmcp::logging

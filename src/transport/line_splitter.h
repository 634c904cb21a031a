// LineSplitter: cuts a byte stream into newline-delimited messages, each at most a limit long.
// A line over the limit is skipped to its newline and reported once; a trailing "\r" is dropped,
// empty lines are ignored. Both ways the stdio transport reads (a thread or the event loop) use it.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace pgmcp::transport {

class LineSplitter {
 public:
  using OnLine = std::function<void(std::string line)>;
  using OnOversize = std::function<void(size_t limit)>;

  // Feeds the next bytes; calls on_line for each complete message and on_oversize for each line
  // that exceeded `limit` (as soon as it does, not at its newline).
  void Feed(std::string_view bytes, size_t limit, const OnLine& on_line, const OnOversize& on_oversize);
  // End of stream: a last line without a newline is still a message.
  void Finish(const OnLine& on_line);

 private:
  std::string line_;
  bool skipping_ = false;  // inside a line that exceeded the limit
};

}  // namespace pgmcp::transport

#include "transport/line_splitter.h"

namespace pgmcp::transport {

void LineSplitter::Feed(std::string_view bytes, size_t limit, const OnLine& on_line, const OnOversize& on_oversize) {
  size_t start = 0;
  for (size_t newline = bytes.find('\n'); newline != std::string_view::npos; newline = bytes.find('\n', start)) {
    if (!skipping_) {
      line_.append(bytes.substr(start, newline - start));
      if (!line_.empty() && line_.back() == '\r') line_.pop_back();
      if (line_.size() > limit) {
        on_oversize(limit);
      } else if (!line_.empty()) {
        on_line(std::move(line_));
      }
    }
    line_.clear();
    skipping_ = false;
    start = newline + 1;
  }
  if (skipping_) return;
  line_.append(bytes.substr(start));
  if (line_.size() > limit) {
    line_.clear();
    line_.shrink_to_fit();
    skipping_ = true;
    on_oversize(limit);
  }
}

void LineSplitter::Finish(const OnLine& on_line) {
  if (!skipping_ && !line_.empty()) on_line(std::move(line_));
  line_.clear();
  skipping_ = false;
}

}  // namespace pgmcp::transport

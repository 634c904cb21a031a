#include "common/listen_address.h"

namespace pgmcp {

Result<ListenAddress> ParseListenAddress(std::string_view listen) {
  size_t colon = listen.rfind(':');
  if (colon == std::string_view::npos) return MakeError(ErrorKind::kConfig, "option '--listen' expects HOST:PORT");
  ListenAddress out{std::string(listen.substr(0, colon)), std::string(listen.substr(colon + 1))};
  if (out.host.size() >= 2 && out.host.front() == '[' && out.host.back() == ']') {
    out.host = out.host.substr(1, out.host.size() - 2);
  }
  return out;
}

}  // namespace pgmcp

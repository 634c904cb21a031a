#include "http/request_checks.h"

#include <algorithm>
#include <cctype>

namespace pgmcp::http {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

bool OriginAllowed(std::string_view origin, bool has_origin, const std::vector<std::string>& allowed,
                   uint16_t own_port) {
  if (!has_origin) return true;
  std::string o = Lower(Trim(origin));
  if (own_port != 0) {
    std::string port = ":" + std::to_string(own_port);
    if (o == "http://localhost" + port || o == "http://127.0.0.1" + port || o == "http://[::1]" + port) return true;
  }
  return std::any_of(allowed.begin(), allowed.end(), [&](const std::string& a) { return Lower(a) == o; });
}

bool IsLoopbackHost(std::string_view host) {
  std::string h = Lower(host);
  return h == "localhost" || h == "::1" || h == "[::1]" || h.rfind("127.", 0) == 0;
}

bool HostAllowed(std::string_view host, bool listening_on_loopback) {
  if (!listening_on_loopback) return true;
  std::string h = Lower(Trim(host));
  if (h.empty()) return false;
  // Strip the port: "[::1]:8808" -> "[::1]", "localhost:8808" -> "localhost".
  if (h.front() == '[') {
    auto close = h.find(']');
    if (close == std::string::npos) return false;
    std::string rest = h.substr(close + 1);
    if (!rest.empty() && (rest[0] != ':' || !std::all_of(rest.begin() + 1, rest.end(), ::isdigit))) return false;
    h = h.substr(0, close + 1);
  } else if (auto colon = h.find(':'); colon != std::string::npos) {
    std::string port = h.substr(colon + 1);
    if (port.empty() || !std::all_of(port.begin(), port.end(), ::isdigit)) return false;
    h = h.substr(0, colon);
  }
  return h == "localhost" || h == "127.0.0.1" || h == "[::1]";
}

bool Accepts(std::string_view accept, std::string_view media_type) {
  accept = Trim(accept);
  if (accept.empty()) return true;
  std::string want = Lower(media_type);
  std::string family = want.substr(0, want.find('/')) + "/*";
  size_t start = 0;
  std::string a = Lower(accept);
  while (start <= a.size()) {
    size_t comma = a.find(',', start);
    if (comma == std::string::npos) comma = a.size();
    std::string_view item = Trim(std::string_view(a).substr(start, comma - start));
    item = Trim(item.substr(0, item.find(';')));
    if (item == want || item == family || item == "*/*") return true;
    start = comma + 1;
  }
  return false;
}

std::string MediaType(std::string_view content_type) {
  return Lower(Trim(content_type.substr(0, content_type.find(';'))));
}

}  // namespace pgmcp::http

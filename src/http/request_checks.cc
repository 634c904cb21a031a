#include "http/request_checks.h"

#include <algorithm>
#include <boost/beast/core/string.hpp>
#include <cctype>

namespace pgmcp::http {
namespace beast = boost::beast;
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

bool HostAllowed(std::string_view host, bool listening_on_loopback) {
  if (!listening_on_loopback) return true;
  std::string_view h = Trim(host);  // a view, not a lower-cased copy: this runs on every request
  if (h.empty()) return false;
  auto digits = [](std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](unsigned char c) { return c >= '0' && c <= '9'; });
  };
  // Strip the port: "[::1]:8808" -> "[::1]", "localhost:8808" -> "localhost".
  if (h.front() == '[') {
    auto close = h.find(']');
    if (close == std::string_view::npos) return false;
    std::string_view rest = h.substr(close + 1);
    if (!rest.empty() && (rest[0] != ':' || !digits(rest.substr(1)))) return false;
    h = h.substr(0, close + 1);
  } else if (auto colon = h.find(':'); colon != std::string_view::npos) {
    std::string_view port = h.substr(colon + 1);
    if (port.empty() || !digits(port)) return false;
    h = h.substr(0, colon);
  }
  return beast::iequals(h, "localhost") || h == "127.0.0.1" || h == "[::1]";
}

bool Accepts(std::string_view accept, std::string_view media_type) {
  accept = Trim(accept);
  if (accept.empty()) return true;
  const std::string_view family = media_type.substr(0, media_type.find('/'));  // the range is family + "/*"
  size_t start = 0;
  while (start <= accept.size()) {
    size_t comma = accept.find(',', start);
    if (comma == std::string_view::npos) comma = accept.size();
    std::string_view item = Trim(accept.substr(start, comma - start));
    item = Trim(item.substr(0, item.find(';')));
    if (beast::iequals(item, media_type) || item == "*/*") return true;
    if (item.size() == family.size() + 2 && item.substr(family.size()) == "/*" &&
        beast::iequals(item.substr(0, family.size()), family)) {
      return true;
    }
    start = comma + 1;
  }
  return false;
}

bool HasMediaType(std::string_view content_type, std::string_view media_type) {
  return beast::iequals(Trim(content_type.substr(0, content_type.find(';'))), media_type);
}

}  // namespace pgmcp::http

#include "query/json_text.h"

#include <boost/json/value.hpp>
#include <cmath>
#include <cstdint>

#include "common/utf8.h"

namespace pgmcp::query {

std::string QuoteForMessage(std::string_view text) {
  constexpr size_t kMaxCodePoints = 40;
  const size_t cut = Utf8PrefixBytes(text, kMaxCodePoints);
  std::string out;
  std::string_view shown = text.substr(0, cut);
  if (!IsValidUtf8(shown)) {
    out = "\"(not valid UTF-8)\"";
    return out;
  }
  AppendJsonString(shown, out);
  if (cut < text.size()) out.insert(out.size() - 1, "…");
  return out;
}

bool AsInteger(const boost::json::value& v, int64_t& out) {
  if (v.is_int64()) {
    out = v.get_int64();
    return true;
  }
  if (v.is_uint64()) {
    if (v.get_uint64() > static_cast<uint64_t>(INT64_MAX)) return false;
    out = static_cast<int64_t>(v.get_uint64());
    return true;
  }
  if (v.is_double()) {
    const double d = v.get_double();
    if (!(std::fabs(d) <= 9007199254740992.0) || std::trunc(d) != d) return false;
    out = static_cast<int64_t>(d);
    return true;
  }
  return false;
}

}  // namespace pgmcp::query

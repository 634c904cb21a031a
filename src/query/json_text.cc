#include "query/json_text.h"

#include <array>
#include <boost/json/value.hpp>
#include <cmath>
#include <cstdint>

#include "common/utf8.h"

namespace pgmcp::query {
namespace {

// Which bytes need escaping in a JSON string: 0 = copy, 1 = short escape, 2 = \u00XX.
constexpr std::array<uint8_t, 256> MakeEscapeTable() {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = 2;
  t['\n'] = t['\t'] = t['\r'] = t['\b'] = t['\f'] = 1;
  t['"'] = t['\\'] = 1;
  return t;
}
constexpr auto kEscape = MakeEscapeTable();
constexpr char kHex[] = "0123456789abcdef";

}  // namespace

void AppendJsonString(std::string_view text, std::string& out) {
  out.push_back('"');
  size_t run_start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    const uint8_t kind = kEscape[c];
    if (kind == 0) continue;
    out.append(text.data() + run_start, i - run_start);
    run_start = i + 1;
    if (kind == 2) {
      out.append("\\u00");
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
      continue;
    }
    out.push_back('\\');
    switch (c) {
      case '\n': out.push_back('n'); break;
      case '\t': out.push_back('t'); break;
      case '\r': out.push_back('r'); break;
      case '\b': out.push_back('b'); break;
      case '\f': out.push_back('f'); break;
      default: out.push_back(static_cast<char>(c)); break;
    }
  }
  out.append(text.data() + run_start, text.size() - run_start);
  out.push_back('"');
}

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

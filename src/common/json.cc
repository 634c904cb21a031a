#include "common/json.h"

#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>
#include <cmath>

namespace pgmcp {
namespace {

// Boost.JSON reads a number beyond a double's range (1e999) as infinity and would write it back
// as `Infinity`, which is not JSON: such a number is refused where it comes in. Recursion is
// bounded by the parser's max_depth.
bool AllNumbersFinite(const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::double_:
      return std::isfinite(v.get_double());
    case boost::json::kind::array:
      for (const auto& element : v.get_array()) {
        if (!AllNumbersFinite(element)) return false;
      }
      return true;
    case boost::json::kind::object:
      for (const auto& member : v.get_object()) {
        if (!AllNumbersFinite(member.value())) return false;
      }
      return true;
    default:
      return true;
  }
}

}  // namespace

Result<boost::json::value> ParseJson(std::string_view text, size_t max_depth) {
  boost::json::parse_options opt;
  opt.max_depth = max_depth;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec, {}, opt);
  if (ec) {
    if (ec == boost::json::error::too_deep) {
      return MakeError(ErrorKind::kInvalidArgument,
                       "JSON nesting is deeper than " + std::to_string(max_depth) + " levels.");
    }
    return MakeError(ErrorKind::kInvalidArgument, "Malformed JSON: " + ec.message() + ".");
  }
  if (!AllNumbersFinite(v)) return MakeError(ErrorKind::kInvalidArgument, "Malformed JSON: a number is out of range.");
  return v;
}

const boost::json::value* Member(const boost::json::value& v, std::string_view key) {
  const auto* obj = v.if_object();
  return obj == nullptr ? nullptr : obj->if_contains(key);
}

}  // namespace pgmcp

#include "common/json.h"

#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>

namespace pgmcp {

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
  return v;
}

const boost::json::value* Member(const boost::json::value& v, std::string_view key) {
  const auto* obj = v.if_object();
  return obj == nullptr ? nullptr : obj->if_contains(key);
}

}  // namespace pgmcp

#include "catalog/pretty_json.h"

#include <boost/json/serialize.hpp>

namespace pgmcp::catalog {
namespace {

void Write(const boost::json::value& v, int indent, std::string& out) {
  auto newline = [&](int level) {
    out.push_back('\n');
    out.append(static_cast<size_t>(level) * 2, ' ');
  };
  if (v.is_object()) {
    const auto& o = v.get_object();
    if (o.empty()) {
      out += "{}";
      return;
    }
    out.push_back('{');
    bool first = true;
    for (const auto& member : o) {
      if (!first) out.push_back(',');
      first = false;
      newline(indent + 1);
      out += boost::json::serialize(boost::json::value(member.key()));
      out += ": ";
      Write(member.value(), indent + 1, out);
    }
    newline(indent);
    out.push_back('}');
  } else if (v.is_array()) {
    const auto& a = v.get_array();
    if (a.empty()) {
      out += "[]";
      return;
    }
    out.push_back('[');
    bool first = true;
    for (const auto& element : a) {
      if (!first) out.push_back(',');
      first = false;
      newline(indent + 1);
      Write(element, indent + 1, out);
    }
    newline(indent);
    out.push_back(']');
  } else {
    out += boost::json::serialize(v);
  }
}

}  // namespace

std::string PrettyJson(const boost::json::value& value) {
  std::string out;
  Write(value, 0, out);
  out.push_back('\n');
  return out;
}

}  // namespace pgmcp::catalog

#include "catalog/pretty_json.h"

#include <boost/json/serialize.hpp>

namespace pgmcp::catalog {
namespace {

void Newline(int level, std::string& out) {
  out.push_back('\n');
  out.append(static_cast<size_t>(level) * 2, ' ');
}

// `open`, each item on a line of its own one level deeper, `close` on the container's level;
// "{}" or "[]" when there are none.
template <typename Items, typename WriteItem>
void WriteContainer(const Items& items, char open, char close, int indent, std::string& out, WriteItem write_item) {
  out.push_back(open);
  if (items.empty()) {
    out.push_back(close);
    return;
  }
  bool first = true;
  for (const auto& item : items) {
    if (!first) out.push_back(',');
    first = false;
    Newline(indent + 1, out);
    write_item(item);
  }
  Newline(indent, out);
  out.push_back(close);
}

void Write(const boost::json::value& v, int indent, std::string& out) {
  if (v.is_object()) {
    WriteContainer(v.get_object(), '{', '}', indent, out, [&](const boost::json::key_value_pair& member) {
      out += boost::json::serialize(boost::json::value(member.key()));
      out += ": ";
      Write(member.value(), indent + 1, out);
    });
  } else if (v.is_array()) {
    WriteContainer(v.get_array(), '[', ']', indent, out,
                   [&](const boost::json::value& element) { Write(element, indent + 1, out); });
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

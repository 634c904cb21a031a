#include "protocol/eras.h"

#include <boost/json/serialize.hpp>

#include "protocol/session.h"

namespace pgmcp::protocol {
namespace json = boost::json;

json::array SupportedVersions() {
  return json::array{kStatelessVersion, "2025-11-25", "2025-06-18", "2025-03-26"};
}


std::optional<std::string> StatelessClaim(const json::value& params) {
  const json::object* p = params.if_object();
  const json::value* meta = p != nullptr ? p->if_contains("_meta") : nullptr;
  const json::value* version = meta != nullptr && meta->is_object() ? meta->get_object().if_contains(kMetaProtocolVersion)
                                                                    : nullptr;
  if (version == nullptr) return std::nullopt;
  return version->is_string() ? std::string(version->get_string()) : std::string();
}

std::string WithStatelessFields(std::string_view result_object, bool cacheable, std::string_view server_version) {
  json::object info{{"name", "pgmcp"}, {"version", server_version}};
  std::string fields = R"("resultType":"complete","_meta":{")";
  fields += kMetaServerInfo;
  fields += "\":" + json::serialize(info) + "}";
  if (cacheable) fields += R"(,"ttlMs":)" + std::to_string(kListTtlMs) + R"(,"cacheScope":"private")";
  // result_object is "{...}": splice the fields in after the brace.
  std::string out = "{" + fields;
  std::string_view rest = result_object.substr(1);
  size_t first = rest.find_first_not_of(" \n\t\r");
  if (first != std::string_view::npos && rest[first] != '}') out += ",";
  out.append(rest);
  return out;
}

}  // namespace pgmcp::protocol

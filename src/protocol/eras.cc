#include "protocol/eras.h"

#include <boost/json/serialize.hpp>

#include "common/json_string.h"
#include "protocol/jsonrpc.h"

namespace pgmcp::protocol {
namespace json = boost::json;

namespace {

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

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
  // Written as text into one buffer sized for the result: this wraps every stateless reply.
  std::string out;
  out.reserve(result_object.size() + server_version.size() + 160);
  AppendStatelessFields(out, cacheable, server_version);
  // result_object is "{...}": splice the fields in after the brace.
  std::string_view rest = result_object.substr(1);
  size_t first = rest.find_first_not_of(" \n\t\r");
  if (first != std::string_view::npos && rest[first] != '}') out += ",";
  out.append(rest);
  return out;
}

void AppendStatelessFields(std::string& out, bool cacheable, std::string_view server_version) {
  out += R"({"resultType":"complete","_meta":{")";
  out += kMetaServerInfo;
  out += R"(":{"name":"pgmcp","version":)";
  pgmcp::AppendJsonString(server_version, out);
  out += "}}";
  if (cacheable) {
    out += R"(,"ttlMs":)";
    out += std::to_string(kListTtlMs);
    out += R"(,"cacheScope":"private")";
  }
}

std::optional<std::string> DecodeHeaderValue(std::string_view value) {
  value = TrimOws(value);
  constexpr std::string_view kPrefix = "=?base64?", kSuffix = "?=";
  if (value.size() < kPrefix.size() + kSuffix.size() || value.substr(0, kPrefix.size()) != kPrefix ||
      value.substr(value.size() - kSuffix.size()) != kSuffix) {
    return std::string(value);
  }
  std::string_view b64 = value.substr(kPrefix.size(), value.size() - kPrefix.size() - kSuffix.size());
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  size_t padding = 0;
  for (char c : b64) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '+') v = 62;
    else if (c == '/') v = 63;
    else if (c == '=') { ++padding; continue; }
    else return std::nullopt;
    if (padding > 0) return std::nullopt;  // data after padding
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  if (padding > 2) return std::nullopt;
  return out;
}

}  // namespace pgmcp::protocol

// A protocol::Backend with one fixed tool and one resource, for the fuzz targets of the protocol
// layer: the database is not what they test, so a call answers at once from its arguments.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/backend.h"

namespace pgmcp::fuzzing {

class FixedToolsBackend : public protocol::Backend {
 public:
  std::shared_ptr<const std::string> ToolsList(std::string_view cursor, const protocol::CallContext&) const override {
    if (cursor.empty()) {
      return std::make_shared<std::string>(
          R"({"tools":[{"name":"query_orders","inputSchema":{"type":"object"}}],"nextCursor":"p:1"})");
    }
    if (cursor == "p:1") return std::make_shared<std::string>(R"({"tools":[]})");
    return nullptr;
  }
  boost::asio::awaitable<Result<protocol::ToolOutcome>> CallTool(std::string name, boost::json::value arguments,
                                                                 protocol::CallContext) override {
    if (name != "query_orders") co_return protocol::UnknownTool(name);
    // The arguments go back out as structured content, so the encoder sees fuzzed JSON too.
    const std::string echoed = boost::json::serialize(boost::json::object{{"arguments", arguments}});
    co_return protocol::ToolOutcome{arguments.is_null(), echoed, echoed};
  }
  std::shared_ptr<const std::string> ResourcesList(const protocol::CallContext&) const override {
    return std::make_shared<std::string>(R"({"resources":[{"uri":"pgmcp://schema","name":"schema"}]})");
  }
  std::optional<std::string> ReadResource(std::string_view uri, const protocol::CallContext&) const override {
    if (uri == "pgmcp://schema") return R"({"contents":[]})";
    return std::nullopt;
  }
};

}  // namespace pgmcp::fuzzing

// A protocol::Backend with no tools and no resources, for tests of the HTTP transport alone:
// every call is the unknown-tool error, so nothing below http/ and protocol/ runs.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/backend.h"

namespace pgmcp::http::testing {

class NoTools : public protocol::Backend {
 public:
  std::shared_ptr<const std::string> ToolsList(std::string_view, const protocol::CallContext&) const override {
    return std::make_shared<std::string>(R"({"tools":[]})");
  }
  boost::asio::awaitable<Result<protocol::ToolOutcome>> CallTool(std::string name, boost::json::value,
                                                                 protocol::CallContext) override {
    co_return protocol::UnknownTool(name);
  }
  std::shared_ptr<const std::string> ResourcesList(const protocol::CallContext&) const override {
    return std::make_shared<std::string>(R"({"resources":[]})");
  }
  std::optional<std::string> ReadResource(std::string_view, const protocol::CallContext&) const override { return std::nullopt; }
};

}  // namespace pgmcp::http::testing

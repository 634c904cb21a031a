// The JSON log line (logging/log.h), written as text since it runs once per tool call: one valid
// JSON object per line, ts/level/event first, and a field may not replace them.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "logging/log.h"

namespace pgmcp::logging {
namespace {

boost::json::object CapturedLine(std::string_view event, boost::json::object fields) {
  testing::internal::CaptureStderr();
  Info(event, std::move(fields));
  const std::string text = testing::internal::GetCapturedStderr();
  EXPECT_EQ(text.find('\n'), text.size() - 1) << text;
  return boost::json::parse(text).as_object();
}

TEST(LogLineTest, OneJsonObjectWithTheFixedMembersFirst) {
  auto line = CapturedLine("tool_call", {{"tool", "query_orders"}, {"rows", 10}, {"duration_ms", 1.5},
                                         {"error", "a \"quoted\"\nline"}, {"nested", boost::json::object{{"a", 1}}}});
  ASSERT_GE(line.size(), 8u);
  auto it = line.begin();
  EXPECT_EQ(it++->key(), "ts");
  EXPECT_EQ(it++->key(), "level");
  EXPECT_EQ(it++->key(), "event");
  EXPECT_EQ(line.at("level"), "info");
  EXPECT_EQ(line.at("event"), "tool_call");
  EXPECT_EQ(line.at("tool"), "query_orders");
  EXPECT_EQ(line.at("rows"), 10);
  EXPECT_EQ(line.at("error"), "a \"quoted\"\nline");
  EXPECT_EQ(line.at("nested").at("a"), 1);
  const std::string ts(line.at("ts").as_string());
  ASSERT_EQ(ts.size(), 24u) << ts;  // 2026-12-05T00:49:04.123Z
  EXPECT_EQ(ts[4], '-');
  EXPECT_EQ(ts[10], 'T');
  EXPECT_EQ(ts[19], '.');
  EXPECT_EQ(ts.back(), 'Z');
}

TEST(LogLineTest, AFieldCannotReplaceTheFixedMembers) {
  auto line = CapturedLine("auth_failure", {{"event", "forged"}, {"level", "debug"}, {"ts", "never"}, {"status", 401}});
  EXPECT_EQ(line.at("event"), "auth_failure");
  EXPECT_EQ(line.at("level"), "info");
  EXPECT_NE(line.at("ts"), "never");
  EXPECT_EQ(line.size(), 4u);
}

}  // namespace
}  // namespace pgmcp::logging

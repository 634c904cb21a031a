// The log line's bytes: members written by hand (strings, integers) or through Boost's serializer
// (containers) are exactly what Boost.JSON serialises, doubles are plain decimals with three
// places, and a Fields line is the same line as the object with those members.
#include "logging/log.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <limits>
#include <string>

namespace pgmcp::logging {
namespace {

namespace json = boost::json;

// Every byte value, so the escaping of each is compared with Boost's.
std::string AllBytes() {
  std::string s;
  for (int c = 1; c < 256; ++c) s.push_back(static_cast<char>(c));
  return s;
}

std::string LineOf(const auto& fields) {
  ::testing::internal::CaptureStderr();
  Log(LogLevel::kInfo, "tool_call", fields);
  return ::testing::internal::GetCapturedStderr();
}

// The line after its timestamp, which differs between two lines.
std::string AfterTimestamp(const std::string& line) { return line.substr(line.find("\"level\"")); }

std::string Timestamp(std::chrono::system_clock::time_point at) {
  std::string out = "ts=";
  AppendTimestamp(at, out);
  return out;
}

TEST(LogLineTest, TimestampsAreUtcWithMillisecondsInEverySecondAndAfterTheClockStepsBack) {
  // The date and time of day are kept per second: a new second, a step back and a new year each
  // make them again, and the milliseconds are always this time point's.
  using namespace std::chrono;
  const auto day = sys_days{year{2026} / 12 / 6};
  EXPECT_EQ(Timestamp(day + 1h + 2min + 3s + 4ms), "ts=2026-12-06T01:02:03.004Z");
  EXPECT_EQ(Timestamp(day + 1h + 2min + 3s + 999ms), "ts=2026-12-06T01:02:03.999Z");
  EXPECT_EQ(Timestamp(day + 1h + 2min + 4s), "ts=2026-12-06T01:02:04.000Z");
  EXPECT_EQ(Timestamp(day - 500ms), "ts=2026-12-05T23:59:59.500Z");
  EXPECT_EQ(Timestamp(sys_days{year{2027} / 1 / 1} - 1ms), "ts=2026-12-31T23:59:59.999Z");
  EXPECT_EQ(Timestamp(sys_days{year{2027} / 1 / 1}), "ts=2027-01-01T00:00:00.000Z");
  EXPECT_EQ(Timestamp(sys_days{year{1970} / 1 / 1} - 1ms), "ts=1969-12-31T23:59:59.999Z");
  EXPECT_EQ(Timestamp(day + 1h + 2min + 3s + 7us), "ts=2026-12-06T01:02:03.000Z");
}

TEST(LogLineTest, ALinesTimestampIsNow) {
  const auto before = std::chrono::system_clock::now();
  const std::string line = LineOf(json::object{});
  const auto after = std::chrono::system_clock::now();
  const std::string ts(json::parse(line).at("ts").as_string());
  const std::string low = Timestamp(std::chrono::floor<std::chrono::milliseconds>(before)).substr(3);
  const std::string high = Timestamp(std::chrono::floor<std::chrono::milliseconds>(after)).substr(3);
  EXPECT_LE(low, ts);
  EXPECT_LE(ts, high);
}

TEST(LogLineTest, MembersAreTheBytesBoostJsonWrites) {
  const json::object fields{{"tool", "query_orders"},
                            {"bytes", AllBytes()},
                            {"utf8", "caf\xc3\xa9 \xe2\x80\xa8"},
                            {"negative", -42},
                            {"big", std::numeric_limits<uint64_t>::max()},
                            {"min", std::numeric_limits<int64_t>::min()},
                            {"yes", true},
                            {"no", false},
                            {"nothing", nullptr},
                            {"list", json::array{1, "two", 3.5}},
                            {"nested", json::object{{"a\"b", "c\\d"}}}};
  const std::string line = LineOf(fields);
  const std::string members = json::serialize(fields);
  ASSERT_TRUE(line.ends_with("\"event\":\"tool_call\"," + members.substr(1, members.size() - 2) + "}\n")) << line;
  EXPECT_TRUE(line.starts_with("{\"ts\":\"")) << line;
}

TEST(LogLineTest, DoublesArePlainDecimalsWithThreePlaces) {
  const std::string line = LineOf(json::object{{"duration_ms", 0.6681229999999999},
                                               {"ms", 12.5},
                                               {"rounded", 2.0004999},
                                               {"up", 0.9999},
                                               {"tiny", 1e-9},
                                               {"zero", 0.0},
                                               {"negative", -3.25},
                                               {"big", 123456789012.3456},
                                               {"huge", 1e300},
                                               {"list", json::array{3.5}}});
  EXPECT_TRUE(line.ends_with(
      "\"event\":\"tool_call\",\"duration_ms\":0.668,\"ms\":12.500,\"rounded\":2.000,\"up\":1.000,"
      "\"tiny\":0.000,\"zero\":0.000,\"negative\":-3.250,\"big\":123456789012.346,"
      "\"huge\":1E300,\"list\":[3.5E0]}\n"))
      << "beyond a short fixed form, and inside containers, Boost's form: " << line;
  EXPECT_DOUBLE_EQ(json::parse(line).at("duration_ms").to_number<double>(), 0.668) << "a JSON number";
  Fields fields;
  fields.Add("duration_ms", 0.6681229999999999);
  EXPECT_TRUE(LineOf(fields).ends_with(",\"duration_ms\":0.668}\n"));
}

TEST(LogLineTest, FieldsWriteTheSameLineAsTheObject) {
  const std::string text = "say \"hi\"\n\t\x01\x7f end";
  Fields fields;
  fields.Add("tool", "query_orders").Add("error", text).Add("rows", int64_t{-7}).Add("duration_ms", 0.123456789);
  fields.Add("event", "not mine").Add("ts", "not mine either");
  const json::object object{{"tool", "query_orders"}, {"error", text}, {"rows", -7}, {"duration_ms", 0.123456789},
                            {"event", "not mine"}, {"ts", "not mine either"}};
  EXPECT_EQ(AfterTimestamp(LineOf(fields)), AfterTimestamp(LineOf(object)));
  const std::string line = LineOf(fields);
  EXPECT_EQ(line.find("not mine"), std::string::npos) << "the writer's own members are left out";
  EXPECT_EQ(json::parse(line).at("rows").as_int64(), -7);
}

}  // namespace
}  // namespace pgmcp::logging

// Cost of metrics on the hot path and at scrape time: Metrics::RecordToolCall (one call records four
// values) from one thread and from two, and Metrics::Render() with 200 tools declared and called.
// No database, no network. Prints operations per second and milliseconds per render.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "metrics/metrics.h"

namespace {

using Clock = std::chrono::steady_clock;
using pgmcp::metrics::Metrics;

std::vector<std::string> ToolNames(int n) {
  std::vector<std::string> names;
  for (int i = 0; i < n; ++i) names.push_back("query_public_table_number_" + std::to_string(i));
  return names;
}

// Records tool calls for about `seconds` from `threads` threads; each thread cycles through `tools`
// starting at its own offset, or all use tools[0] when `same_tool`. Returns calls per second (all threads).
double MeasureRecord(Metrics& m, const std::vector<std::string>& tools, int threads, bool same_tool, double seconds) {
  std::vector<long> counts(static_cast<size_t>(threads), 0);
  std::vector<std::thread> workers;
  const auto start = Clock::now();
  const auto budget = std::chrono::duration<double>(seconds);
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      long n = 0;
      size_t next = static_cast<size_t>(t) * 7;
      while (true) {
        for (int i = 0; i < 256; ++i, ++n) {
          const auto& tool = same_tool ? tools[0] : tools[next++ % tools.size()];
          m.RecordToolCall(tool, (n & 15) == 0 ? "error" : "ok", 0.0001 * static_cast<double>(n & 1023), n & 31);
        }
        if (Clock::now() - start >= budget) break;
      }
      counts[static_cast<size_t>(t)] = n;
    });
  }
  for (auto& w : workers) w.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  long total = 0;
  for (const long c : counts) total += c;
  return static_cast<double>(total) / elapsed;
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 1.0;
  const auto tools = ToolNames(200);

  {
    auto m = Metrics::Create();
    for (const auto& t : tools) m->DeclareTool(t);
    std::printf("RecordToolCall, 1 thread, 200 tools:         %12.0f calls/s\n",
                MeasureRecord(*m, tools, 1, false, seconds));
    std::printf("RecordToolCall, 2 threads, 200 tools:        %12.0f calls/s\n",
                MeasureRecord(*m, tools, 2, false, seconds));
    std::printf("RecordToolCall, 2 threads, same tool:        %12.0f calls/s\n",
                MeasureRecord(*m, tools, 2, true, seconds));

    // Every tool called with every status, so the page is as large as 200 tools make it.
    for (const auto& t : tools) {
      for (const auto status : pgmcp::metrics::kToolCallStatuses) m->RecordToolCall(t, status, 0.01, 1);
    }
    size_t bytes = 0;
    int renders = 0;
    const auto start = Clock::now();
    while (Clock::now() - start < std::chrono::duration<double>(seconds)) {
      bytes = m->Render().size();
      ++renders;
    }
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count() / renders;
    std::printf("Render(), 200 tools:                         %12.3f ms/render (%zu bytes)\n", ms, bytes);
  }
  return 0;
}

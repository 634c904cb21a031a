#include "metrics/process.h"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace pgmcp::metrics {

std::optional<double> ReadResidentMemoryBytes() {
  // statm: size resident shared text lib data dt, in pages.
  std::ifstream in("/proc/self/statm");
  unsigned long long size = 0, resident = 0;
  if (!(in >> size >> resident)) return std::nullopt;
  const long page = sysconf(_SC_PAGESIZE);
  if (page <= 0) return std::nullopt;
  return static_cast<double>(resident) * static_cast<double>(page);
}

std::optional<double> ReadProcessStartTimeSeconds() {
  std::ifstream stat_in("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(stat_in)), std::istreambuf_iterator<char>());
  // Field 2 (comm) is parenthesised and may hold spaces or ')' itself, so count from the last ')':
  // the next field is 3 (state) and starttime is field 22, in clock ticks since boot.
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(stat.substr(close + 1));
  std::string field;
  for (int i = 3; i < 22; ++i) {
    if (!(fields >> field)) return std::nullopt;
  }
  unsigned long long start_ticks = 0;
  if (!(fields >> start_ticks)) return std::nullopt;

  std::ifstream boot_in("/proc/stat");
  std::string line;
  unsigned long long boot_time = 0;
  bool found = false;
  while (std::getline(boot_in, line)) {
    if (line.rfind("btime ", 0) == 0) {
      std::istringstream(line.substr(6)) >> boot_time;
      found = true;
      break;
    }
  }
  const long ticks_per_second = sysconf(_SC_CLK_TCK);
  if (!found || ticks_per_second <= 0) return std::nullopt;
  return static_cast<double>(boot_time) + static_cast<double>(start_ticks) / static_cast<double>(ticks_per_second);
}

}  // namespace pgmcp::metrics

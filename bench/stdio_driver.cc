// stdio_driver: the light driver of bench/run's stdio phases. It starts pgmcp with pipes for its
// stdin and stdout, initializes, then keeps N tools/call requests in flight for S seconds and
// reports calls/s, latency percentiles, errors, pgmcp's CPU per call and peak RSS (from /proc) and
// its own CPU per call (getrusage) as one JSON object, on stdout and in --out.
//
// Native, like pgbench's client it is compared with: a driver's own work between reading an answer
// and sending the next request is part of every latency it measures (docs/benchmarks.md, "The
// phases and what each number means"). Responses are matched by id without parsing their JSON.
//
//   stdio_driver [--in-flight N] [--duration S] [--tool T] [--column C] [--max-value M]
//                [--label L] [--out FILE] -- PGMCP serve --transport stdio ...
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  int in_flight = 1;
  double duration_s = 10;
  std::string tool = "query_orders";
  std::string column = "customer_id";
  long max_value = 2000;
  std::string label;
  std::string out;
  std::vector<char*> command;
};

[[noreturn]] void Fail(const std::string& message) {
  std::fprintf(stderr, "stdio_driver: %s\n", message.c_str());
  std::exit(2);
}

Options ParseOptions(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--") {
      for (++i; i < argc; ++i) options.command.push_back(argv[i]);
      break;
    }
    if (i + 1 >= argc) Fail("option " + std::string(arg) + " needs a value");
    const char* value = argv[++i];
    if (arg == "--in-flight") {
      options.in_flight = std::atoi(value);
    } else if (arg == "--duration") {
      options.duration_s = std::atof(value);
    } else if (arg == "--tool") {
      options.tool = value;
    } else if (arg == "--column") {
      options.column = value;
    } else if (arg == "--max-value") {
      options.max_value = std::atol(value);
    } else if (arg == "--label") {
      options.label = value;
    } else if (arg == "--out") {
      options.out = value;
    } else {
      Fail("unknown option " + std::string(arg));
    }
  }
  if (options.command.empty() || options.in_flight < 1 || options.max_value < 1)
    Fail("usage: stdio_driver [--in-flight N] [--duration S] ... -- PGMCP_COMMAND...");
  options.command.push_back(nullptr);
  return options;
}

// The server: a child process whose stdin and stdout are our pipes.
struct Server {
  pid_t pid = -1;
  int in = -1;   // its stdin, our writing end
  int out = -1;  // its stdout, our reading end
};

Server Start(std::vector<char*>& command) {
  int to_child[2], from_child[2];
  if (pipe2(to_child, O_CLOEXEC) != 0 || pipe2(from_child, O_CLOEXEC) != 0) Fail("pipe: " + std::string(strerror(errno)));
  pid_t pid = fork();
  if (pid < 0) Fail("fork: " + std::string(strerror(errno)));
  if (pid == 0) {
    dup2(to_child[0], 0);
    dup2(from_child[1], 1);
    execvp(command[0], command.data());
    std::fprintf(stderr, "stdio_driver: cannot run %s: %s\n", command[0], strerror(errno));
    _exit(127);
  }
  close(to_child[0]);
  close(from_child[1]);
  signal(SIGPIPE, SIG_IGN);  // a server that exits early is reported, not a silent death
  return {pid, to_child[1], from_child[0]};
}

void WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) Fail("writing to pgmcp: " + std::string(strerror(errno)));
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

// Lines from the server's stdout, read in large chunks into one buffer that is compacted, and
// grown only for a line longer than it, so that reading costs no allocation or zeroing per call.
class LineReader {
 public:
  explicit LineReader(int fd) : fd_(fd), buffer_(1 << 17, '\0') {}

  // The next whole line (without its newline); valid until the next call.
  std::string_view Next() {
    for (;;) {
      const char* begin = buffer_.data() + start_;
      if (const void* newline = std::memchr(begin, '\n', end_ - start_)) {
        std::string_view line(begin, static_cast<const char*>(newline) - begin);
        start_ += line.size() + 1;
        return line;
      }
      if (buffer_.size() - end_ < kChunk) {
        std::memmove(buffer_.data(), begin, end_ - start_);
        end_ -= start_;
        start_ = 0;
        if (buffer_.size() - end_ < kChunk) buffer_.resize(buffer_.size() * 2);
      }
      ssize_t n;
      do n = read(fd_, buffer_.data() + end_, buffer_.size() - end_);
      while (n < 0 && errno == EINTR);
      if (n <= 0) Fail("pgmcp closed its stdout");
      end_ += static_cast<size_t>(n);
    }
  }

 private:
  static constexpr size_t kChunk = 1 << 16;
  int fd_;
  std::string buffer_;
  size_t start_ = 0;  // the first byte not yet returned
  size_t end_ = 0;    // the end of the bytes read
};

// /proc/PID/stat: utime and stime in seconds.
std::pair<double, double> ProcCpu(pid_t pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  size_t paren = text.rfind(')');
  if (paren == std::string::npos) return {0, 0};
  std::istringstream fields(text.substr(paren + 1));
  std::string field;
  double utime = 0, stime = 0;
  for (int i = 0; fields >> field; ++i) {
    if (i == 11) utime = std::atof(field.c_str());
    if (i == 12) {
      stime = std::atof(field.c_str());
      break;
    }
  }
  double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
  return {utime / tick, stime / tick};
}

long ProcStatusKb(pid_t pid, std::string_view key) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(file, line)) {
    if (line.size() > key.size() && line.compare(0, key.size(), key) == 0 && line[key.size()] == ':')
      return std::atol(line.c_str() + key.size() + 1);
  }
  return 0;
}

double Seconds(const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; }

// The request's id in a response line: the digits after the first "id": (0 when none).
long IdOf(std::string_view line) {
  size_t at = line.find("\"id\":");
  if (at == std::string_view::npos) return 0;
  long id = 0;
  std::from_chars(line.data() + at + 5, line.data() + line.size(), id);
  return id;
}

// The exit status of the server once its stdin is closed; killed after 30 s.
int Wait(pid_t pid) {
  int status = 0;
  for (int i = 0; i < 3000; ++i) {
    pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    usleep(10000);
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  return 128 + SIGKILL;
}

std::string Fixed(double value, int decimals) {
  if (!std::isfinite(value)) return "null";
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

std::string JsonString(std::string_view text) {
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') quoted += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace

int main(int argc, char** argv) {
  Options options = ParseOptions(argc, argv);
  Server server = Start(options.command);
  LineReader reader(server.out);

  WriteAll(server.in,
           R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25",)"
           R"("capabilities":{},"clientInfo":{"name":"pgmcp-stdio-driver","version":"1"}}})"
           "\n");
  if (reader.Next().find("\"result\"") == std::string_view::npos) Fail("initialize failed");
  WriteAll(server.in, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n");
  long idle_rss = ProcStatusKb(server.pid, "VmRSS");

  // sent_at[id]: when request `id` was sent; an answered one is set back to the epoch.
  std::vector<Clock::time_point> sent_at(1);
  std::vector<double> latencies;
  long jsonrpc_errors = 0, tool_errors = 0, pending = 0, value = 0;
  char request[512];
  auto send = [&] {
    value = value % options.max_value + 1;
    long id = static_cast<long>(sent_at.size());
    int n = std::snprintf(request, sizeof request,
                          R"({"jsonrpc":"2.0","id":%ld,"method":"tools/call","params":{"name":"%s",)"
                          R"("arguments":{"where":{"%s":%ld}}}})"
                          "\n",
                          id, options.tool.c_str(), options.column.c_str(), value);
    if (n <= 0 || n >= static_cast<int>(sizeof request)) Fail("request too long");
    sent_at.push_back(Clock::now());
    WriteAll(server.in, std::string_view(request, static_cast<size_t>(n)));
    ++pending;
  };

  auto cpu0 = ProcCpu(server.pid);
  rusage self0{}, self1{};
  getrusage(RUSAGE_SELF, &self0);
  Clock::time_point started = Clock::now();
  Clock::time_point deadline = started + std::chrono::duration_cast<Clock::duration>(
                                             std::chrono::duration<double>(options.duration_s));
  for (int i = 0; i < options.in_flight; ++i) send();
  while (pending > 0) {
    std::string_view line = reader.Next();
    Clock::time_point now = Clock::now();
    long id = IdOf(line);
    if (id <= 0 || id >= static_cast<long>(sent_at.size()) || sent_at[id] == Clock::time_point{})
      continue;  // a notification, or not ours
    Clock::time_point sent = sent_at[id];
    sent_at[id] = Clock::time_point{};
    --pending;
    if (line.substr(0, 40).find("\"error\"") != std::string_view::npos) {
      ++jsonrpc_errors;
    } else if (line.find("\"isError\":true") != std::string_view::npos) {
      ++tool_errors;
    } else {
      latencies.push_back(std::chrono::duration<double>(now - sent).count());
    }
    if (now < deadline) send();
  }
  double elapsed = std::chrono::duration<double>(Clock::now() - started).count();
  auto cpu1 = ProcCpu(server.pid);
  getrusage(RUSAGE_SELF, &self1);
  double cpu_user = cpu1.first - cpu0.first, cpu = cpu_user + cpu1.second - cpu0.second;
  double driver_user = Seconds(self1.ru_utime) - Seconds(self0.ru_utime);
  double driver = driver_user + Seconds(self1.ru_stime) - Seconds(self0.ru_stime);
  long hwm = ProcStatusKb(server.pid, "VmHWM");
  close(server.in);
  int code = Wait(server.pid);

  std::sort(latencies.begin(), latencies.end());
  size_t ok = latencies.size();
  // The nearest-rank percentile, in milliseconds.
  auto ms = [&](int p) {
    if (ok == 0) return std::string("null");
    size_t rank = (ok * static_cast<size_t>(p) + 99) / 100;
    return Fixed(latencies[std::min(ok - 1, rank == 0 ? 0 : rank - 1)] * 1000, 3);
  };
  auto per_call = [&](double seconds) { return ok ? Fixed(seconds * 1e6 / static_cast<double>(ok), 1) : "null"; };
  std::string errors;
  if (jsonrpc_errors) errors += "\"jsonrpc\":" + std::to_string(jsonrpc_errors);
  if (tool_errors) errors += std::string(errors.empty() ? "" : ",") + "\"tool\":" + std::to_string(tool_errors);
  std::string label =
      options.label.empty() ? "pgmcp stdio, " + std::to_string(options.in_flight) + " in flight" : options.label;
  std::string result =
      "{\"label\":" + JsonString(label) + ",\"in_flight\":" + std::to_string(options.in_flight) +
      ",\"duration_s\":" + Fixed(elapsed, 2) + ",\"ok\":" + std::to_string(ok) +
      ",\"calls_per_s\":" + Fixed(static_cast<double>(ok) / elapsed, 1) + ",\"latency_ms\":{\"p50\":" + ms(50) +
      ",\"p95\":" + ms(95) + ",\"p99\":" + ms(99) + ",\"max\":" + ms(100) + "},\"errors\":{" + errors +
      "},\"cpu\":{\"server_us_per_call\":" + per_call(cpu) + ",\"server_user_us_per_call\":" + per_call(cpu_user) +
      ",\"server_core_pct\":" + Fixed(100 * cpu / elapsed, 1) + ",\"driver_us_per_call\":" + per_call(driver) +
      ",\"driver_user_us_per_call\":" + per_call(driver_user) + "},\"rss_kb\":{\"idle_kb\":" +
      std::to_string(idle_rss) + ",\"hwm_kb\":" + std::to_string(hwm) + "},\"exit_code\":" + std::to_string(code) +
      "}";
  std::puts(result.c_str());
  if (!options.out.empty()) {
    std::ofstream file(options.out);
    file << result << "\n";
    if (!file) Fail("cannot write " + options.out);
  }
  return code == 0 && ok > 0 ? 0 : 1;
}

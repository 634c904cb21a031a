#include "transport/stdio_transport.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

namespace pgmcp::transport {
namespace {

namespace asio = boost::asio;

struct Pipe {
  int read = -1;
  int write = -1;
  Pipe() {
    int fds[2];
    EXPECT_EQ(::pipe(fds), 0);
    read = fds[0];
    write = fds[1];
  }
  ~Pipe() {
    CloseRead();
    CloseWrite();
  }
  void CloseRead() {
    if (read >= 0) ::close(read);
    read = -1;
  }
  void CloseWrite() {
    if (write >= 0) ::close(write);
    write = -1;
  }
};

void WriteAll(int fd, const std::string& bytes) {
  ASSERT_EQ(::write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
}

std::string ReadAll(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

// Runs a transport on `in_fd`/`out_fd` until stdin's end, echoing every line back as "echo:<line>"
// and every oversize report as "oversize:<limit>"; returns what it saw, in order.
struct Echo {
  std::vector<std::string> seen;
  int eofs = 0;
  bool on_loop = false;

  void Run(int in_fd, int out_fd, size_t limit = 1 << 20) {
    asio::io_context io;
    StdioTransport stdio(io.get_executor(), [limit] { return limit; }, in_fd, out_fd);
    stdio.Start({
        [&](std::string line) {
          seen.push_back(line);
          stdio.Send("echo:" + line);
        },
        [&](size_t l) {
          seen.push_back("oversize:" + std::to_string(l));
          stdio.Send("oversize:" + std::to_string(l));
        },
        [&] {
          ++eofs;
          io.stop();
        },
    });
    on_loop = stdio.on_event_loop();
    auto busy = asio::make_work_guard(io);  // as the server's other work does: run until stdin ends
    io.run();
    stdio.Stop();
  }
};

TEST(StdioTransportTest, PipesAreServedByTheEventLoopLineByLineInOrder) {
  Pipe in, out;
  WriteAll(in.write, "first\n{\"jsonrpc\":\"2.0\"}\r\n\n  \nlast without newline");
  in.CloseWrite();
  Echo echo;
  echo.Run(in.read, out.write);
  // Stdin and stdout are left as they were found: blocking.
  EXPECT_EQ(::fcntl(in.read, F_GETFL) & O_NONBLOCK, 0);
  EXPECT_EQ(::fcntl(out.write, F_GETFL) & O_NONBLOCK, 0);
  out.CloseWrite();
  EXPECT_TRUE(echo.on_loop);
  EXPECT_EQ(echo.seen, (std::vector<std::string>{"first", "{\"jsonrpc\":\"2.0\"}", "  ", "last without newline"}));
  EXPECT_EQ(echo.eofs, 1);
  EXPECT_EQ(ReadAll(out.read), "echo:first\necho:{\"jsonrpc\":\"2.0\"}\necho:  \necho:last without newline\n");
}

TEST(StdioTransportTest, AFullPipeQueuesTheRestInOrderWithoutBlockingTheLoop) {
  Pipe in, out;
  ASSERT_GE(::fcntl(out.write, F_SETPIPE_SZ, 4096), 4096);
  // 200 lines of 1 kB each, nobody reading stdout until stdin has ended: the loop must keep
  // reading (it would hang here if a write blocked it) and deliver everything afterwards.
  std::string input;
  for (int i = 0; i < 200; ++i) input += std::to_string(i) + ":" + std::string(1000, 'x') + "\n";
  std::thread feeder([&] {
    WriteAll(in.write, input);
    in.CloseWrite();
  });
  // The feeder can only finish if the loop keeps reading stdin: only then does stdout get a reader.
  std::string received;
  std::thread reader([&] {
    feeder.join();
    received = ReadAll(out.read);
  });
  Echo echo;
  echo.Run(in.read, out.write);
  out.CloseWrite();
  reader.join();
  EXPECT_TRUE(echo.on_loop);
  ASSERT_EQ(echo.seen.size(), 200u);
  std::string expected;
  for (int i = 0; i < 200; ++i) expected += "echo:" + std::to_string(i) + ":" + std::string(1000, 'x') + "\n";
  EXPECT_EQ(received.size(), expected.size());
  EXPECT_TRUE(received == expected);
}

TEST(StdioTransportTest, ALineOverTheLimitIsReportedOnceAndTheNextLineStillArrives) {
  Pipe in, out;
  WriteAll(in.write, "short\n" + std::string(100, 'a') + "\nafter\n");
  in.CloseWrite();
  Echo echo;
  echo.Run(in.read, out.write, /*limit=*/16);
  EXPECT_EQ(echo.seen, (std::vector<std::string>{"short", "oversize:16", "after"}));
}

TEST(StdioTransportTest, AFileOnStdinIsReadByAThreadWithTheSameLines) {
  std::FILE* file = std::tmpfile();
  ASSERT_NE(file, nullptr);
  const std::string text = "one\n" + std::string(40, 'b') + "\ntwo";
  ASSERT_EQ(std::fwrite(text.data(), 1, text.size(), file), text.size());
  std::fflush(file);
  std::rewind(file);
  Pipe out;
  Echo echo;
  echo.Run(::fileno(file), out.write, /*limit=*/16);
  out.CloseWrite();
  std::fclose(file);
  EXPECT_FALSE(echo.on_loop);
  EXPECT_EQ(echo.seen, (std::vector<std::string>{"one", "oversize:16", "two"}));
  EXPECT_EQ(echo.eofs, 1);
  EXPECT_EQ(ReadAll(out.read), "echo:one\noversize:16\necho:two\n");
}

TEST(StdioTransportTest, StdoutSharedWithStderrStaysBlockingOnAThread) {
  Pipe in, out;
  const int saved_stderr = ::dup(STDERR_FILENO);
  ASSERT_GE(saved_stderr, 0);
  ASSERT_EQ(::dup2(out.write, STDERR_FILENO), STDERR_FILENO);  // as after `2>&1`
  WriteAll(in.write, "ping\n");
  in.CloseWrite();
  Echo echo;
  echo.Run(in.read, out.write);
  ::dup2(saved_stderr, STDERR_FILENO);
  ::close(saved_stderr);
  out.CloseWrite();
  EXPECT_FALSE(echo.on_loop);
  EXPECT_EQ(ReadAll(out.read), "echo:ping\n");
}

}  // namespace
}  // namespace pgmcp::transport

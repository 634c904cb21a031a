// How log lines reach stderr: at once, one write(2) each, without a LineBatch or from another
// thread; held until the flush and written together, in order, with one write(2) on the batching
// thread. stderr is a packet-mode pipe here, so every read returns exactly one write.
#include "logging/line_output.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "logging/log.h"

namespace pgmcp::logging {
namespace {

// stderr redirected to a pipe in packet mode (O_DIRECT): each write(2) of up to PIPE_BUF bytes is
// one packet and each read returns one packet, so the reads count the writes.
class StderrPackets {
 public:
  StderrPackets() {
    int fds[2];
    if (::pipe2(fds, O_DIRECT) != 0) throw std::runtime_error("pipe2");
    read_end_ = fds[0];
    ::fcntl(read_end_, F_SETFL, O_NONBLOCK);
    ::fcntl(fds[1], F_SETPIPE_SZ, 512 * 1024);  // room for the 64 KiB batch, 4 KiB a packet
    saved_ = ::dup(STDERR_FILENO);
    ::dup2(fds[1], STDERR_FILENO);
    ::close(fds[1]);
  }
  ~StderrPackets() {
    ::dup2(saved_, STDERR_FILENO);
    ::close(saved_);
    ::close(read_end_);
  }
  StderrPackets(const StderrPackets&) = delete;
  StderrPackets& operator=(const StderrPackets&) = delete;

  // Every write made since the last call, one string each.
  std::vector<std::string> Writes() {
    std::vector<std::string> writes;
    char buffer[65536];
    for (ssize_t n; (n = ::read(read_end_, buffer, sizeof buffer)) > 0;) writes.emplace_back(buffer, n);
    return writes;
  }

 private:
  int read_end_ = -1;
  int saved_ = -1;
};

std::string Line(std::string_view event) {
  return "{\"ts\":\"2026-12-05T00:00:00.000Z\",\"level\":\"info\",\"event\":\"" + std::string(event) + "\"}\n";
}

TEST(LineOutputTest, WithoutABatchEachLineIsWrittenAtOnce) {
  StderrPackets stderr_pipe;
  WriteLine(Line("first"));
  WriteLine(Line("second"));
  EXPECT_EQ(stderr_pipe.Writes(), (std::vector<std::string>{Line("first"), Line("second")}));
}

TEST(LineOutputTest, ABatchHoldsLinesUntilTheFlushThenWritesThemInOrderInOneWrite) {
  StderrPackets stderr_pipe;
  int requests = 0;
  LineBatch batch([&requests] { ++requests; });
  WriteLine(Line("first"));
  WriteLine(Line("second"));
  Info("third");
  EXPECT_TRUE(stderr_pipe.Writes().empty()) << "held until the flush";
  EXPECT_EQ(requests, 1) << "the first held line asks for one flush";
  FlushLines();
  const auto writes = stderr_pipe.Writes();
  ASSERT_EQ(writes.size(), 1u);
  EXPECT_TRUE(writes[0].starts_with(Line("first") + Line("second") + "{\"ts\":")) << writes[0];
  EXPECT_TRUE(writes[0].ends_with("\"event\":\"third\"}\n")) << writes[0];

  FlushLines();
  EXPECT_TRUE(stderr_pipe.Writes().empty()) << "nothing held, nothing written";
  WriteLine(Line("fourth"));
  EXPECT_EQ(requests, 2) << "the first line after a flush asks again";
  FlushLines();
  EXPECT_EQ(stderr_pipe.Writes(), std::vector<std::string>{Line("fourth")});
}

TEST(LineOutputTest, LinesOfOtherThreadsAreWrittenAtOnce) {
  StderrPackets stderr_pipe;
  int requests = 0;
  LineBatch batch([&requests] { ++requests; });
  WriteLine(Line("held"));
  std::thread([] {
    WriteLine(Line("other thread"));
    FlushLines();  // not the batching thread's: must not write what that thread holds
  }).join();
  EXPECT_EQ(stderr_pipe.Writes(), std::vector<std::string>{Line("other thread")});
  FlushLines();
  EXPECT_EQ(stderr_pipe.Writes(), std::vector<std::string>{Line("held")});
  EXPECT_EQ(requests, 1);
}

TEST(LineOutputTest, HeldLinesPastTheBoundAreWrittenWithoutWaitingForTheFlush) {
  StderrPackets stderr_pipe;
  LineBatch batch([] {});
  const std::string line = Line(std::string(1000, 'x'));
  std::string written;
  size_t lines = 0;
  while (written.empty()) {
    ASSERT_LT(lines * line.size(), 2 * kMaxHeldLogBytes) << "never written";
    WriteLine(line);
    ++lines;
    for (const auto& w : stderr_pipe.Writes()) written += w;
  }
  EXPECT_EQ(written.size(), lines * line.size()) << "everything held went out, whole lines";
  EXPECT_GE(written.size(), kMaxHeldLogBytes);
  EXPECT_LT(written.size(), kMaxHeldLogBytes + line.size());
  FlushLines();
  EXPECT_TRUE(stderr_pipe.Writes().empty());
}

TEST(LineOutputTest, EndingTheBatchWritesWhatIsHeldAndLinesGoStraightOutAgain) {
  StderrPackets stderr_pipe;
  int requests = 0;
  {
    LineBatch batch([&requests] { ++requests; });
    WriteLine(Line("first"));
    WriteLine(Line("second"));
    EXPECT_TRUE(stderr_pipe.Writes().empty());
  }
  EXPECT_EQ(stderr_pipe.Writes(), std::vector<std::string>{Line("first") + Line("second")});
  WriteLine(Line("after"));
  EXPECT_EQ(stderr_pipe.Writes(), std::vector<std::string>{Line("after")});
  EXPECT_EQ(requests, 1);
}

}  // namespace
}  // namespace pgmcp::logging

// WholeAnswersArrived over a real socket pair: it counts only whole protocol messages up to a
// ReadyForQuery within kWholeAnswerBytes, one per answer, and never consumes what it looks at.
#include "database/answer_peek.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

namespace pgmcp::database {
namespace {

// One backend message: the type byte, its length (itself included, big-endian) and the body.
std::string Message(char type, const std::string& body) {
  const uint32_t length = static_cast<uint32_t>(body.size() + 4);
  std::string out(1, type);
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((length >> shift) & 0xff));
  return out + body;
}

class AnswerPeekTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds_), 0); }
  void TearDown() override {
    ::close(fds_[0]);
    ::close(fds_[1]);
  }
  void Send(const std::string& bytes) {
    size_t sent = 0;
    while (sent < bytes.size()) {
      ssize_t n = ::write(fds_[1], bytes.data() + sent, bytes.size() - sent);
      ASSERT_GT(n, 0);
      sent += static_cast<size_t>(n);
    }
  }
  int reader() const { return fds_[0]; }

  int fds_[2] = {-1, -1};
};

const std::string kRows = Message('1', "") + Message('2', "") + Message('T', std::string(20, 'c')) +
                          Message('D', std::string(30, 'v')) + Message('C', "SELECT 1");

TEST_F(AnswerPeekTest, AWholeAnswerUpToReadyForQueryIsSeenAndLeftInPlace) {
  const std::string answer = kRows + Message('Z', "I");
  Send(answer);
  EXPECT_EQ(1u, WholeAnswersArrived(reader()));
  std::string left(answer.size() + 10, '\0');
  EXPECT_EQ(::read(reader(), left.data(), left.size()), static_cast<ssize_t>(answer.size())) << "nothing consumed";
}

TEST_F(AnswerPeekTest, AnAnswerStillArrivingIsNotWhole) {
  Send(kRows);  // no ReadyForQuery yet
  EXPECT_EQ(0u, WholeAnswersArrived(reader()));
  const std::string ready = Message('Z', "I");
  Send(ready.substr(0, 3));  // ReadyForQuery cut inside its length
  EXPECT_EQ(0u, WholeAnswersArrived(reader()));
  Send(ready.substr(3));
  EXPECT_EQ(1u, WholeAnswersArrived(reader()));
}

// A shared round trip: one answer per call, each ended by its ReadyForQuery; only those that
// arrived whole count, and only up to the first one still arriving.
TEST_F(AnswerPeekTest, EveryWholeAnswerOfARoundTripIsCounted) {
  const std::string one = kRows + Message('Z', "I");
  Send(one + one + one.substr(0, one.size() - 2));
  EXPECT_EQ(2u, WholeAnswersArrived(reader()));
  Send(one.substr(one.size() - 2) + one);
  EXPECT_EQ(4u, WholeAnswersArrived(reader()));
}

TEST_F(AnswerPeekTest, AnswersBeyondTheLimitAreNotCounted) {
  const std::string one = kRows + Message('Z', "I");
  const std::string big = Message('D', std::string(kWholeAnswerBytes - one.size(), 'v')) + Message('Z', "I");
  Send(one + big + one);
  EXPECT_EQ(1u, WholeAnswersArrived(reader())) << "the second answer ends beyond the first 32 KiB";
}

TEST_F(AnswerPeekTest, NothingWaitingIsNotWhole) { EXPECT_EQ(0u, WholeAnswersArrived(reader())); }

TEST_F(AnswerPeekTest, AnAnswerOverTheLimitIsNotWholeEvenWhenItHasArrived) {
  Send(Message('D', std::string(kWholeAnswerBytes, 'v')) + Message('Z', "I"));
  EXPECT_EQ(0u, WholeAnswersArrived(reader()));
}

TEST_F(AnswerPeekTest, AnAnswerExactlyAtTheLimitIsWhole) {
  const std::string answer = Message('D', std::string(kWholeAnswerBytes - 5 - 6, 'v')) + Message('Z', "I");
  ASSERT_EQ(answer.size(), kWholeAnswerBytes);
  Send(answer);
  EXPECT_EQ(1u, WholeAnswersArrived(reader()));
}

TEST_F(AnswerPeekTest, BytesThatAreNotTheProtocolAreNotWhole) {
  Send(std::string("Z\0\0\0\0", 5) + Message('Z', "I"));  // a length below 4
  EXPECT_EQ(0u, WholeAnswersArrived(reader()));
}

TEST(AnswerPeekClosedTest, AClosedDescriptorIsNotWhole) { EXPECT_EQ(0u, WholeAnswersArrived(-1)); }

}  // namespace
}  // namespace pgmcp::database

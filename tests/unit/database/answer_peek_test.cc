// AnswerArrivedWhole over a real socket pair: it says yes only for whole protocol messages up to a
// ReadyForQuery within kWholeAnswerBytes, and never consumes what it looks at.
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
  EXPECT_TRUE(AnswerArrivedWhole(reader()));
  std::string left(answer.size() + 10, '\0');
  EXPECT_EQ(::read(reader(), left.data(), left.size()), static_cast<ssize_t>(answer.size())) << "nothing consumed";
}

TEST_F(AnswerPeekTest, AnAnswerStillArrivingIsNotWhole) {
  Send(kRows);  // no ReadyForQuery yet
  EXPECT_FALSE(AnswerArrivedWhole(reader()));
  const std::string ready = Message('Z', "I");
  Send(ready.substr(0, 3));  // ReadyForQuery cut inside its length
  EXPECT_FALSE(AnswerArrivedWhole(reader()));
  Send(ready.substr(3));
  EXPECT_TRUE(AnswerArrivedWhole(reader()));
}

TEST_F(AnswerPeekTest, NothingWaitingIsNotWhole) { EXPECT_FALSE(AnswerArrivedWhole(reader())); }

TEST_F(AnswerPeekTest, AnAnswerOverTheLimitIsNotWholeEvenWhenItHasArrived) {
  Send(Message('D', std::string(kWholeAnswerBytes, 'v')) + Message('Z', "I"));
  EXPECT_FALSE(AnswerArrivedWhole(reader()));
}

TEST_F(AnswerPeekTest, AnAnswerExactlyAtTheLimitIsWhole) {
  const std::string answer = Message('D', std::string(kWholeAnswerBytes - 5 - 6, 'v')) + Message('Z', "I");
  ASSERT_EQ(answer.size(), kWholeAnswerBytes);
  Send(answer);
  EXPECT_TRUE(AnswerArrivedWhole(reader()));
}

TEST_F(AnswerPeekTest, BytesThatAreNotTheProtocolAreNotWhole) {
  Send(std::string("Z\0\0\0\0", 5) + Message('Z', "I"));  // a length below 4
  EXPECT_FALSE(AnswerArrivedWhole(reader()));
}

TEST(AnswerPeekClosedTest, AClosedDescriptorIsNotWhole) { EXPECT_FALSE(AnswerArrivedWhole(-1)); }

}  // namespace
}  // namespace pgmcp::database

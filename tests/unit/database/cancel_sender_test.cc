// CancelSender: a cancel request that never returns (PQcancel against a black-holed server) must
// hold up neither the caller nor the ones after it beyond the cap, nor the sender's destruction.
#include "database/cancel_sender.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

namespace pgmcp::database {
namespace {

TEST(CancelSenderTest, ARequestThatNeverReturnsBlocksNeitherTheCallerNorTheSendersEnd) {
  std::promise<void> answer;  // the "server's" answer, withheld
  std::shared_future<void> answered = answer.get_future().share();
  {
    CancelSender sender(2);
    EXPECT_TRUE(sender.Send([answered] { answered.wait(); }));
    EXPECT_TRUE(sender.Send([answered] { answered.wait(); }));
    EXPECT_EQ(sender.in_flight(), 2);
    // The cap: a third is skipped rather than queued behind the stuck ones.
    EXPECT_FALSE(sender.Send([] { FAIL() << "a skipped request must not run"; }));
  }  // destroyed while both still wait: nothing joins them
  answer.set_value();
}

TEST(CancelSenderTest, FinishedRequestsFreeTheirPlace) {
  CancelSender sender(1);
  std::promise<void> ran;
  ASSERT_TRUE(sender.Send([&ran] { ran.set_value(); }));
  ran.get_future().wait();
  for (int i = 0; i < 200 && sender.in_flight() != 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(sender.in_flight(), 0);
  std::promise<void> again;
  EXPECT_TRUE(sender.Send([&again] { again.set_value(); }));
  again.get_future().wait();
}

}  // namespace
}  // namespace pgmcp::database

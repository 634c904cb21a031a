// The pool's breaker (database/connect_breaker.h): one attempt per backoff step while the database
// is unreachable, refusals in between, the step doubling to its cap, and a success closing it.
#include "database/connect_breaker.h"

#include <gtest/gtest.h>

namespace pgmcp::database {
namespace {

using Verdict = ConnectBreaker::Verdict;
using std::chrono::milliseconds;

TEST(ConnectBreakerTest, ClosedLetsEveryCallConnect) {
  ConnectBreaker b;
  const auto t0 = Clock::now();
  for (int i = 0; i < 5; ++i) EXPECT_EQ(b.Admit(t0), Verdict::kConnect);
  EXPECT_FALSE(b.open());
}

TEST(ConnectBreakerTest, FailureRefusesCallsUntilTheStepIsDueThenLetsOneTry) {
  ConnectBreaker b;
  const auto t0 = Clock::now();
  b.Failed("connection refused", false, t0);
  ASSERT_TRUE(b.open());
  EXPECT_EQ(b.Admit(t0), Verdict::kRefuse);
  EXPECT_GE(b.next_attempt(), t0 + ConnectBreaker::kFirstStep / 2);
  EXPECT_LE(b.next_attempt(), t0 + ConnectBreaker::kFirstStep);
  const auto due = b.next_attempt();
  EXPECT_EQ(b.Admit(due), Verdict::kProbe);
  // While that attempt runs, everyone else is refused: one attempt per step, no storm.
  for (int i = 0; i < 100; ++i) EXPECT_EQ(b.Admit(due + milliseconds(i)), Verdict::kRefuse);
}

// The pool's sweep asks before it makes the step's attempt itself: asking admits nothing and
// counts no refusal.
TEST(ConnectBreakerTest, ProbeDueSaysWhetherTheStepsAttemptWouldBeLetThrough) {
  ConnectBreaker b;
  const auto t0 = Clock::now();
  EXPECT_FALSE(b.probe_due(t0)) << "closed: nothing to probe";
  b.Failed("connection refused", false, t0);
  EXPECT_FALSE(b.probe_due(t0));
  const auto due = b.next_attempt();
  EXPECT_TRUE(b.probe_due(due));
  EXPECT_TRUE(b.probe_due(due)) << "asking admits nothing";
  EXPECT_EQ(b.Admit(due), Verdict::kProbe);
  EXPECT_FALSE(b.probe_due(due + milliseconds(1))) << "the step's attempt is under way";
}

TEST(ConnectBreakerTest, StepDoublesToItsCap) {
  ConnectBreaker b;
  auto now = Clock::now();
  b.Failed("refused", false, now);
  Clock::duration step = ConnectBreaker::kFirstStep;
  for (int i = 0; i < 10; ++i) {
    now = b.next_attempt();
    ASSERT_EQ(b.Admit(now), Verdict::kProbe);
    b.Failed("refused", true, now);
    step = std::min<Clock::duration>(step * 2, ConnectBreaker::kMaxStep);
    EXPECT_GE(b.next_attempt() - now, step / 2) << "attempt " << i;
    EXPECT_LE(b.next_attempt() - now, step) << "attempt " << i;
  }
  EXPECT_LE(b.next_attempt() - now, ConnectBreaker::kMaxStep);
}

TEST(ConnectBreakerTest, FailuresOfAttemptsStartedBeforeTheOutageDoNotLengthenTheStep) {
  ConnectBreaker b;
  const auto t0 = Clock::now();
  b.Failed("refused", false, t0);
  const auto first = b.next_attempt();
  for (int i = 0; i < 9; ++i) b.Failed("refused", false, t0);  // the rest of a full pool's attempts
  EXPECT_EQ(b.next_attempt(), first);
}

TEST(ConnectBreakerTest, SuccessClosesIt) {
  ConnectBreaker b;
  const auto t0 = Clock::now();
  b.Failed("refused", false, t0);
  ASSERT_EQ(b.Admit(b.next_attempt()), Verdict::kProbe);
  b.Succeeded(b.next_attempt());
  EXPECT_FALSE(b.open());
  EXPECT_EQ(b.Admit(t0), Verdict::kConnect);
  // The next outage starts again from the first step.
  b.Failed("refused", false, t0);
  EXPECT_LE(b.next_attempt(), t0 + ConnectBreaker::kFirstStep);
}

// Regression guard: a probe whose call was cancelled (or whose coroutine was destroyed) must not
// leave the breaker waiting for an answer that never comes.
TEST(ConnectBreakerTest, AbandonedProbeLetsTheNextCallTry) {
  ConnectBreaker b;
  const auto t0 = Clock::now();
  b.Failed("refused", false, t0);
  const auto due = b.next_attempt();
  ASSERT_EQ(b.Admit(due), Verdict::kProbe);
  b.Abandoned();
  EXPECT_EQ(b.Admit(due), Verdict::kProbe);
}

}  // namespace
}  // namespace pgmcp::database

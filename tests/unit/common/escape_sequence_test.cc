// Escape-sequence lengths: what the sanitiser drops whole when a value contains a terminal escape.
#include "common/escape_sequence.h"

#include <gtest/gtest.h>

namespace pgmcp {
namespace {

TEST(EscapeSequenceTest, RecognisesIntroducers) {
  EXPECT_TRUE(StartsEscapeSequence("\x1b"));
  EXPECT_TRUE(StartsEscapeSequence("\xc2\x9b" "1m"));
  EXPECT_TRUE(StartsEscapeSequence("\xc2\x9d" "0;t"));
  EXPECT_FALSE(StartsEscapeSequence("\xc2\x85"));  // NEL: a control, but no sequence follows
  EXPECT_FALSE(StartsEscapeSequence("\xc2\x9c"));  // ST alone
  EXPECT_FALSE(StartsEscapeSequence("["));
  EXPECT_FALSE(StartsEscapeSequence(""));
}

TEST(EscapeSequenceTest, Csi) {
  EXPECT_EQ(EscapeSequenceLength("\x1b[31mred"), 5u);
  EXPECT_EQ(EscapeSequenceLength("\x1b[mX"), 3u);
  EXPECT_EQ(EscapeSequenceLength("\x1b[?25lX"), 6u);
  EXPECT_EQ(EscapeSequenceLength("\x1b[1;2 qX"), 7u);  // intermediate byte before the final
  EXPECT_EQ(EscapeSequenceLength("\xc2\x9b" "31mX"), 5u);
  EXPECT_EQ(EscapeSequenceLength("\x1b[31"), 4u);       // incomplete: to the end
  EXPECT_EQ(EscapeSequenceLength("\x1b[31\nX"), 4u);    // malformed: up to the odd byte
}

TEST(EscapeSequenceTest, ControlStrings) {
  EXPECT_EQ(EscapeSequenceLength("\x1b]0;t\x07X"), 6u);
  EXPECT_EQ(EscapeSequenceLength("\x1b]0;t\x1b\\X"), 7u);
  EXPECT_EQ(EscapeSequenceLength("\x1b]0;t\xc2\x9cX"), 7u);
  EXPECT_EQ(EscapeSequenceLength("\x1b]0;t\x1b[1m"), 5u);  // another escape ends it, not included
  EXPECT_EQ(EscapeSequenceLength("\x1b]0;t\x18X"), 5u);    // CAN aborts
  EXPECT_EQ(EscapeSequenceLength("\x1b]0;title"), 9u);     // unterminated: to the end
  EXPECT_EQ(EscapeSequenceLength("\x1bPdata\x1b\\X"), 8u);
  EXPECT_EQ(EscapeSequenceLength("\x1b_apc\x07X"), 6u);
  EXPECT_EQ(EscapeSequenceLength("\xc2\x9d" "0;\xe6\x97\xa5\x07X"), 8u);  // non-ASCII inside
}

TEST(EscapeSequenceTest, ShortEscapes) {
  EXPECT_EQ(EscapeSequenceLength("\x1b" "7X"), 2u);
  EXPECT_EQ(EscapeSequenceLength("\x1b" "cX"), 2u);
  EXPECT_EQ(EscapeSequenceLength("\x1b(BX"), 3u);
  EXPECT_EQ(EscapeSequenceLength("\x1b(\x01"), 2u);
  EXPECT_EQ(EscapeSequenceLength("\x1b"), 1u);
  EXPECT_EQ(EscapeSequenceLength("\x1b\x1b[1m"), 1u);   // the second ESC starts its own sequence
  EXPECT_EQ(EscapeSequenceLength("\x1b\n"), 1u);
  EXPECT_EQ(EscapeSequenceLength("\x1b\xc3\xa9"), 1u);
}

}  // namespace
}  // namespace pgmcp

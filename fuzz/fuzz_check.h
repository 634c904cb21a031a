// The one way a fuzz target states an invariant: a broken one aborts, so libFuzzer keeps the input
// as a crash file and prints what broke (assert() would vanish from an NDEBUG build).
#pragma once

#include <cstdio>
#include <cstdlib>

#define PGMCP_FUZZ_CHECK(condition, what)                                           \
  do {                                                                              \
    if (!(condition)) {                                                             \
      std::fprintf(stderr, "fuzz invariant broken: %s (%s)\n", what, #condition); \
      std::abort();                                                                 \
    }                                                                               \
  } while (false)

// A bounded map from a token's key (the token itself, or its SHA-256 when long) to the identity it proved, so that a client sending the
// same token on every request pays for one signature check. Thread-safe: one mutex guards it all.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "auth/identity.h"

namespace pgmcp::auth {

class VerifiedTokenCache {
 public:
  struct Stats {
    uint64_t hits = 0;
    uint64_t misses = 0;
    uint64_t evictions = 0;  // entries dropped to make room (FIFO)
    size_t size = 0;
  };

  // capacity 0 disables the cache (every Lookup misses, Insert does nothing).
  explicit VerifiedTokenCache(size_t capacity) : capacity_(capacity) {}

  // The identity stored for `key` if `now` (Unix seconds) lies in its [valid_from, valid_until)
  // window and it was stored under `withdrawals`, the count of key withdrawals now. Time can only
  // fail a cached token, never revive one: the window is the one the full check computed (nbf/iat
  // and exp, each widened by the clock skew). A key withdrawn since the verdict voids it: the key
  // may have leaked, and the token is checked in full against the keys in force.
  std::optional<Identity> Lookup(const std::string& key, double now, uint64_t withdrawals = 0);

  // Stores an identity reached with keys no newer than `withdrawals`; when full, the oldest entry
  // goes (FIFO: cheap, and a token re-sent after eviction only costs one more signature check).
  void Insert(const std::string& key, const Identity& identity, double valid_from, double valid_until,
              uint64_t withdrawals = 0);

  Stats GetStats() const;

 private:
  struct Entry {
    Identity identity;
    double valid_from;
    double valid_until;
    uint64_t withdrawals;
  };

  const size_t capacity_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;  // GUARDED_BY(mu_)
  std::deque<std::string> order_;                   // GUARDED_BY(mu_): insertion order, oldest first
  uint64_t hits_ = 0;                               // GUARDED_BY(mu_)
  uint64_t misses_ = 0;                             // GUARDED_BY(mu_)
  uint64_t evictions_ = 0;                          // GUARDED_BY(mu_)
};

}  // namespace pgmcp::auth

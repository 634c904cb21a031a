#include "auth/verified_token_cache.h"

namespace pgmcp::auth {

std::optional<Identity> VerifiedTokenCache::Lookup(const std::string& key, double now, uint64_t withdrawals) {
  if (capacity_ == 0) return std::nullopt;
  std::lock_guard lock(mu_);
  const auto it = entries_.find(key);
  if (it == entries_.end() || now < it->second.valid_from || now >= it->second.valid_until ||
      it->second.withdrawals != withdrawals) {
    // An entry outside its window or voided by a withdrawal stays until FIFO eviction or until the
    // full check stores the token again: it can never be served, and erasing it here would need a
    // scan of order_.
    ++misses_;
    return std::nullopt;
  }
  ++hits_;
  return it->second.identity;
}

void VerifiedTokenCache::Insert(const std::string& key, const Identity& identity, double valid_from,
                                double valid_until, uint64_t withdrawals) {
  if (capacity_ == 0) return;
  std::lock_guard lock(mu_);
  const Entry entry{identity, valid_from, valid_until, withdrawals};
  auto [it, inserted] = entries_.try_emplace(key, entry);
  if (!inserted) {
    it->second = entry;  // same token, re-verified
    return;
  }
  order_.push_back(key);
  while (entries_.size() > capacity_) {
    entries_.erase(order_.front());
    order_.pop_front();
    ++evictions_;
  }
}

VerifiedTokenCache::Stats VerifiedTokenCache::GetStats() const {
  std::lock_guard lock(mu_);
  return Stats{.hits = hits_, .misses = misses_, .evictions = evictions_, .size = entries_.size()};
}

}  // namespace pgmcp::auth

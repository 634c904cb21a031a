#include "auth/verified_token_cache.h"

namespace pgmcp::auth {

std::optional<Identity> VerifiedTokenCache::Lookup(const std::string& key, double now) {
  if (capacity_ == 0) return std::nullopt;
  std::lock_guard lock(mu_);
  const auto it = entries_.find(key);
  if (it == entries_.end() || now < it->second.valid_from || now >= it->second.valid_until) {
    // An entry outside its window stays until FIFO eviction: it can never be served, and erasing it
    // here would need a scan of order_.
    ++misses_;
    return std::nullopt;
  }
  ++hits_;
  return it->second.identity;
}

void VerifiedTokenCache::Insert(const std::string& key, const Identity& identity, double valid_from,
                                double valid_until) {
  if (capacity_ == 0) return;
  std::lock_guard lock(mu_);
  auto [it, inserted] = entries_.try_emplace(key, Entry{identity, valid_from, valid_until});
  if (!inserted) {
    it->second = Entry{identity, valid_from, valid_until};  // same token, re-verified
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

#include "database/statement_cache.h"

#include <openssl/sha.h>

#include <algorithm>
#include <utility>

#include "common/hex.h"

namespace pgmcp::database {

std::string StatementName(std::string_view sql) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(sql.data()), sql.size(), digest);
  std::string name = "pgmcp_";
  // 128 bits: 38 characters, within NAMEDATALEN.
  AppendLowerHex(std::string_view(reinterpret_cast<const char*>(digest), 16), name);
  return name;
}

StatementCache::StatementCache(size_t capacity, std::shared_ptr<StatementCacheCounts> counts)
    : capacity_(std::max<size_t>(capacity, 1)),
      counts_(counts ? std::move(counts) : std::make_shared<StatementCacheCounts>()) {}

bool StatementCache::TakeFromEvicted(const std::string& name) {
  auto it = std::find(evicted_.begin(), evicted_.end(), name);
  if (it == evicted_.end()) return false;
  evicted_.erase(it);
  return true;
}

StatementCache::Use StatementCache::Lookup(std::string_view sql) {
  if (auto found = by_sql_.find(sql); found != by_sql_.end()) {
    ++counts_->hits;
    lru_.splice(lru_.begin(), lru_, found->second);
    return Use{found->second->name, false};
  }
  ++counts_->misses;
  lru_.push_front(Entry{std::string(sql), StatementName(sql)});
  by_sql_.emplace(lru_.front().sql, lru_.begin());
  // Evicted but not deallocated yet: it is still prepared on the server, so it is used as it is.
  const bool prepare = !TakeFromEvicted(lru_.front().name);
  lru_.front().settled = !prepare;
  if (lru_.size() > capacity_) {
    ++counts_->evictions;
    evicted_.push_back(std::move(lru_.back().name));
    by_sql_.erase(lru_.back().sql);
    lru_.pop_back();
  }
  return Use{lru_.front().name, prepare};
}

const std::string* StatementCache::SettledName(std::string_view sql) {
  auto found = by_sql_.find(sql);
  if (found == by_sql_.end() || !found->second->settled) return nullptr;
  ++counts_->hits;
  lru_.splice(lru_.begin(), lru_, found->second);
  return &found->second->name;
}

std::vector<std::string> StatementCache::TakeEvicted() { return std::exchange(evicted_, {}); }

void StatementCache::Prepared(std::string_view sql, bool exists) {
  auto found = by_sql_.find(sql);
  if (exists) {
    if (found != by_sql_.end()) found->second->settled = true;
    return;
  }
  if (found != by_sql_.end()) {
    auto entry = found->second;
    by_sql_.erase(found);
    lru_.erase(entry);
    return;
  }
  // Evicted in the same pipeline that failed to prepare it: nothing is left to deallocate.
  TakeFromEvicted(StatementName(sql));
}

void StatementCache::Deallocated(std::string name, bool done) {
  if (!done) evicted_.push_back(std::move(name));
}

}  // namespace pgmcp::database

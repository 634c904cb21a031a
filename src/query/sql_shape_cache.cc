#include "query/sql_shape_cache.h"

namespace pgmcp::query {

std::shared_ptr<const SqlShape> SqlShapeCache::Lookup(const std::string& key) {
  if (capacity_ == 0) return nullptr;
  std::lock_guard lock(mu_);
  const auto it = shapes_.find(key);
  if (it == shapes_.end()) {
    ++misses_;
    return nullptr;
  }
  ++hits_;
  return it->second;
}

void SqlShapeCache::Insert(const std::string& key, std::shared_ptr<const SqlShape> shape) {
  if (capacity_ == 0) return;
  std::lock_guard lock(mu_);
  if (shapes_.size() >= capacity_ && !shapes_.contains(key)) shapes_.clear();
  shapes_.insert_or_assign(key, std::move(shape));
}

SqlShapeCache::Stats SqlShapeCache::GetStats() const {
  std::lock_guard lock(mu_);
  return Stats{hits_, misses_, shapes_.size()};
}

}  // namespace pgmcp::query

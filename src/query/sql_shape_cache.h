// SQL built once per query shape (docs/decisions.md, "The hot path of a tool call"): the SELECT text
// up to its LIMIT and the result columns of one shape -- the table and the structure of the
// arguments, values excluded -- for BuildQuery to reuse, binding only the values per call.
// Thread-safe: one mutex guards it all. One cache serves one schema snapshot (its keys hold
// pointers into it) and must die with it: service::Published owns it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "query/query.h"

namespace pgmcp::query {

// What a shape's calls share: the SQL text without " LIMIT n[ OFFSET m]", and the result columns.
struct SqlShape {
  std::string sql;
  OutputColumns columns;
};

class SqlShapeCache {
 public:
  struct Stats {
    uint64_t hits = 0;
    uint64_t misses = 0;
    size_t size = 0;
  };

  static constexpr size_t kDefaultCapacity = 256;

  // capacity 0 disables the cache (every Lookup misses, Insert does nothing).
  explicit SqlShapeCache(size_t capacity = kDefaultCapacity) : capacity_(capacity) {}

  // The shape stored under `key` (query/sql_builder.cc, ShapeKey), or null.
  std::shared_ptr<const SqlShape> Lookup(const std::string& key);
  // Stores a shape; a full cache is emptied first (bounded, and a workload of more shapes than
  // that only builds its SQL as it did without the cache).
  void Insert(const std::string& key, std::shared_ptr<const SqlShape> shape);

  Stats GetStats() const;

 private:
  const size_t capacity_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const SqlShape>> shapes_;  // GUARDED_BY(mu_)
  uint64_t hits_ = 0;                                                         // GUARDED_BY(mu_)
  uint64_t misses_ = 0;                                                       // GUARDED_BY(mu_)
};

}  // namespace pgmcp::query

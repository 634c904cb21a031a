// StatementCache: the named prepared statements one connection holds, at most `capacity`, the
// least recently used evicted first (its DEALLOCATE goes out with the next pipeline).
// Not thread-safe: each Connection owns one and uses it from its own coroutine.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace pgmcp::database {

// The name a statement is prepared under: "pgmcp_" and the first 128 bits of the SHA-256 of its
// SQL text, in hex. The same name always means the same SQL, on every server connection, so a
// statement reached through a pooler on another connection can never run other SQL under a name
// pgmcp knows (docs/security.md, "Prepared statements").
std::string StatementName(std::string_view sql);

// What the caches of one pool's connections did, summed over them (PoolStats::statements, the
// pgmcp_pool_statement_cache_* series of docs/reference.md). Shared by the caches, on one executor.
struct StatementCacheCounts {
  uint64_t hits = 0;       // an execution found its statement prepared on the connection
  uint64_t misses = 0;     // it did not: the statement was added to the cache
  uint64_t evictions = 0;  // a statement left a full cache, to be deallocated
};

class StatementCache {
 public:
  // `counts`, when given, is shared with other caches (a pool's); otherwise the cache has its own.
  explicit StatementCache(size_t capacity, std::shared_ptr<StatementCacheCounts> counts = nullptr);

  struct Use {
    const std::string& name;
    bool prepare;  // not prepared on this connection yet: send the Parse before the execution
  };
  // The name to execute `sql` under, marked most recently used. A new entry beyond the capacity
  // evicts the least recently used one, to be deallocated (TakeEvicted). The returned name is
  // valid until the next Lookup.
  Use Lookup(std::string_view sql);
  // The name `sql` is prepared under, when an earlier pipeline's Parse of it has been settled
  // (Prepared); null when it is not cached or its Parse is still in flight. Marks it most recently
  // used. For a call that shares a round trip and must not depend on another call's Parse.
  const std::string* SettledName(std::string_view sql);
  // Names evicted and still prepared on the server: the caller sends their DEALLOCATE and reports
  // back with Deallocated.
  std::vector<std::string> TakeEvicted();

  // How the pipeline ended for a Parse that Lookup asked for: `exists` false (it failed or the
  // server skipped it) forgets the statement, so that its next use prepares it again.
  void Prepared(std::string_view sql, bool exists);
  // How the pipeline ended for a DEALLOCATE of `name`: `done` false (the server skipped it)
  // queues it again.
  void Deallocated(std::string name, bool done);

  size_t size() const { return by_sql_.size(); }
  const StatementCacheCounts& counts() const { return *counts_; }

 private:
  struct Entry {
    std::string sql;
    std::string name;
    bool settled = true;  // false while its Parse is in flight
  };
  bool TakeFromEvicted(const std::string& name);

  size_t capacity_;
  std::list<Entry> lru_;  // most recently used first
  std::unordered_map<std::string_view, std::list<Entry>::iterator> by_sql_;  // keys view lru_'s sql
  std::vector<std::string> evicted_;  // evicted names not yet deallocated on the server
  std::shared_ptr<StatementCacheCounts> counts_;
};

}  // namespace pgmcp::database

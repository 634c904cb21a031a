// Tables indexed by an enum (one row per enumerator, in declaration order): the compile-time
// check that a table still matches its enum after an enumerator is added.
#pragma once

#include <cstddef>

namespace pgmcp {

// True when row i of `table` is for enumerator i (read by `key`) and `last` is the final row's.
template <typename Table, typename Key, typename Enum>
constexpr bool RowsFollowEnum(const Table& table, Key key, Enum last) {
  for (std::size_t i = 0; i < table.size(); ++i) {
    if (static_cast<std::size_t>(key(table[i])) != i) return false;
  }
  return static_cast<std::size_t>(last) + 1 == table.size();
}

}  // namespace pgmcp

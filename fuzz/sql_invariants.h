// What every SELECT the query builder makes must satisfy whatever the arguments were
// (docs/query-language.md): values only as $n parameters, each parameter used, no statement
// separator or comment outside quoted identifiers and literals, parameters PostgreSQL can bind.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/utf8.h"
#include "fuzz/fuzz_check.h"
#include "query/query.h"

namespace pgmcp::fuzzing {

// A bind value must be text PostgreSQL accepts: no NUL (libpq passes C strings), valid UTF-8.
inline void CheckParam(std::string_view param) {
  PGMCP_FUZZ_CHECK(param.find('\0') == std::string_view::npos, "a parameter holds no NUL");
  PGMCP_FUZZ_CHECK(IsValidUtf8(param), "a parameter is valid UTF-8");
}

inline void CheckSql(const query::SqlQuery& built) {
  const std::string& sql = built.sql;
  std::vector<bool> used(built.params.size(), false);
  char quote = 0;  // '"' inside an identifier, '\'' inside a literal
  for (size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (quote != 0) {
      if (c == quote) {
        if (i + 1 < sql.size() && sql[i + 1] == quote) {
          ++i;  // a doubled quote stands for itself
        } else {
          quote = 0;
        }
      }
      continue;
    }
    if (c == '"' || c == '\'') {
      quote = c;
      continue;
    }
    PGMCP_FUZZ_CHECK(c != ';', "no statement separator outside quotes");
    PGMCP_FUZZ_CHECK(sql.compare(i, 2, "--") != 0 && sql.compare(i, 2, "/*") != 0, "no comment outside quotes");
    if (c == '$') {
      size_t n = 0;
      size_t j = i + 1;
      for (; j < sql.size() && sql[j] >= '0' && sql[j] <= '9' && n <= built.params.size(); ++j) {
        n = n * 10 + static_cast<size_t>(sql[j] - '0');
      }
      PGMCP_FUZZ_CHECK(n >= 1 && n <= built.params.size(), "every $n names a parameter");
      used[n - 1] = true;
      i = j - 1;
    }
  }
  PGMCP_FUZZ_CHECK(quote == 0, "quotes are balanced");
  for (size_t k = 0; k < used.size(); ++k) {
    PGMCP_FUZZ_CHECK(used[k], "every parameter is used");
    if (built.params[k]) CheckParam(*built.params[k]);
  }
}

}  // namespace pgmcp::fuzzing

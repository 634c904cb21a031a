// Bounded memory (docs/security.md, "Bounded memory"): how each result value is cut in the
// database before it is sent, one rule per type class, read by the SQL builder (which cuts) and
// the value encoder (which marks what was cut), so the two can never disagree.
#pragma once

#include <cstdint>
#include <string>

#include "config/settings.h"
#include "schema/snapshot.h"

namespace pgmcp::query {

enum class ValueCut {
  kNone,   // bounded by its type: numbers, booleans, dates and times, uuid, enum
  kText,   // text form cut to max_text_chars + 1 code points: the encoder still sees that it
           //   was longer, cuts it to max_text_chars and appends the marker
  kBytea,  // the first ByteaCutBytes() bytes: enough for the encoder to tell whether the
           //   base64 text is longer than max_text_chars
  kJson,   // text form cut to max_text_chars + 1 code points: a value that long becomes the
           //   marker string (a cut JSON document would not parse)
  kArray,  // text form cut to max_result_bytes + 1 code points: a longer array can hardly fit
           //   in a result anyway, and becomes the marker string
};

ValueCut CutOf(const schema::ColumnType& type);

// `expr` (a column or an aggregate of one) as the SELECT sends it: cut as CutOf says, every
// function named with pg_catalog (docs/security.md, "Name resolution is pinned").
std::string CutValueSql(const schema::ColumnType& type, const std::string& expr, const config::Limits& limits);

// The bytes of a bytea the database sends: whole base64 groups reaching one character past the
// limit, so that the first max_text_chars characters are those of the whole value.
int64_t ByteaCutBytes(int64_t max_text_chars);

}  // namespace pgmcp::query

// Value validation: turns one JSON value meant for a column into the text of a bind parameter,
// checking it against the column's type in C++ so that no bad value ever reaches PostgreSQL.
#pragma once

#include <boost/json/fwd.hpp>
#include <string>
#include <string_view>

#include "common/result.h"
#include "schema/snapshot.h"

namespace pgmcp::query {

// `column` names the column in error sentences; its type (the element type for arrays) decides
// what is accepted. The text is the canonical spelling PostgreSQL reads for the column's cast.
Result<std::string> ValueToParam(const schema::Column& column, const boost::json::value& value);

// Checks a string a caller gave for a text operator (contains, search...): no NUL, valid UTF-8.
Status CheckTextValue(const schema::Column& column, std::string_view text);

// Format checks, exposed for tests.
bool IsIntegerLiteral(std::string_view s, int int_bytes);
bool IsNumericLiteral(std::string_view s);
bool IsDateLiteral(std::string_view s);
bool IsTimeLiteral(std::string_view s, bool allow_offset);
bool IsTimestampLiteral(std::string_view s);
bool IsUuidLiteral(std::string_view s);
bool IsIntervalLiteral(std::string_view s);

}  // namespace pgmcp::query

#include "database/errors.h"

#include <string>

namespace pgmcp::database {

Error ErrorFromSqlState(std::string_view sqlstate) {
  std::string code(sqlstate);
  std::string_view cls = sqlstate.substr(0, 2);
  if (code == "57014") {
    return MakeError(ErrorKind::kTimeout, "The query was cancelled because it ran longer than the statement timeout.", code);
  }
  if (code == "42501") {
    return MakeError(ErrorKind::kPermissionDenied, "Permission denied: your role may not read this data.", code);
  }
  if (code == "42704" || code == "22023") {  // undefined role, invalid parameter value (set_config)
    return MakeError(ErrorKind::kPermissionDenied, "Permission denied: the role for this call cannot be used.", code);
  }
  if (cls == "22") {
    return MakeError(ErrorKind::kInvalidArgument, "A value in the call is not valid for its column's type.", code);
  }
  if (cls == "08" || cls == "57" || cls == "53") {
    return MakeError(ErrorKind::kUnavailable, "The database is unavailable right now; try again shortly.", code);
  }
  if (cls == "40") {
    return MakeError(ErrorKind::kRetry,
                     "The database could not complete the call because of concurrent activity; try again.", code);
  }
  return MakeError(ErrorKind::kInternal, "The database could not run this query.", code);
}

}  // namespace pgmcp::database

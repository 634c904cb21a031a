// The pgmcp commands (docs/reference.md, "Command line"); each returns the process exit code (0 ok, 1 runtime, 2 config).
#pragma once

#include "config/invocation.h"

namespace pgmcp::app {

int Serve(const config::Invocation& invocation);
int PrintTools(const config::Invocation& invocation);
int CallOnce(const config::Invocation& invocation);
int Check(const config::Invocation& invocation);
int PrintRoleSql(const config::Invocation& invocation);

}  // namespace pgmcp::app

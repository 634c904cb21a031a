// Temporary pass-through; the real rules of SPEC §3a replace this.
#include "security/sanitize.h"

namespace pgmcp::security {
void AppendSanitized(std::string_view text, config::SanitizeMode, std::string& out) { out.append(text); }
}  // namespace pgmcp::security

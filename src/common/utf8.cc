#include "common/utf8.h"

namespace pgmcp {

bool IsValidUtf8(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  for (std::size_t i = 0; i < text.size();) {
    const Utf8Sequence s = DecodeUtf8(p + i, text.size() - i);
    if (!s.valid) return false;
    i += s.length;
  }
  return true;
}

}  // namespace pgmcp

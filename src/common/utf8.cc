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

size_t Utf8PrefixBytes(std::string_view text, size_t max_code_points) {
  if (text.size() <= max_code_points) return text.size();
  size_t points = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {  // not a continuation byte
      if (points == max_code_points) return i;
      ++points;
    }
  }
  return text.size();
}

std::string CutUtf8(std::string_view text, size_t max_code_points) {
  size_t keep = Utf8PrefixBytes(text, max_code_points);
  std::string out(text.substr(0, keep));
  if (keep < text.size()) out += "…";
  return out;
}

}  // namespace pgmcp

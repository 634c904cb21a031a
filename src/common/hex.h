// Bytes as lowercase hex: digests and random identifiers that go into names and keys.
#pragma once

#include <string>
#include <string_view>

namespace pgmcp {

// Appends two lowercase hex digits per byte of `bytes` to `out`.
inline void AppendLowerHex(std::string_view bytes, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xF]);
  }
}

}  // namespace pgmcp

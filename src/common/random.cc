#include "common/random.h"

#include <openssl/rand.h>

namespace pgmcp {

Result<std::string> RandomHex128() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    return MakeError(ErrorKind::kInternal, "The server could not generate a random identifier.", "RAND_bytes");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * sizeof bytes);
  for (unsigned char b : bytes) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

}  // namespace pgmcp

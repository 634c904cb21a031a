#include "common/random.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <cstring>

#include "common/hex.h"

namespace pgmcp {

namespace {

// Every tool result needs a fresh nonce, and one RAND_bytes call costs thousands of instructions
// (locks, the DRBG's reseed checks): each thread draws 1 KiB at a time and hands it out 16 bytes
// per identifier. The bytes are still the CSPRNG's, used once each, and never leave the thread.
bool NextRandom16(unsigned char* out) {
  constexpr size_t kBatch = 1024;
  thread_local unsigned char batch[kBatch];
  thread_local size_t used = kBatch;
  if (used == kBatch) {
    if (RAND_bytes(batch, kBatch) != 1) return false;
    used = 0;
  }
  std::memcpy(out, batch + used, 16);
  OPENSSL_cleanse(batch + used, 16);
  used += 16;
  return true;
}

}  // namespace

Result<std::string> RandomHex128() {
  unsigned char bytes[16];
  if (!NextRandom16(bytes)) {
    return MakeError(ErrorKind::kInternal, "The server could not generate a random identifier.", "RAND_bytes");
  }
  std::string out;
  out.reserve(2 * sizeof bytes);
  AppendLowerHex(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes), out);
  return out;
}

}  // namespace pgmcp

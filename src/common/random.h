// Random identifiers from OpenSSL's CSPRNG: session ids and the nonces of untrusted-data
// delimiters. Thread-safe (OpenSSL's RNG is).
#pragma once

#include <string>

#include "common/result.h"

namespace pgmcp {

// 16 random bytes as 32 lowercase hex characters; kInternal when the CSPRNG fails (never a
// predictable fallback).
Result<std::string> RandomHex128();

}  // namespace pgmcp

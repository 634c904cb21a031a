// Fuzzes the sanitiser and UTF-8 decoding (common/sanitize.h, common/utf8.h) on arbitrary bytes,
// with the properties their headers promise: sanitised text is valid UTF-8 in every mode; the
// decoder always moves forward; a cut never ends inside a character.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/sanitize.h"
#include "common/utf8.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pgmcp;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  bool all_valid = true;
  for (size_t i = 0; i < size;) {
    const Utf8Sequence seq = DecodeUtf8(data + i, size - i);
    PGMCP_FUZZ_CHECK(seq.length >= 1 && seq.length <= size - i, "a sequence is inside the text");
    PGMCP_FUZZ_CHECK(seq.valid || seq.code_point == kReplacementChar, "an ill-formed sequence decodes to U+FFFD");
    PGMCP_FUZZ_CHECK(seq.code_point <= 0x10FFFF && !(seq.code_point >= 0xD800 && seq.code_point <= 0xDFFF),
                     "a code point is a Unicode scalar value");
    all_valid = all_valid && seq.valid;
    i += seq.length;
  }
  PGMCP_FUZZ_CHECK(all_valid == IsValidUtf8(text), "IsValidUtf8 agrees with the decoder");

  // kOff passes the text through as it is (values from a UTF8 database are valid already).
  PGMCP_FUZZ_CHECK(Sanitize(text, SanitizeMode::kOff) == text, "sanitize_text = off changes nothing");
  for (const SanitizeMode mode : {SanitizeMode::kStrict, SanitizeMode::kBasic}) {
    const std::string clean = Sanitize(text, mode);
    PGMCP_FUZZ_CHECK(IsValidUtf8(clean), "sanitised text is valid UTF-8");
    if (mode == SanitizeMode::kStrict) {
      PGMCP_FUZZ_CHECK(Sanitize(clean, mode) == clean, "sanitising twice changes nothing");
    }
  }

  const size_t max_code_points = size == 0 ? 0 : data[0] % 32;
  const size_t prefix = Utf8PrefixBytes(text, max_code_points);
  PGMCP_FUZZ_CHECK(prefix <= size, "a prefix is inside the text");
  if (all_valid) {
    PGMCP_FUZZ_CHECK(prefix == size || (data[prefix] & 0xC0) != 0x80, "a prefix never ends inside a character");
  }
  const std::string cut = CutUtf8(text, max_code_points);
  PGMCP_FUZZ_CHECK(cut.compare(0, prefix, text.substr(0, prefix)) == 0, "a cut text starts with the prefix");
  return 0;
}

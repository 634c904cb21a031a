#include "query/json_document.h"

#include <boost/json/basic_parser_impl.hpp>
#include <cstddef>
#include <cstdint>

#include "common/json_string.h"

namespace pgmcp::query {
namespace {

// Boost.JSON's parser calls these as it reads the document; each writes its part to `out` at once.
// Strings, keys and numbers may arrive in parts: they are gathered in `pending` first.
class CompactWriter {
 public:
  static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);

  using error_code = boost::json::error_code;
  using string_view = boost::json::string_view;

  CompactWriter(SanitizeMode mode, std::string& out) : mode_(mode), out_(out) {}

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_object_begin(error_code&) { return Open('{'); }
  bool on_object_end(std::size_t, error_code&) { return Close('}'); }
  bool on_array_begin(error_code&) { return Open('['); }
  bool on_array_end(std::size_t, error_code&) { return Close(']'); }
  bool on_key_part(string_view s, std::size_t, error_code&) { return Gather(s); }
  bool on_key(string_view s, std::size_t, error_code&) {
    Gather(s);
    BeforeValue();  // a key takes the comma its value would
    WriteText();
    out_.push_back(':');
    need_comma_ = false;
    return true;
  }
  bool on_string_part(string_view s, std::size_t, error_code&) { return Gather(s); }
  bool on_string(string_view s, std::size_t, error_code&) {
    Gather(s);
    BeforeValue();
    WriteText();
    need_comma_ = true;
    return true;
  }
  bool on_number_part(string_view s, error_code&) { return Gather(s); }
  bool on_int64(int64_t, string_view s, error_code&) { return WriteNumber(s); }
  bool on_uint64(uint64_t, string_view s, error_code&) { return WriteNumber(s); }
  bool on_double(double, string_view s, error_code&) { return WriteNumber(s); }
  bool on_bool(bool b, error_code&) { return WriteLiteral(b ? "true" : "false"); }
  bool on_null(error_code&) { return WriteLiteral("null"); }
  bool on_comment_part(string_view, error_code&) { return true; }
  bool on_comment(string_view, error_code&) { return true; }

 private:
  // The comma before a value or key that is not the first of its object or array.
  void BeforeValue() {
    if (need_comma_) out_.push_back(',');
  }
  bool Open(char bracket) {
    BeforeValue();
    out_.push_back(bracket);
    need_comma_ = false;
    return true;
  }
  bool Close(char bracket) {
    out_.push_back(bracket);
    need_comma_ = true;
    return true;
  }
  bool Gather(string_view s) {
    pending_.append(s.data(), s.size());
    return true;
  }
  bool WriteLiteral(std::string_view literal) {
    BeforeValue();
    out_.append(literal);
    need_comma_ = true;
    return true;
  }
  // The number's characters as the text has them: the parser has checked they are JSON.
  bool WriteNumber(string_view last) {
    BeforeValue();
    out_.append(pending_);
    out_.append(last.data(), last.size());
    pending_.clear();
    need_comma_ = true;
    return true;
  }
  // The gathered string or key (unescaped by the parser), sanitised and escaped.
  void WriteText() {
    if (mode_ == SanitizeMode::kOff || IsPrintableAscii(pending_)) {
      AppendJsonString(pending_, out_);
    } else {
      sanitized_.clear();
      AppendSanitized(pending_, mode_, sanitized_);
      AppendJsonString(sanitized_, out_);
    }
    pending_.clear();
  }

  SanitizeMode mode_;
  std::string& out_;
  std::string pending_;
  std::string sanitized_;
  bool need_comma_ = false;  // a value or key written last in the open object or array
};

}  // namespace

bool AppendCompactJson(std::string_view text, SanitizeMode mode, std::string& out) {
  const size_t mark = out.size();
  boost::json::parse_options options;
  options.max_depth = 10000;
  boost::json::basic_parser<CompactWriter> parser(options, mode, out);
  boost::json::error_code ec;
  const size_t used = parser.write_some(false, text.data(), text.size(), ec);
  if (ec || used != text.size()) {
    out.resize(mark);
    return false;
  }
  return true;
}

}  // namespace pgmcp::query

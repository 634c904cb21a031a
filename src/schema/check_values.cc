#include "schema/check_values.h"

#include <array>

namespace pgmcp::schema {
namespace {

enum class TokenKind { kIdent, kQuotedIdent, kString, kNumber, kPunct };

struct Token {
  TokenKind kind;
  std::string text;  // identifiers and strings unescaped
};

bool IsIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || static_cast<unsigned char>(c) >= 0x80;
}
bool IsIdentChar(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9') || c == '$'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads a '…' literal or "…" identifier whose opening quote is at s[i]; a doubled quote stands
// for one. Leaves i after the closing quote. nullopt when unterminated, or for a backslash in an
// E'…' literal (its escapes are rare in CHECK lists and not worth guessing).
std::optional<std::string> ReadQuoted(std::string_view s, size_t& i, char quote, bool escapes) {
  ++i;
  std::string text;
  for (;;) {
    if (i >= s.size()) return std::nullopt;
    if (s[i] == quote) {
      if (i + 1 < s.size() && s[i + 1] == quote) {
        text.push_back(quote);
        i += 2;
        continue;
      }
      ++i;
      return text;
    }
    if (escapes && s[i] == '\\') return std::nullopt;
    text.push_back(s[i++]);
  }
}

std::optional<std::vector<Token>> Tokenize(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == ' ' || c == '\n' || c == '\t') {
      ++i;
    } else if (c == '\'' || ((c == 'E' || c == 'e') && i + 1 < s.size() && s[i + 1] == '\'')) {
      bool escapes = c != '\'';
      if (escapes) ++i;
      auto text = ReadQuoted(s, i, '\'', escapes);
      if (!text) return std::nullopt;
      out.push_back({TokenKind::kString, std::move(*text)});
    } else if (c == '"') {
      auto text = ReadQuoted(s, i, '"', false);
      if (!text) return std::nullopt;
      out.push_back({TokenKind::kQuotedIdent, std::move(*text)});
    } else if (IsDigit(c) || (c == '.' && i + 1 < s.size() && IsDigit(s[i + 1]))) {
      size_t start = i;
      while (i < s.size() && (IsDigit(s[i]) || s[i] == '.' || s[i] == 'e' || s[i] == 'E')) ++i;
      out.push_back({TokenKind::kNumber, std::string(s.substr(start, i - start))});
    } else if (IsIdentStart(c)) {
      size_t start = i;
      while (i < s.size() && IsIdentChar(s[i])) ++i;
      out.push_back({TokenKind::kIdent, std::string(s.substr(start, i - start))});
    } else if (c == ':' && i + 1 < s.size() && s[i + 1] == ':') {
      out.push_back({TokenKind::kPunct, "::"});
      i += 2;
    } else if (std::string_view("()[],=.-").find(c) != std::string_view::npos) {
      out.push_back({TokenKind::kPunct, std::string(1, c)});
      ++i;
    } else {
      return std::nullopt;  // <>, <, >, ~~, ... : not a value list
    }
  }
  return out;
}

bool IsPunct(const Token& t, std::string_view p) { return t.kind == TokenKind::kPunct && t.text == p; }

bool IsKeyword(const Token& t, std::string_view word) {
  if (t.kind != TokenKind::kIdent || t.text.size() != word.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    char c = t.text[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != word[i]) return false;
  }
  return true;
}

// Words that continue a multi-word type name after `::` ("character varying", "double
// precision", "timestamp with time zone"). Anything else ends the type, so `OR`/`AND` never
// vanish into a cast.
bool IsTypeContinuation(const Token& t) {
  static constexpr std::array<std::string_view, 6> kWords = {"VARYING", "PRECISION", "WITH",
                                                              "WITHOUT", "TIME", "ZONE"};
  for (auto w : kWords) {
    if (IsKeyword(t, w)) return true;
  }
  return false;
}

// Drops casts (`::type`, `::schema."type"[]`, `::numeric(10,2)`) and parentheses, which carry no
// meaning for the shapes accepted below.
std::vector<Token> Simplify(const std::vector<Token>& in) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < in.size()) {
    if (IsPunct(in[i], "::")) {
      ++i;
      if (i < in.size() && (in[i].kind == TokenKind::kIdent || in[i].kind == TokenKind::kQuotedIdent)) ++i;
      while (i + 1 < in.size() && IsPunct(in[i], ".") &&
             (in[i + 1].kind == TokenKind::kIdent || in[i + 1].kind == TokenKind::kQuotedIdent)) {
        i += 2;
      }
      while (i < in.size() && IsTypeContinuation(in[i])) ++i;
      if (i + 1 < in.size() && IsPunct(in[i], "(") && in[i + 1].kind == TokenKind::kNumber) {
        size_t j = i + 1;
        while (j < in.size() && (in[j].kind == TokenKind::kNumber || IsPunct(in[j], ","))) ++j;
        if (j < in.size() && IsPunct(in[j], ")")) i = j + 1;
      }
      while (i + 1 < in.size() && IsPunct(in[i], "[") && IsPunct(in[i + 1], "]")) i += 2;
      continue;
    }
    if (IsPunct(in[i], "(") || IsPunct(in[i], ")")) {
      ++i;
      continue;
    }
    out.push_back(in[i++]);
  }
  return out;
}

bool IsColumn(const Token& t, std::string_view column) {
  if (t.kind == TokenKind::kQuotedIdent) return t.text == column;
  if (t.kind != TokenKind::kIdent) return false;
  if (column == "VALUE") return IsKeyword(t, "VALUE");
  return t.text == column;
}

// A constant at tokens[i]: 'text', 123, -1.5, or TRUE/FALSE.
bool ReadConstant(const std::vector<Token>& t, size_t& i, std::string& value) {
  if (i >= t.size()) return false;
  if (t[i].kind == TokenKind::kString || t[i].kind == TokenKind::kNumber) {
    value = t[i++].text;
    return true;
  }
  if (IsPunct(t[i], "-") && i + 1 < t.size() && t[i + 1].kind == TokenKind::kNumber) {
    value = "-" + t[i + 1].text;
    i += 2;
    return true;
  }
  if (IsKeyword(t[i], "TRUE") || IsKeyword(t[i], "FALSE")) {
    value = IsKeyword(t[i], "TRUE") ? "true" : "false";
    ++i;
    return true;
  }
  return false;
}

// "c1, c2, ...": one or more constants separated by commas, appended to `values`.
bool ReadConstantList(const std::vector<Token>& t, size_t& i, std::vector<std::string>& values) {
  std::string value;
  for (;;) {
    if (!ReadConstant(t, i, value)) return false;
    values.push_back(value);
    if (i >= t.size() || !IsPunct(t[i], ",")) return true;
    ++i;
  }
}

}  // namespace

std::optional<std::vector<std::string>> ParseCheckValues(std::string_view definition, std::string_view column) {
  auto tokens = Tokenize(definition);
  if (!tokens) return std::nullopt;
  auto t = Simplify(*tokens);
  size_t i = 0;
  if (i < t.size() && IsKeyword(t[i], "CHECK")) ++i;
  if (i >= t.size() || !IsColumn(t[i], column)) return std::nullopt;
  ++i;
  std::vector<std::string> values;
  std::string value;
  if (i < t.size() && IsKeyword(t[i], "IN")) {
    ++i;  // IN (a, b): pg_get_constraintdef prints = ANY, but accept the spelled form too
    if (!ReadConstantList(t, i, values)) return std::nullopt;
  } else {
    if (i >= t.size() || !IsPunct(t[i], "=")) return std::nullopt;
    ++i;
    if (i + 2 < t.size() && IsKeyword(t[i], "ANY") && IsKeyword(t[i + 1], "ARRAY") && IsPunct(t[i + 2], "[")) {
      i += 3;
      if (!ReadConstantList(t, i, values)) return std::nullopt;
      if (i >= t.size() || !IsPunct(t[i], "]")) return std::nullopt;
      ++i;
    } else {
      if (!ReadConstant(t, i, value)) return std::nullopt;
      values.push_back(value);
    }
  }
  // `OR col IS NULL` keeps the list exhaustive for the non-null values.
  if (i + 3 < t.size() && IsKeyword(t[i], "OR") && IsColumn(t[i + 1], column) && IsKeyword(t[i + 2], "IS") &&
      IsKeyword(t[i + 3], "NULL")) {
    i += 4;
  }
  if (i != t.size() || values.empty()) return std::nullopt;
  return values;
}

}  // namespace pgmcp::schema

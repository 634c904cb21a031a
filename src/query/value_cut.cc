#include "query/value_cut.h"

namespace pgmcp::query {
namespace {

using schema::TypeCategory;

constexpr uint32_t kBpcharOid = 1042;

// The value's text form, as its output function writes it. character(n) goes through its output
// function because the cast to text would drop the padding that today's result keeps.
std::string TextForm(const schema::ColumnType& type, const std::string& expr) {
  if (!type.is_array && type.oid == kBpcharOid) return "pg_catalog.textin(pg_catalog.bpcharout(" + expr + "))";
  return expr + "::pg_catalog.text";
}

std::string Left(const std::string& text, int64_t code_points) {
  return "pg_catalog.left(" + text + ", " + std::to_string(code_points) + ")";
}

}  // namespace

ValueCut CutOf(const schema::ColumnType& type) {
  if (type.is_array) return ValueCut::kArray;
  switch (type.category) {
    case TypeCategory::kText:
    case TypeCategory::kOther:  // xml, tsvector, hstore, geometry...: unbounded text forms
      return ValueCut::kText;
    case TypeCategory::kBytea:
      return ValueCut::kBytea;
    case TypeCategory::kJson:
      return ValueCut::kJson;
    default:
      return ValueCut::kNone;
  }
}

std::string CutValueSql(const schema::ColumnType& type, const std::string& expr, const config::Limits& limits) {
  switch (CutOf(type)) {
    case ValueCut::kNone:
      return expr;
    case ValueCut::kText:
    case ValueCut::kJson:
      return Left(TextForm(type, expr), limits.max_text_chars + 1);
    case ValueCut::kArray:
      return Left(TextForm(type, expr), limits.max_result_bytes + 1);
    case ValueCut::kBytea:
      return "pg_catalog.substring(" + expr + ", 1, " + std::to_string(ByteaCutBytes(limits.max_text_chars)) + ")";
  }
  return expr;
}

int64_t ByteaCutBytes(int64_t max_text_chars) { return 3 * (max_text_chars / 4 + 1); }

}  // namespace pgmcp::query

#include "query/column_traits.h"

#include <algorithm>
#include <string_view>
#include <utility>

#include "common/sql_text.h"

namespace pgmcp::query {
namespace {

using schema::ColumnType;
using schema::TypeCategory;

constexpr uint32_t kJsonOid = 114;
constexpr uint32_t kTimetzOid = 1266;

// The member of `all` that `name_of` calls `name`: the inverse of the *Name functions below.
template <typename Enum, size_t N>
bool ParseByName(std::string_view name, const Enum (&all)[N], std::string_view (*name_of)(Enum), Enum& out) {
  const auto* found = std::find_if(std::begin(all), std::end(all), [&](Enum e) { return name_of(e) == name; });
  if (found == std::end(all)) return false;
  out = *found;
  return true;
}

bool IsRangeCategory(TypeCategory c) {
  switch (c) {
    case TypeCategory::kInteger:
    case TypeCategory::kNumeric:
    case TypeCategory::kFloat:
    case TypeCategory::kText:
    case TypeCategory::kDate:
    case TypeCategory::kTime:
    case TypeCategory::kTimestamp:
    case TypeCategory::kTimestamptz:
    case TypeCategory::kInterval:
      return true;
    default:
      return false;
  }
}

// A cast name comes from format_type() in the catalog, never from a caller; still, it is pasted
// into SQL, so accept only what a type name can look like: words, dots, spaces, parentheses,
// digits, brackets and double-quoted identifiers.
bool LooksLikeTypeName(std::string_view s) {
  if (s.empty() || s.size() > 200) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '"') {
      ++i;
      while (i < s.size()) {
        if (s[i] == '"') {
          if (i + 1 < s.size() && s[i + 1] == '"') {
            i += 2;
            continue;
          }
          break;
        }
        if (s[i] == '\0') return false;
        ++i;
      }
      if (i >= s.size()) return false;
      continue;
    }
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == ' ' || c == '(' || c == ')' || c == ',' || c == '[' ||
                    c == ']';
    if (!ok) return false;
  }
  return true;
}

// A built-in type's cast name (format_type's spelling, as the snapshot holds it) written with
// its schema, so that it names pg_catalog's type whatever the search_path: "integer" becomes
// "pg_catalog.int4", "text" "pg_catalog.text". Names already qualified (user types: their own
// schema) are kept.
std::string QualifiedCatalogCast(const std::string& cast) {
  static constexpr std::pair<std::string_view, std::string_view> kKeywordTypes[] = {
      {"smallint", "int2"},
      {"integer", "int4"},
      {"bigint", "int8"},
      {"real", "float4"},
      {"double precision", "float8"},
      {"boolean", "bool"},
      {"character varying", "varchar"},
      {"character", "bpchar"},
      {"bit varying", "varbit"},
      {"time without time zone", "time"},
      {"time with time zone", "timetz"},
      {"timestamp without time zone", "timestamp"},
      {"timestamp with time zone", "timestamptz"},
      {"\"char\"", "\"char\""},
  };
  for (const auto& [keyword, name] : kKeywordTypes) {
    if (cast == keyword) return "pg_catalog." + std::string(name);
  }
  const bool simple = !cast.empty() && std::all_of(cast.begin(), cast.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
  return simple ? "pg_catalog." + cast : cast;
}

std::string DefaultCast(const ColumnType& t) {
  switch (t.category) {
    case TypeCategory::kBoolean: return "boolean";
    case TypeCategory::kInteger: return t.int_bytes == 2 ? "smallint" : t.int_bytes == 4 ? "integer" : "bigint";
    case TypeCategory::kNumeric: return "numeric";
    case TypeCategory::kFloat: return t.oid == 700 ? "real" : "double precision";
    case TypeCategory::kText: return "text";
    case TypeCategory::kUuid: return "uuid";
    case TypeCategory::kDate: return "date";
    case TypeCategory::kTime: return t.oid == kTimetzOid ? "timetz" : "time";
    case TypeCategory::kTimestamp: return "timestamp";
    case TypeCategory::kTimestamptz: return "timestamptz";
    case TypeCategory::kInterval: return "interval";
    case TypeCategory::kJson: return IsPlainJson(t) ? "json" : "jsonb";
    case TypeCategory::kBytea: return "bytea";
    default: return "";
  }
}

}  // namespace

std::string_view FilterOpName(FilterOp op) {
  switch (op) {
    case FilterOp::kEq: return "eq";
    case FilterOp::kNeq: return "neq";
    case FilterOp::kIn: return "in";
    case FilterOp::kNotIn: return "not_in";
    case FilterOp::kGt: return "gt";
    case FilterOp::kGte: return "gte";
    case FilterOp::kLt: return "lt";
    case FilterOp::kLte: return "lte";
    case FilterOp::kIsNull: return "is_null";
    case FilterOp::kContains: return "contains";
    case FilterOp::kStartsWith: return "starts_with";
    case FilterOp::kEndsWith: return "ends_with";
    case FilterOp::kSearch: return "search";
  }
  return "";
}

bool ParseFilterOp(std::string_view name, FilterOp& op) { return ParseByName(name, kAllFilterOps, FilterOpName, op); }

std::string_view AggregateFnName(AggregateFn fn) {
  switch (fn) {
    case AggregateFn::kCount: return "count";
    case AggregateFn::kCountDistinct: return "count_distinct";
    case AggregateFn::kSum: return "sum";
    case AggregateFn::kAvg: return "avg";
    case AggregateFn::kMin: return "min";
    case AggregateFn::kMax: return "max";
  }
  return "";
}

bool ParseAggregateFn(std::string_view name, AggregateFn& fn) {
  return ParseByName(name, kAllAggregateFns, AggregateFnName, fn);
}

std::string_view BucketName(Bucket bucket) {
  switch (bucket) {
    case Bucket::kNone: return "";
    case Bucket::kHour: return "hour";
    case Bucket::kDay: return "day";
    case Bucket::kWeek: return "week";
    case Bucket::kMonth: return "month";
    case Bucket::kQuarter: return "quarter";
    case Bucket::kYear: return "year";
  }
  return "";
}

bool ParseBucket(std::string_view name, Bucket& bucket) { return ParseByName(name, kAllBuckets, BucketName, bucket); }

bool IsPlainJson(const ColumnType& t) {
  return t.category == TypeCategory::kJson && (t.oid == kJsonOid || t.sql_name == "json");
}

bool OperatorAllowed(const ColumnType& t, FilterOp op) {
  if (op == FilterOp::kIsNull) return true;
  if (t.is_array) {
    // Arrays: `contains` means "holds all these elements" (@>); no other operator.
    return op == FilterOp::kContains && t.category != TypeCategory::kJson &&
           t.category != TypeCategory::kBytea && HasElementCast(t);
  }
  if (!HasElementCast(t)) return false;
  switch (op) {
    case FilterOp::kEq:
    case FilterOp::kNeq:
    case FilterOp::kIn:
    case FilterOp::kNotIn:
      return t.category != TypeCategory::kJson && t.category != TypeCategory::kBytea;
    case FilterOp::kGt:
    case FilterOp::kGte:
    case FilterOp::kLt:
    case FilterOp::kLte:
      return IsRangeCategory(t.category);
    case FilterOp::kContains:
    case FilterOp::kStartsWith:
    case FilterOp::kEndsWith:
    case FilterOp::kSearch:
      return t.category == TypeCategory::kText;
    case FilterOp::kIsNull:
      return true;
  }
  return false;
}

std::vector<FilterOp> AllowedOperators(const ColumnType& t) {
  std::vector<FilterOp> ops;
  for (FilterOp op : kAllFilterOps) {
    if (OperatorAllowed(t, op)) ops.push_back(op);
  }
  return ops;
}

bool CanOrderBy(const ColumnType& t) {
  // json has no ordering operator (jsonb has); for "other" types we cannot know, so we do not offer it.
  return !IsPlainJson(t) && t.category != TypeCategory::kOther;
}

bool CanGroupBy(const ColumnType& t) { return !IsPlainJson(t) && t.category != TypeCategory::kOther; }

bool CanAggregate(const ColumnType& t, AggregateFn fn) {
  switch (fn) {
    case AggregateFn::kCount:
      return true;
    case AggregateFn::kCountDistinct:
      return CanGroupBy(t);
    case AggregateFn::kSum:
    case AggregateFn::kAvg:
      return !t.is_array && (t.category == TypeCategory::kInteger || t.category == TypeCategory::kNumeric ||
                             t.category == TypeCategory::kFloat || t.category == TypeCategory::kInterval);
    case AggregateFn::kMin:
    case AggregateFn::kMax:
      // PostgreSQL has no min/max for boolean, uuid, json or bytea.
      return !t.is_array && (IsRangeCategory(t.category) || t.category == TypeCategory::kEnum);
  }
  return false;
}

bool CanBucket(const ColumnType& t, Bucket bucket) {
  if (t.is_array) return false;
  if (t.category == TypeCategory::kDate) return bucket != Bucket::kHour;
  return t.category == TypeCategory::kTimestamp || t.category == TypeCategory::kTimestamptz;
}

namespace {

// The cast name of `t`'s elements as the snapshot has it, without "[]"; DefaultCast when it has
// none. Without a length, `character` and `bit` mean length 1 and would cut the value: their
// unbounded spellings, which compare the same way, instead.
template <typename Use>
auto WithCastName(const ColumnType& t, Use use) {
  std::string_view cast = t.is_array && !t.element_cast_name.empty() ? t.element_cast_name : t.cast_name;
  while (cast.ends_with("[]")) cast.remove_suffix(2);
  if (cast.empty()) {
    const std::string fallback = DefaultCast(t);
    return use(std::string_view(fallback));
  }
  if (cast == "character" || cast == "char" || cast == "pg_catalog.bpchar") return use(std::string_view("bpchar"));
  if (cast == "bit") return use(std::string_view("varbit"));
  return use(cast);
}

}  // namespace

std::string ElementCast(const ColumnType& t) {
  return WithCastName(t, [](std::string_view cast) {
    return LooksLikeTypeName(cast) ? QualifiedCatalogCast(std::string(cast)) : std::string();
  });
}

bool HasElementCast(const ColumnType& t) { return WithCastName(t, LooksLikeTypeName); }

std::string OperatorSchema(const ColumnType& t) {
  if (t.operator_schema.empty() || t.operator_schema == "pg_catalog") return "pg_catalog";
  return QuoteIdentifier(t.operator_schema);
}

std::string TypeLabel(const ColumnType& t) {
  std::string label;
  switch (t.category) {
    case TypeCategory::kBoolean: label = "boolean"; break;
    case TypeCategory::kInteger: label = "integer"; break;
    case TypeCategory::kNumeric: label = "numeric"; break;
    case TypeCategory::kFloat: label = "floating-point"; break;
    case TypeCategory::kText: label = "text"; break;
    case TypeCategory::kEnum: label = "enum"; break;
    case TypeCategory::kUuid: label = "uuid"; break;
    case TypeCategory::kDate: label = "date"; break;
    case TypeCategory::kTime: label = "time"; break;
    case TypeCategory::kTimestamp: label = "timestamp"; break;
    case TypeCategory::kTimestamptz: label = "timestamp with time zone"; break;
    case TypeCategory::kInterval: label = "interval"; break;
    case TypeCategory::kJson: label = IsPlainJson(t) ? "json" : "jsonb"; break;
    case TypeCategory::kBytea: label = "bytea"; break;
    case TypeCategory::kOther: label = t.sql_name.empty() ? "other" : t.sql_name; break;
  }
  if (t.is_array && label.find("[]") == std::string::npos) label += " array";
  return label;
}


schema::ColumnType AggregateResultType(AggregateFn fn, const ColumnType* column) {
  ColumnType r;
  switch (fn) {
    case AggregateFn::kCount:
    case AggregateFn::kCountDistinct:
      r.oid = 20;
      r.sql_name = r.cast_name = "bigint";
      r.category = TypeCategory::kInteger;
      r.int_bytes = 8;
      return r;
    case AggregateFn::kSum:
    case AggregateFn::kAvg:
      if (column != nullptr && (column->category == TypeCategory::kFloat ||
                                column->category == TypeCategory::kInterval)) {
        r = *column;
        if (r.category == TypeCategory::kFloat && fn == AggregateFn::kAvg) {
          r.oid = 701;
          r.sql_name = r.cast_name = "double precision";
        }
        return r;
      }
      // sum(int8), sum(numeric) and every integer avg are numeric; sum(int2/int4) is bigint,
      // which encodes the same way (all digits as a JSON number).
      r.oid = 1700;
      r.sql_name = r.cast_name = "numeric";
      r.category = TypeCategory::kNumeric;
      return r;
    case AggregateFn::kMin:
    case AggregateFn::kMax:
      return column != nullptr ? *column : r;
  }
  return r;
}

}  // namespace pgmcp::query

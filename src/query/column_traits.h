// What each column type allows in the argument language (operators, ordering, grouping,
// aggregates, buckets) and how a bind parameter is cast for it. One table of rules, read by the
// argument parser, the SQL builder and the input schema, so the three can never disagree.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/sql_text.h"
#include "schema/snapshot.h"

namespace pgmcp::query {

enum class FilterOp {
  kEq,
  kNeq,
  kIn,
  kNotIn,
  kGt,
  kGte,
  kLt,
  kLte,
  kIsNull,
  kContains,
  kStartsWith,
  kEndsWith,
  kSearch,
};
inline constexpr FilterOp kAllFilterOps[] = {
    FilterOp::kEq,  FilterOp::kNeq, FilterOp::kIn,     FilterOp::kNotIn,    FilterOp::kGt,
    FilterOp::kGte, FilterOp::kLt,  FilterOp::kLte,    FilterOp::kIsNull,   FilterOp::kContains,
    FilterOp::kStartsWith, FilterOp::kEndsWith, FilterOp::kSearch};

std::string_view FilterOpName(FilterOp op);
bool ParseFilterOp(std::string_view name, FilterOp& op);

enum class AggregateFn { kCount, kCountDistinct, kSum, kAvg, kMin, kMax };
inline constexpr AggregateFn kAllAggregateFns[] = {AggregateFn::kCount, AggregateFn::kCountDistinct,
                                                   AggregateFn::kSum,   AggregateFn::kAvg,
                                                   AggregateFn::kMin,   AggregateFn::kMax};
std::string_view AggregateFnName(AggregateFn fn);
bool ParseAggregateFn(std::string_view name, AggregateFn& fn);

enum class Bucket { kNone, kHour, kDay, kWeek, kMonth, kQuarter, kYear };
inline constexpr Bucket kAllBuckets[] = {Bucket::kHour,  Bucket::kDay,     Bucket::kWeek,
                                         Bucket::kMonth, Bucket::kQuarter, Bucket::kYear};
std::string_view BucketName(Bucket bucket);
bool ParseBucket(std::string_view name, Bucket& bucket);

// The operators a column accepts, in the order of kAllFilterOps.
std::vector<FilterOp> AllowedOperators(const schema::ColumnType& type);
bool OperatorAllowed(const schema::ColumnType& type, FilterOp op);

bool IsPlainJson(const schema::ColumnType& type);  // json (no equality, no ordering) vs jsonb
bool CanOrderBy(const schema::ColumnType& type);
bool CanGroupBy(const schema::ColumnType& type);
bool CanAggregate(const schema::ColumnType& type, AggregateFn fn);
// Buckets make sense on date (day and longer) and timestamp columns.
bool CanBucket(const schema::ColumnType& type, Bucket bucket);

// The SQL type a bind parameter is cast to for this column: the element type for arrays.
// Empty when the snapshot's cast name is missing or does not look like a type name.
// Built-in types are named with pg_catalog ("pg_catalog.int4"), user types with their own schema.
std::string ElementCast(const schema::ColumnType& type);
// Whether ElementCast(type) is not empty, without building it.
bool HasElementCast(const schema::ColumnType& type);

// The schema whose operators (and min/max) a column's comparisons name, already quoted for SQL:
// the type's own schema for a base type of an extension (citext's operators live with it),
// pg_catalog for everything else (built-in types, and enums, ranges and composites, whose
// operators are pg_catalog's polymorphic ones).
std::string OperatorSchema(const schema::ColumnType& type);

// A short name of the type for error sentences ("integer", "date", "text[]").
std::string TypeLabel(const schema::ColumnType& type);


// The type of an aggregate's result, for JSON encoding.
schema::ColumnType AggregateResultType(AggregateFn fn, const schema::ColumnType* column);

}  // namespace pgmcp::query

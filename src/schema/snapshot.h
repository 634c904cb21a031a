// SchemaSnapshot: the immutable model of everything pgmcp exposes, built by introspection
// and shared by readers as std::shared_ptr<const SchemaSnapshot>; a reload swaps the pointer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pgmcp::schema {

// What a column's values are, for validation, operators, SQL casts and JSON encoding.
// Which audited roles (indexes into SchemaSnapshot::roles) may SELECT something: one bit per role.
class RoleSet {
 public:
  void Add(size_t role) {
    if (role >= bits_.size()) bits_.resize(role + 1, false);
    bits_[role] = true;
  }
  bool Has(size_t role) const { return role < bits_.size() && bits_[role]; }
  bool Empty() const {
    for (bool b : bits_) {
      if (b) return false;
    }
    return true;
  }
  bool operator==(const RoleSet& other) const = default;

 private:
  std::vector<bool> bits_;
};

enum class TypeCategory {
  kBoolean,
  kInteger,      // int2, int4, int8 (range checked per type)
  kNumeric,      // numeric/decimal (arbitrary precision)
  kFloat,        // float4, float8
  kText,         // text, varchar, char, citext, name
  kEnum,         // user enum: allowed values are the labels
  kUuid,
  kDate,
  kTime,         // time, timetz
  kTimestamp,    // timestamp without time zone
  kTimestamptz,  // timestamp with time zone
  kInterval,
  kJson,         // json, jsonb
  kBytea,
  kOther,        // anything else: selectable as text, filterable by eq/in/is_null only
};

struct ColumnType {
  uint32_t oid = 0;            // the column's type oid (after resolving domains: the base type)
  std::string sql_name;        // format_type(), e.g. "numeric(12,2)", "character varying(80)"
  std::string cast_name;       // what a bind parameter is cast to, e.g. "numeric", "public.plan"
  TypeCategory category = TypeCategory::kOther;
  int16_t int_bytes = 0;       // 2, 4 or 8 for kInteger
  bool is_array = false;       // then category/int_bytes describe the element type
  std::string domain;          // the domain's name when the column is declared with one
  std::string element_cast_name;  // for arrays: what one element is cast to, e.g. "integer"
  // The schema of the operators that compare it: set only for a base type outside pg_catalog
  // (an extension's, such as citext); empty means pg_catalog.
  std::string operator_schema;
};

struct Column {
  std::string name;
  int position = 0;  // attnum
  ColumnType type;
  bool nullable = true;
  std::string comment;
  std::vector<std::string> allowed_values;  // enum labels, CHECK (col IN (...)), or common values
  enum class ValuesSource { kNone, kEnum, kCheck, kStatistics } values_source = ValuesSource::kNone;
  RoleSet readers;  // the audited roles that may SELECT this column (the privilege matrix)
};

struct ForeignKey {
  std::vector<std::string> columns;
  std::string ref_schema;
  std::string ref_table;
  std::vector<std::string> ref_columns;
};

// An incoming foreign key: rows of `schema.table(columns)` point at this table.
struct Reference {
  std::string schema;
  std::string table;
  std::vector<std::string> columns;
  std::vector<std::string> ref_columns;  // the columns of this table they point at
};

enum class RelationKind { kTable, kView, kMaterializedView, kPartitionedTable, kForeignTable };

struct Table {
  uint32_t oid = 0;
  std::string schema;
  std::string name;
  RelationKind kind = RelationKind::kTable;
  std::string comment;
  std::vector<Column> columns;  // exposed columns only, in attnum order
  std::vector<std::string> primary_key;
  std::vector<std::vector<std::string>> unique_keys;
  std::vector<ForeignKey> foreign_keys;
  std::vector<Reference> referenced_by;
  // Exposed columns that lead a usable index, in column order: what a filter should name to be
  // cheap (the cost guard's refusal suggests them).
  std::vector<std::string> indexed_columns;
  double row_estimate = -1;  // reltuples; -1 when never analyzed
  bool row_security = false;  // relrowsecurity
  std::string owner;
  // A materialized view whose query reads a table under row-level security: its rows are the
  // owner's view of that table, so no sample values from it go into descriptions.
  bool reads_row_secured = false;
  // The audited roles that may SELECT the table or at least one of its columns.
  RoleSet readers;

  std::string tool_name;    // query_<table> or query_<schema>_<table>, unique in its view, <= 64 chars
  // The tool name in the full snapshot, the same for every caller: the `tool` label of the table's
  // /metrics series. A role's view names its tables anew (schema/visible_to.h), so where a table
  // it cannot see had taken a name, tool_name there differs from this.
  std::string metric_name;
  std::string description;  // what the model reads to pick this tool
  std::string purpose;      // the one-line purpose (config override or comment), "" when none is known
  std::string title;

  const Column* FindColumn(std::string_view column_name) const {
    for (const auto& c : columns) {
      if (c.name == column_name) return &c;
    }
    return nullptr;
  }
  std::string QualifiedName() const { return schema + "." + name; }
};

struct SchemaSnapshot {
  std::vector<Table> tables;                 // sorted by tool_name
  std::map<std::string, size_t> by_tool;     // tool_name -> index into tables
  std::string version;                       // hash of the exposed catalog (docs/operations.md, reloads)
  std::vector<std::string> warnings;         // e.g. skipped plain views
  // The audited roles the privilege matrix (Table::readers, Column::readers) is about: the login
  // role first, then auth.allowed_roles and auth.anonymous_role (docs/security.md, "What a caller
  // sees"). A role that does not exist is listed but reads nothing.
  std::vector<std::string> roles;

  const Table* FindTool(std::string_view tool) const {
    auto it = by_tool.find(std::string(tool));
    return it == by_tool.end() ? nullptr : &tables[it->second];
  }
};

using SnapshotPtr = std::shared_ptr<const SchemaSnapshot>;

}  // namespace pgmcp::schema

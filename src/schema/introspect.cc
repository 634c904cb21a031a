#include "schema/introspect.h"

#include "common/sql_text.h"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "schema/catalog_text.h"
#include "schema/check_values.h"
#include "schema/glob.h"
#include "schema/privilege_matrix.h"
#include "schema/snapshot_builder.h"

namespace pgmcp::schema {
namespace {

// ---------------------------------------------------------------------------------------------
// Catalog queries. Every value is a bind parameter: $1 the exposed schemas (text[]), $2 the
// configured roles of auth.allowed_roles and auth.anonymous_role (text[]) or relation oids (oid[]).

// A relation is selectable when the login role or a configured role holds SELECT on it or on
// one of its columns. Roles that do not exist are ignored (has_table_privilege(name, ...)
// would raise), which is why the roles go through pg_roles.
constexpr const char* kSelectableSql = R"SQL(
  (has_table_privilege(c.oid, 'SELECT') OR has_any_column_privilege(c.oid, 'SELECT')
   OR EXISTS (SELECT 1 FROM pg_catalog.pg_roles r
              WHERE r.rolname = ANY ($2::text[])
                AND (has_table_privilege(r.oid, c.oid, 'SELECT')
                     OR has_any_column_privilege(r.oid, c.oid, 'SELECT'))))
)SQL";

// Partitions are never exposed: their parent is. A partitioned parent's row estimate is the sum
// over its leaf partitions (-1 when none was ever analyzed).
const std::string kRelationsSql = std::string(R"SQL(
SELECT c.oid, n.nspname, c.relname, c.relkind::text AS relkind, c.relrowsecurity,
       pg_catalog.pg_get_userbyid(c.relowner) AS owner,
       COALESCE(pg_catalog.obj_description(c.oid, 'pg_class'), '') AS comment,
       EXISTS (SELECT 1 FROM unnest(c.reloptions) o
               WHERE o ~* '^security_invoker=(t|tr|tru|true|y|ye|yes|on|1)$') AS security_invoker,
       (CASE c.relkind
          WHEN 'p' THEN (SELECT CASE WHEN bool_or(p.reltuples >= 0)
                                     THEN sum(GREATEST(p.reltuples, 0)) ELSE -1 END
                         FROM pg_catalog.pg_partition_tree(c.oid) pt
                         JOIN pg_catalog.pg_class p ON p.oid = pt.relid
                         WHERE pt.isleaf)
          WHEN 'v' THEN -1
          ELSE c.reltuples END)::float8 AS row_estimate,
       c.relkind = 'm' AND EXISTS (
         -- Everything the materialized view reads, through views and other materialized views
         -- at any depth (UNION stops at relations already seen).
         WITH RECURSIVE reads(oid) AS (
           SELECT c.oid
           UNION
           SELECT d.refobjid
           FROM reads r
           JOIN pg_catalog.pg_rewrite rw ON rw.ev_class = r.oid
           JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::regclass
                                      AND d.objid = rw.oid
                                      AND d.refclassid = 'pg_catalog.pg_class'::regclass)
         SELECT 1 FROM reads JOIN pg_catalog.pg_class b ON b.oid = reads.oid
         WHERE b.relrowsecurity) AS reads_row_secured
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY ($1::text[])
  AND c.relkind IN ('r', 'v', 'm', 'p', 'f')
  AND NOT c.relispartition
  AND )SQL") + kSelectableSql + R"SQL(
ORDER BY n.nspname, c.relname
)SQL";

// Columns with their types resolved: a domain (even a domain over a domain) to its base type
// and typmod, an array to its element type (itself possibly a domain). "st" is the scalar type
// the value category comes from: the element for arrays, else the base type.
constexpr const char* kColumnsSql = R"SQL(
WITH RECURSIVE chain AS (
  SELECT t.oid AS start_oid, t.typbasetype AS cur_oid, t.typtypmod AS typmod, 1 AS depth
  FROM pg_catalog.pg_type t WHERE t.typtype = 'd'
  UNION ALL
  SELECT ch.start_oid, t.typbasetype, t.typtypmod, ch.depth + 1
  FROM chain ch JOIN pg_catalog.pg_type t ON t.oid = ch.cur_oid
  WHERE t.typtype = 'd' AND ch.depth < 16
), base AS (
  SELECT DISTINCT ON (start_oid) start_oid, cur_oid AS base_oid, typmod
  FROM chain ORDER BY start_oid, depth DESC
), rel_priv AS (
  -- SELECT on the whole table makes every column selectable; only other tables need the
  -- per-column check (CASE evaluates it lazily).
  SELECT r.oid,
         has_table_privilege(r.oid, 'SELECT')
         OR EXISTS (SELECT 1 FROM pg_catalog.pg_roles ro
                    WHERE ro.rolname = ANY ($2::text[]) AND has_table_privilege(ro.oid, r.oid, 'SELECT')) AS all_columns
  FROM unnest($1::oid[]) AS r(oid)
), cols AS (
  SELECT a.attrelid, a.attnum, a.attname, a.attnotnull, a.atttypid,
         COALESCE(db.base_oid, a.atttypid) AS type_oid,
         CASE WHEN db.start_oid IS NULL THEN a.atttypmod ELSE db.typmod END AS typmod,
         db.start_oid IS NOT NULL AS is_domain,
         CASE WHEN rp.all_columns THEN true
              ELSE has_column_privilege(a.attrelid, a.attnum, 'SELECT')
                   OR EXISTS (SELECT 1 FROM pg_catalog.pg_roles r
                              WHERE r.rolname = ANY ($2::text[])
                                AND has_column_privilege(r.oid, a.attrelid, a.attnum, 'SELECT')) END AS selectable
  FROM pg_catalog.pg_attribute a
  JOIN rel_priv rp ON rp.oid = a.attrelid
  LEFT JOIN base db ON db.start_oid = a.atttypid
  WHERE a.attnum > 0 AND NOT a.attisdropped
)
SELECT c.attrelid, c.attnum, c.attname, NOT c.attnotnull AS nullable, c.selectable,
       COALESCE(pd.description, '') AS comment,
       c.atttypid, CASE WHEN c.is_domain THEN dt.typname ELSE '' END AS domain_name,
       (et.typcategory = 'A' AND et.typelem <> 0) AS is_array,
       pg_catalog.format_type(c.type_oid, c.typmod) AS sql_name,
       pg_catalog.format_type(c.type_oid, -1) AS cast_name,
       st.oid AS scalar_oid, st.typtype::text AS scalar_typtype, st.typname AS scalar_name,
       stn.nspname AS scalar_schema,
       pg_catalog.format_type(st.oid, -1) AS scalar_cast_name,
       quote_ident(stn.nspname) || '.' || quote_ident(st.typname) AS scalar_qualified_name,
       quote_ident(st.typname) AS scalar_quoted_name,
       CASE WHEN st.typtype = 'e'
            THEN (SELECT to_json(array_agg(e.enumlabel ORDER BY e.enumsortorder))::text
                  FROM pg_catalog.pg_enum e WHERE e.enumtypid = st.oid)
            ELSE '' END AS enum_labels,
       c.type_oid
FROM cols c
JOIN pg_catalog.pg_type dt ON dt.oid = c.atttypid
JOIN pg_catalog.pg_type et ON et.oid = c.type_oid
LEFT JOIN base eb ON eb.start_oid = et.typelem AND et.typcategory = 'A'
JOIN pg_catalog.pg_type st
  ON st.oid = CASE WHEN et.typcategory = 'A' AND et.typelem <> 0
                   THEN COALESCE(eb.base_oid, et.typelem) ELSE et.oid END
JOIN pg_catalog.pg_namespace stn ON stn.oid = st.typnamespace
LEFT JOIN pg_catalog.pg_description pd
  ON pd.objoid = c.attrelid AND pd.classoid = 'pg_catalog.pg_class'::regclass AND pd.objsubid = c.attnum
)SQL";  // no ORDER BY: sorting 20,000 wide rows spills to disk; columns are sorted in C++

// Keys, foreign keys and CHECK constraints of the exposed relations, plus CHECK constraints of
// the domains their columns are declared with ($2). Constraints cloned onto partitions
// (conparentid <> 0) are left out: the parent's is the one that counts.
constexpr const char* kConstraintsSql = R"SQL(
SELECT con.conrelid, con.contype::text AS contype, con.confrelid, con.contypid, con.convalidated,
       COALESCE(to_json(con.conkey)::text, '[]') AS conkey, COALESCE(to_json(con.confkey)::text, '[]') AS confkey,
       CASE WHEN con.contype = 'c' THEN pg_catalog.pg_get_constraintdef(con.oid) ELSE '' END AS definition
FROM pg_catalog.pg_constraint con
WHERE ((con.conrelid = ANY ($1::oid[]) AND con.contype IN ('p', 'u', 'f', 'c'))
       OR (con.contypid = ANY ($2::oid[]) AND con.contype = 'c'))
  AND con.conparentid = 0
ORDER BY con.conrelid, con.contypid, con.conname
)SQL";

// The column each usable index of the relations ($1) starts with: what a filter must name for the
// planner to use the index (the cost guard's advice). Expression and partial indexes are left out:
// a plain filter on a column does not match them.
constexpr const char* kIndexesSql = R"SQL(
SELECT i.indrelid AS oid, i.indkey[0]::int AS attnum
FROM pg_catalog.pg_index i
WHERE i.indrelid = ANY ($1::oid[]) AND i.indisvalid AND i.indkey[0] <> 0 AND i.indpred IS NULL
ORDER BY 1, 2
)SQL";

// Statistics of relations without row-level security ($1), of columns that the login role and
// every configured role ($2: auth.allowed_roles and auth.anonymous_role) may all read:
// descriptions are shared by every caller, so a value only one role may see must not reach
// the others (a role that does not exist reads nothing). pg_stats itself hides columns the
// login role cannot read. most_common_vals is anyarray: re-read as text[] and sent as JSON so
// that quoting is Boost.JSON's job.
constexpr const char* kStatsSql = R"SQL(
SELECT c.oid, s.attname, COALESCE(s.null_frac, 0)::float8 AS null_frac,
       COALESCE(s.n_distinct, 0)::float8 AS n_distinct,
       COALESCE(to_json(s.most_common_vals::text::text[])::text, '[]') AS most_common_vals,
       COALESCE(to_json(s.most_common_freqs)::text, '[]') AS most_common_freqs
FROM pg_catalog.pg_stats s
JOIN pg_catalog.pg_namespace n ON n.nspname = s.schemaname
JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = s.tablename
WHERE c.oid = ANY ($1::oid[]) AND s.inherited = (c.relkind = 'p')
  AND pg_catalog.has_column_privilege(c.oid, s.attname, 'SELECT')
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.unnest($2::text[]) AS w(name)
                  LEFT JOIN pg_catalog.pg_roles r ON r.rolname = w.name
                  WHERE r.oid IS NULL OR NOT pg_catalog.has_column_privilege(r.oid, c.oid, s.attname, 'SELECT'))
)SQL";

// What SchemaVersion hashes: everything Introspect reads except statistics.
const std::string kVersionSql = std::string(R"SQL(
WITH rels AS (
  SELECT c.oid, c.relname, n.nspname, c.relkind, c.reloptions, c.relrowsecurity, c.relacl,
         c.relowner, pg_catalog.obj_description(c.oid, 'pg_class') AS comment,
         )SQL") + kSelectableSql + R"SQL( AS selectable
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = ANY ($1::text[])
    AND c.relkind IN ('r', 'v', 'm', 'p', 'f')
    AND NOT c.relispartition
), facts AS (
  SELECT format('r|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s', r.oid, r.nspname, r.relname, r.relkind,
                r.reloptions, r.relrowsecurity, r.relacl, r.relowner, r.comment, r.selectable) AS f
  FROM rels r
  UNION ALL
  SELECT format('a|%s|%s|%s|%s|%s|%s|%s|%s', a.attrelid, a.attnum, a.attname, a.atttypid,
                a.atttypmod, a.attnotnull, a.attacl, pd.description)
  FROM pg_catalog.pg_attribute a JOIN rels r ON r.oid = a.attrelid
  LEFT JOIN pg_catalog.pg_description pd
    ON pd.objoid = a.attrelid AND pd.classoid = 'pg_catalog.pg_class'::regclass AND pd.objsubid = a.attnum
  WHERE a.attnum > 0 AND NOT a.attisdropped
  UNION ALL
  -- conbin rather than pg_get_constraintdef(): the same facts, without deparsing 3,000
  -- constraints on every version check.
  SELECT format('c|%s|%s|%s|%s|%s|%s|%s|%s', con.conrelid, con.confrelid, con.conname, con.contype,
                con.convalidated, con.conkey, con.confkey, con.conbin)
  FROM pg_catalog.pg_constraint con
  WHERE con.conrelid IN (SELECT oid FROM rels) OR con.confrelid IN (SELECT oid FROM rels)
  UNION ALL
  SELECT format('i|%s|%s|%s|%s|%s', i.indrelid, i.indexrelid, i.indkey, i.indisvalid, i.indpred IS NULL)
  FROM pg_catalog.pg_index i WHERE i.indrelid IN (SELECT oid FROM rels)  UNION ALL
  SELECT format('t|%s|%s|%s|%s|%s|%s', t.oid, t.typnamespace, t.typname, t.typtype, t.typbasetype,
                t.typtypmod)
  FROM pg_catalog.pg_type t WHERE t.typtype IN ('d', 'e')
  UNION ALL
  SELECT format('e|%s|%s|%s', e.enumtypid, e.enumsortorder, e.enumlabel) FROM pg_catalog.pg_enum e
  UNION ALL
  SELECT format('d|%s|%s|%s|%s', con.contypid, con.conname, con.convalidated, con.conbin)
  FROM pg_catalog.pg_constraint con WHERE con.contypid <> 0
)
SELECT md5(COALESCE(string_agg(f, E'\n' ORDER BY f), '')) AS version
FROM facts
)SQL";

// ---------------------------------------------------------------------------------------------


std::string OidArray(const std::vector<uint32_t>& oids) {
  std::string out = "{";
  for (size_t i = 0; i < oids.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += std::to_string(oids[i]);
  }
  return out + "}";
}

std::vector<std::string> JsonStrings(const std::string& text) {
  std::vector<std::string> out;
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec || !v.is_array()) return out;
  for (const auto& e : v.as_array()) {
    if (e.is_string()) out.emplace_back(e.as_string().c_str(), e.as_string().size());
  }
  return out;
}

std::vector<double> JsonNumbers(const std::string& text) {
  std::vector<double> out;
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec || !v.is_array()) return out;
  for (const auto& e : v.as_array()) {
    if (e.is_number()) out.push_back(e.to_number<double>());
  }
  return out;
}

RelationKind KindOf(const std::string& relkind) {
  switch (relkind.empty() ? 'r' : relkind[0]) {
    case 'v': return RelationKind::kView;
    case 'm': return RelationKind::kMaterializedView;
    case 'p': return RelationKind::kPartitionedTable;
    case 'f': return RelationKind::kForeignTable;
    default: return RelationKind::kTable;
  }
}

// The value category of a scalar type. pg_catalog types by oid (stable across versions);
// extension types by name.
void Categorize(uint32_t oid, const std::string& typtype, const std::string& typname,
                const std::string& nsp, ColumnType& type) {
  type.int_bytes = 0;
  if (typtype == "e") {
    type.category = TypeCategory::kEnum;
    return;
  }
  if (nsp != "pg_catalog") {
    type.category = typname == "citext" ? TypeCategory::kText : TypeCategory::kOther;
    return;
  }
  switch (oid) {
    case 16: type.category = TypeCategory::kBoolean; break;
    case 21: type.category = TypeCategory::kInteger; type.int_bytes = 2; break;
    case 23: type.category = TypeCategory::kInteger; type.int_bytes = 4; break;
    case 20: type.category = TypeCategory::kInteger; type.int_bytes = 8; break;
    case 1700: type.category = TypeCategory::kNumeric; break;
    case 700: case 701: type.category = TypeCategory::kFloat; break;
    case 25: case 1043: case 1042: case 19: type.category = TypeCategory::kText; break;
    case 2950: type.category = TypeCategory::kUuid; break;
    case 1082: type.category = TypeCategory::kDate; break;
    case 1083: case 1266: type.category = TypeCategory::kTime; break;
    case 1114: type.category = TypeCategory::kTimestamp; break;
    case 1184: type.category = TypeCategory::kTimestamptz; break;
    case 1186: type.category = TypeCategory::kInterval; break;
    case 114: case 3802: type.category = TypeCategory::kJson; break;
    case 17: type.category = TypeCategory::kBytea; break;
    default: type.category = TypeCategory::kOther; break;
  }
}

// Per exposed relation while reading: every column by attnum (exposed or not) so keys on a
// hidden column can be dropped whole.
struct Pending {
  Table table;
  std::map<int, std::string> exposed;  // attnum -> name
  std::map<int, uint32_t> domain_of;   // attnum -> declared domain oid
  bool hides_columns = false;
};

std::optional<std::vector<std::string>> MapColumns(const Pending& p, const std::string& json_attnums) {
  boost::system::error_code ec;
  auto v = boost::json::parse(json_attnums, ec);
  if (ec || !v.is_array() || v.as_array().empty()) return std::nullopt;
  std::vector<std::string> names;
  for (const auto& e : v.as_array()) {
    if (!e.is_int64()) return std::nullopt;
    auto it = p.exposed.find(static_cast<int>(e.as_int64()));
    if (it == p.exposed.end()) return std::nullopt;
    names.push_back(it->second);
  }
  return names;
}

// The rule documented in introspect.h.
bool StatisticsListAllValues(double null_frac, double n_distinct, double rows, const std::vector<double>& freqs,
                             size_t value_count) {
  if (!(rows > 0) || value_count == 0 || freqs.size() != value_count) return false;
  double distinct = n_distinct > 0 ? n_distinct : -n_distinct * rows;
  if (distinct < 1 || distinct > 20 || distinct > rows / 2) return false;
  double covered = null_frac;
  for (double f : freqs) covered += f;
  return covered >= 0.99;
}

constexpr size_t kMaxStatisticsValueBytes = 64;

// What Introspect has read so far: the exposed relations, found by oid.
struct Reading {
  std::vector<Pending> pending;
  std::unordered_map<uint32_t, size_t> by_oid;

  Pending* Find(int64_t oid) {
    auto it = by_oid.find(static_cast<uint32_t>(oid));
    return it == by_oid.end() ? nullptr : &pending[it->second];
  }
  std::string Oids() const {
    std::vector<uint32_t> oids;
    oids.reserve(pending.size());
    for (const auto& p : pending) oids.push_back(p.table.oid);
    return OidArray(oids);
  }
};

Table TableFrom(const database::Row& row) {
  Table t;
  t.oid = static_cast<uint32_t>(row.Int64("oid"));
  t.schema = row.Text("nspname");
  t.name = row.Text("relname");
  t.kind = KindOf(row.Text("relkind"));
  t.row_security = row.Bool("relrowsecurity");
  t.owner = row.Text("owner");
  t.comment = row.Text("comment");
  t.row_estimate = row.Double("row_estimate");
  if (t.row_estimate < 0) t.row_estimate = -1;
  t.reads_row_secured = row.Bool("reads_row_secured");
  return t;
}

// The relations of the exposed schemas that pass the configured filters; a plain view is left out
// with a warning, as is said in introspect.h.
Status ReadRelations(database::CatalogReader& reader, const config::Settings& settings, const std::string& roles,
                     Reading& reading, SchemaSnapshot& snapshot) {
  auto rels = reader.Query(kRelationsSql, {ArrayLiteral(settings.schemas), roles});
  if (!rels.ok()) return rels.error();
  const auto& sc = settings.schema;
  for (const auto& row : *rels) {
    Table t = TableFrom(row);
    if (!sc.include_tables.empty() && !TableMatches(sc.include_tables, t.schema, t.name)) continue;
    if (TableMatches(sc.exclude_tables, t.schema, t.name)) continue;
    if (t.kind == RelationKind::kView && !row.Bool("security_invoker")) {
      snapshot.warnings.push_back("view " + t.QualifiedName() +
                                  " is not exposed: a view without security_invoker runs with its "
                                  "owner's rights and bypasses row-level security; recreate it WITH "
                                  "(security_invoker = true) to expose it");
      continue;
    }
    if (t.reads_row_secured) {
      snapshot.warnings.push_back("materialized view " + t.QualifiedName() +
                                  " reads a table under row-level security: every role that can "
                                  "select it sees all of its rows");
    }
    reading.by_oid[t.oid] = reading.pending.size();
    reading.pending.push_back(Pending{std::move(t), {}, {}, false});
  }
  return OkStatus();
}

// A column's type from one row of kColumnsSql.
ColumnType TypeFrom(const database::Row& row) {
  ColumnType type;
  type.domain = row.Text("domain_name");
  type.is_array = row.Bool("is_array");
  const std::string nsp = row.Text("scalar_schema");
  if (nsp == "pg_catalog") {
    type.sql_name = row.Text("sql_name");
    type.cast_name = row.Text("cast_name");
    type.element_cast_name = type.is_array ? row.Text("scalar_cast_name") : "";
  } else {
    // User types are cast by their schema-qualified, quoted name (independent of
    // search_path) and shown by their bare name, which is what a reader recognises.
    std::string suffix = type.is_array ? "[]" : "";
    type.sql_name = row.Text("scalar_quoted_name") + suffix;
    type.cast_name = row.Text("scalar_qualified_name") + suffix;
    type.element_cast_name = type.is_array ? row.Text("scalar_qualified_name") : "";
  }
  // Enums, ranges and composites compare with pg_catalog's polymorphic operators; an
  // extension's base type (citext) brings its own, in its own schema.
  if (nsp != "pg_catalog" && row.Text("scalar_typtype") == "b") type.operator_schema = nsp;
  type.oid = static_cast<uint32_t>(row.Int64("type_oid"));  // the base type: for arrays the array type itself
  Categorize(static_cast<uint32_t>(row.Int64("scalar_oid")), row.Text("scalar_typtype"), row.Text("scalar_name"), nsp,
             type);
  return type;
}

// The exposed columns of every pending relation; returns the domains they are declared with.
Result<std::set<uint32_t>> ReadColumns(database::CatalogReader& reader, const config::Settings& settings,
                                       const std::string& roles, Reading& reading) {
  auto cols = reader.Query(kColumnsSql, {reading.Oids(), roles});
  if (!cols.ok()) return cols.error();
  std::set<uint32_t> domains;
  for (const auto& row : *cols) {
    Pending* p = reading.Find(row.Int64("attrelid"));
    if (p == nullptr) continue;
    Column c;
    c.position = static_cast<int>(row.Int64("attnum"));
    c.name = row.Text("attname");
    c.nullable = row.Bool("nullable");
    if (!row.Bool("selectable") ||
        ColumnMatches(settings.schema.exclude_columns, p->table.schema, p->table.name, c.name)) {
      p->hides_columns = true;
      continue;
    }
    c.comment = row.Text("comment");
    c.type = TypeFrom(row);
    if (std::string labels = row.Text("enum_labels"); !labels.empty() && !c.type.is_array) {
      c.allowed_values = JsonStrings(labels);
      if (!c.allowed_values.empty()) c.values_source = Column::ValuesSource::kEnum;
    }
    if (!c.type.domain.empty()) {
      auto declared = static_cast<uint32_t>(row.Int64("atttypid"));
      p->domain_of[c.position] = declared;
      domains.insert(declared);
    }
    p->exposed[c.position] = c.name;
    p->table.columns.push_back(std::move(c));
  }
  return domains;
}

// A foreign key from `p` over `columns`, when its target is exposed too (both sides learn of it).
void AddForeignKey(Reading& reading, Pending& p, std::vector<std::string> columns, const database::Row& row) {
  Pending* q = reading.Find(row.Int64("confrelid"));
  if (q == nullptr) return;  // only between exposed tables
  auto ref_columns = MapColumns(*q, row.Text("confkey"));
  if (!ref_columns) return;
  p.table.foreign_keys.push_back(ForeignKey{columns, q->table.schema, q->table.name, *ref_columns});
  q->table.referenced_by.push_back(Reference{p.table.schema, p.table.name, std::move(columns), *ref_columns});
}

// A validated one-column CHECK that lists the allowed values (`col IN (...)`, `col = ANY (...)`).
void AddCheckValues(Pending& p, const std::string& column, const std::string& definition) {
  for (auto& c : p.table.columns) {
    if (c.name != column || c.values_source != Column::ValuesSource::kNone || c.type.is_array) continue;
    if (auto values = ParseCheckValues(definition, c.name)) {
      c.allowed_values = std::move(*values);
      c.values_source = Column::ValuesSource::kCheck;
    }
  }
}

// Keys, foreign keys and value-listing CHECKs of the tables; value lists of CHECKs on domains.
Result<std::map<uint32_t, std::vector<std::string>>> ReadConstraints(database::CatalogReader& reader, Reading& reading,
                                                                     const std::set<uint32_t>& domains) {
  auto cons = reader.Query(kConstraintsSql,
                           {reading.Oids(), OidArray(std::vector<uint32_t>(domains.begin(), domains.end()))});
  if (!cons.ok()) return cons.error();
  std::map<uint32_t, std::vector<std::string>> domain_values;
  for (const auto& row : *cons) {
    const std::string contype = row.Text("contype");
    const bool validated = row.Bool("convalidated");
    if (auto typid = static_cast<uint32_t>(row.Int64("contypid")); typid != 0) {
      if (!validated || domain_values.count(typid)) continue;
      if (auto values = ParseCheckValues(row.Text("definition"), "VALUE")) domain_values[typid] = std::move(*values);
      continue;
    }
    Pending* p = reading.Find(row.Int64("conrelid"));
    if (p == nullptr) continue;
    // A key or foreign key over a hidden column is dropped whole: naming only part of it
    // would mislead, naming the hidden column would leak it.
    auto columns = MapColumns(*p, row.Text("conkey"));
    if (!columns) continue;
    if (contype == "p") {
      p->table.primary_key = std::move(*columns);
    } else if (contype == "u") {
      p->table.unique_keys.push_back(std::move(*columns));
    } else if (contype == "f") {
      AddForeignKey(reading, *p, std::move(*columns), row);
    } else if (contype == "c" && validated && columns->size() == 1) {
      AddCheckValues(*p, (*columns)[0], row.Text("definition"));
    }
  }
  return domain_values;
}

// Columns declared with a domain whose CHECK lists its values take that list; then columns and
// references are put in their reading order.
void ApplyDomainValuesAndSort(Reading& reading, const std::map<uint32_t, std::vector<std::string>>& domain_values) {
  for (auto& p : reading.pending) {
    for (auto& c : p.table.columns) {
      if (c.values_source != Column::ValuesSource::kNone || c.type.is_array) continue;
      auto d = p.domain_of.find(c.position);
      if (d == p.domain_of.end()) continue;
      if (auto v = domain_values.find(d->second); v != domain_values.end()) {
        c.allowed_values = v->second;
        c.values_source = Column::ValuesSource::kCheck;
      }
    }
    std::sort(p.table.referenced_by.begin(), p.table.referenced_by.end(), [](const Reference& a, const Reference& b) {
      return std::tie(a.schema, a.table, a.columns) < std::tie(b.schema, b.table, b.columns);
    });
    std::sort(p.table.columns.begin(), p.table.columns.end(),
              [](const Column& a, const Column& b) { return a.position < b.position; });
  }
}

// Table::indexed_columns: the exposed columns that lead an index, in column order, each once.
Status ReadIndexes(database::CatalogReader& reader, Reading& reading) {
  auto indexes = reader.Query(kIndexesSql, {reading.Oids()});
  if (!indexes.ok()) return indexes.error();
  std::map<uint32_t, std::set<int>> leading;  // oid -> attnums, ordered
  for (const auto& row : *indexes) {
    leading[static_cast<uint32_t>(row.Int64("oid"))].insert(static_cast<int>(row.Int64("attnum")));
  }
  for (auto& p : reading.pending) {
    auto it = leading.find(p.table.oid);
    if (it == leading.end()) continue;
    for (int attnum : it->second) {
      if (auto name = p.exposed.find(attnum); name != p.exposed.end()) p.table.indexed_columns.push_back(name->second);
    }
  }
  return OkStatus();
}

bool WantsCommonValues(const Column& c) {
  return c.type.category == TypeCategory::kText && !c.type.is_array && c.values_source == Column::ValuesSource::kNone;
}

// Common values: never from a relation under row-level security (descriptions are shared by
// every caller), nor from a materialized view of one; only where a text column could use them.
std::vector<uint32_t> StatisticsCandidates(const Reading& reading) {
  std::vector<uint32_t> oids;
  for (const auto& p : reading.pending) {
    if (p.table.row_security || p.table.reads_row_secured || p.table.kind == RelationKind::kView) continue;
    if (std::any_of(p.table.columns.begin(), p.table.columns.end(), WantsCommonValues)) oids.push_back(p.table.oid);
  }
  return oids;
}

// Applies one row of kStatsSql to its column when the statistics list every value (introspect.h).
void ApplyStatistics(Table& t, const database::Row& row) {
  const std::string column = row.Text("attname");
  for (auto& c : t.columns) {
    if (c.name != column || !WantsCommonValues(c)) continue;
    auto values = JsonStrings(row.Text("most_common_vals"));
    auto freqs = JsonNumbers(row.Text("most_common_freqs"));
    if (!StatisticsListAllValues(row.Double("null_frac"), row.Double("n_distinct"), t.row_estimate, freqs,
                                 values.size())) {
      continue;
    }
    bool short_values = std::all_of(values.begin(), values.end(), [](const std::string& v) {
      return v.size() <= kMaxStatisticsValueBytes;
    });
    if (!short_values) continue;
    c.allowed_values = std::move(values);
    c.values_source = Column::ValuesSource::kStatistics;
  }
}

Status ReadStatistics(database::CatalogReader& reader, const config::Settings& settings, Reading& reading) {
  std::vector<uint32_t> oids = StatisticsCandidates(reading);
  if (oids.empty()) return OkStatus();
  auto stats = reader.Query(kStatsSql, {OidArray(oids), ArrayLiteral(ConfiguredRoles(settings))});
  if (!stats.ok()) return stats.error();
  for (const auto& row : *stats) {
    if (Pending* p = reading.Find(row.Int64("oid"))) ApplyStatistics(p->table, row);
  }
  return OkStatus();
}

}  // namespace

Result<std::string> SchemaVersion(database::CatalogReader& reader, const config::Settings& settings) {
  auto r = reader.Query(kVersionSql, {ArrayLiteral(settings.schemas), ArrayLiteral(ConfiguredRoles(settings))});
  if (!r.ok()) return r.error();
  if (r->row_count() != 1) return MakeError(ErrorKind::kInternal, "Reading the database catalog failed.");
  return (*r)[0].Text("version");
}

Result<SchemaSnapshot> Introspect(database::CatalogReader& reader, const config::Settings& settings) {
  SchemaSnapshot snapshot;
  // The version is read first: a change that lands while the rest is read shows up as a
  // different version at the next check, never as a stale snapshot believed current.
  auto version = SchemaVersion(reader, settings);
  if (!version.ok()) return version.error();
  snapshot.version = std::move(*version);

  const std::string roles = ArrayLiteral(ConfiguredRoles(settings));
  Reading reading;
  if (auto st = ReadRelations(reader, settings, roles, reading, snapshot); !st) return st.error();
  auto domains = ReadColumns(reader, settings, roles, reading);
  if (!domains) return domains.error();
  auto domain_values = ReadConstraints(reader, reading, *domains);
  if (!domain_values) return domain_values.error();
  ApplyDomainValuesAndSort(reading, *domain_values);
  if (auto st = ReadIndexes(reader, reading); !st) return st.error();
  if (auto st = ReadStatistics(reader, settings, reading); !st) return st.error();

  for (auto& p : reading.pending) {
    if (p.table.columns.empty()) {
      snapshot.warnings.push_back("relation " + p.table.QualifiedName() +
                                  " is not exposed: none of its columns can be selected or all are excluded");
      continue;
    }
    snapshot.tables.push_back(std::move(p.table));
  }
  SanitizeCatalogText(snapshot.tables);
  if (auto st = ReadPrivilegeMatrix(reader, settings, snapshot); !st) return st.error();
  FinishSnapshot(snapshot, settings);
  return snapshot;
}

}  // namespace pgmcp::schema

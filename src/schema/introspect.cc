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

#include "schema/check_values.h"
#include "schema/glob.h"
#include "schema/snapshot_builder.h"

namespace pgmcp::schema {
namespace {

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

// ---------------------------------------------------------------------------------------------
// Catalog queries. Every value is a bind parameter: $1 the exposed schemas (text[]), $2 the
// audited roles of auth.allowed_roles (text[]) or relation oids (oid[]).

// A relation is selectable when the login role or an allowed role holds SELECT on it or on
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
SELECT c.oid, n.nspname, c.relname, c.relkind::text, c.relrowsecurity,
       pg_catalog.pg_get_userbyid(c.relowner),
       COALESCE(pg_catalog.obj_description(c.oid, 'pg_class'), ''),
       EXISTS (SELECT 1 FROM unnest(c.reloptions) o
               WHERE o ~* '^security_invoker=(t|tr|tru|true|y|ye|yes|on|1)$'),
       (CASE c.relkind
          WHEN 'p' THEN (SELECT CASE WHEN bool_or(p.reltuples >= 0)
                                     THEN sum(GREATEST(p.reltuples, 0)) ELSE -1 END
                         FROM pg_catalog.pg_partition_tree(c.oid) pt
                         JOIN pg_catalog.pg_class p ON p.oid = pt.relid
                         WHERE pt.isleaf)
          WHEN 'v' THEN -1
          ELSE c.reltuples END)::float8,
       c.relkind = 'm' AND EXISTS (
         SELECT 1 FROM pg_catalog.pg_rewrite rw
         JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::regclass
                                    AND d.objid = rw.oid
                                    AND d.refclassid = 'pg_catalog.pg_class'::regclass
         JOIN pg_catalog.pg_class b ON b.oid = d.refobjid
         WHERE rw.ev_class = c.oid AND b.relrowsecurity)
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
SELECT c.attrelid, c.attnum, c.attname, NOT c.attnotnull, c.selectable,
       COALESCE(pd.description, ''),
       c.atttypid, CASE WHEN c.is_domain THEN dt.typname ELSE '' END,
       (et.typcategory = 'A' AND et.typelem <> 0) AS is_array,
       pg_catalog.format_type(c.type_oid, c.typmod),
       pg_catalog.format_type(c.type_oid, -1),
       st.oid, st.typtype::text, st.typname, stn.nspname,
       pg_catalog.format_type(st.oid, -1),
       quote_ident(stn.nspname) || '.' || quote_ident(st.typname),
       quote_ident(st.typname),
       CASE WHEN st.typtype = 'e'
            THEN (SELECT to_json(array_agg(e.enumlabel ORDER BY e.enumsortorder))::text
                  FROM pg_catalog.pg_enum e WHERE e.enumtypid = st.oid)
            ELSE '' END,
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
SELECT con.conrelid, con.contype::text, con.confrelid, con.contypid, con.convalidated,
       COALESCE(to_json(con.conkey)::text, '[]'), COALESCE(to_json(con.confkey)::text, '[]'),
       CASE WHEN con.contype = 'c' THEN pg_catalog.pg_get_constraintdef(con.oid) ELSE '' END
FROM pg_catalog.pg_constraint con
WHERE ((con.conrelid = ANY ($1::oid[]) AND con.contype IN ('p', 'u', 'f', 'c'))
       OR (con.contypid = ANY ($2::oid[]) AND con.contype = 'c'))
  AND con.conparentid = 0
ORDER BY con.conrelid, con.contypid, con.conname
)SQL";

// Statistics of relations without row-level security ($1). pg_stats itself hides columns the
// login role cannot read. most_common_vals is anyarray: re-read as text[] and sent as JSON so
// that quoting is Boost.JSON's job.
constexpr const char* kStatsSql = R"SQL(
SELECT c.oid, s.attname, COALESCE(s.null_frac, 0)::float8, COALESCE(s.n_distinct, 0)::float8,
       COALESCE(to_json(s.most_common_vals::text::text[])::text, '[]'),
       COALESCE(to_json(s.most_common_freqs)::text, '[]')
FROM pg_catalog.pg_stats s
JOIN pg_catalog.pg_namespace n ON n.nspname = s.schemaname
JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = s.tablename
WHERE c.oid = ANY ($1::oid[]) AND s.inherited = (c.relkind = 'p')
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
  SELECT format('t|%s|%s|%s|%s|%s|%s', t.oid, t.typnamespace, t.typname, t.typtype, t.typbasetype,
                t.typtypmod)
  FROM pg_catalog.pg_type t WHERE t.typtype IN ('d', 'e')
  UNION ALL
  SELECT format('e|%s|%s|%s', e.enumtypid, e.enumsortorder, e.enumlabel) FROM pg_catalog.pg_enum e
  UNION ALL
  SELECT format('d|%s|%s|%s|%s', con.contypid, con.conname, con.convalidated, con.conbin)
  FROM pg_catalog.pg_constraint con WHERE con.contypid <> 0
)
SELECT md5(COALESCE(string_agg(f, E'\n' ORDER BY f), ''))
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

// Runs one catalog query. The operator sees the SQLSTATE and server message in Error::code
// (logs only); the message itself stays free of SQL.
Result<ResultPtr> Run(PGconn* conn, const std::string& sql, const std::vector<std::string>& params) {
  if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
    return MakeError(ErrorKind::kUnavailable, "The database connection is not available.");
  }
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p.c_str());
  ResultPtr result(PQexecParams(conn, sql.c_str(), static_cast<int>(values.size()), nullptr,
                                values.data(), nullptr, nullptr, 0));
  if (result == nullptr || PQresultStatus(result.get()) != PGRES_TUPLES_OK) {
    const char* state = result ? PQresultErrorField(result.get(), PG_DIAG_SQLSTATE) : nullptr;
    std::string code = std::string(state ? state : "") + " " + PQerrorMessage(conn);
    while (!code.empty() && (code.back() == '\n' || code.back() == ' ')) code.pop_back();
    ErrorKind kind = PQstatus(conn) == CONNECTION_OK ? ErrorKind::kInternal : ErrorKind::kUnavailable;
    return MakeError(kind, "Reading the database catalog failed.", code);
  }
  return result;
}

std::string Text(const PGresult* r, int row, int col) { return PQgetvalue(r, row, col); }
bool Bool(const PGresult* r, int row, int col) { return PQgetvalue(r, row, col)[0] == 't'; }
uint32_t Oid(const PGresult* r, int row, int col) {
  return static_cast<uint32_t>(std::strtoul(PQgetvalue(r, row, col), nullptr, 10));
}
double Double(const PGresult* r, int row, int col) { return std::strtod(PQgetvalue(r, row, col), nullptr); }

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

}  // namespace

Result<std::string> SchemaVersion(PGconn* conn, const config::Settings& settings) {
  auto r = Run(conn, kVersionSql, {ArrayLiteral(settings.schemas), ArrayLiteral(settings.auth.allowed_roles)});
  if (!r.ok()) return r.error();
  if (PQntuples(r->get()) != 1) return MakeError(ErrorKind::kInternal, "Reading the database catalog failed.");
  return Text(r->get(), 0, 0);
}

Result<SchemaSnapshot> Introspect(PGconn* conn, const config::Settings& settings) {
  SchemaSnapshot snapshot;
  // The version is read first: a change that lands while the rest is read shows up as a
  // different version at the next check, never as a stale snapshot believed current.
  auto version = SchemaVersion(conn, settings);
  if (!version.ok()) return version.error();
  snapshot.version = std::move(*version);

  const std::string roles = ArrayLiteral(settings.auth.allowed_roles);
  auto rels = Run(conn, kRelationsSql, {ArrayLiteral(settings.schemas), roles});
  if (!rels.ok()) return rels.error();

  std::vector<Pending> pending;
  std::unordered_map<uint32_t, size_t> by_oid;
  const PGresult* rr = rels->get();
  for (int i = 0; i < PQntuples(rr); ++i) {
    Table t;
    t.oid = Oid(rr, i, 0);
    t.schema = Text(rr, i, 1);
    t.name = Text(rr, i, 2);
    t.kind = KindOf(Text(rr, i, 3));
    t.row_security = Bool(rr, i, 4);
    t.owner = Text(rr, i, 5);
    t.comment = Text(rr, i, 6);
    bool security_invoker = Bool(rr, i, 7);
    t.row_estimate = Double(rr, i, 8);
    if (t.row_estimate < 0) t.row_estimate = -1;
    t.reads_row_secured = Bool(rr, i, 9);

    const auto& sc = settings.schema;
    if (!sc.include_tables.empty() && !TableMatches(sc.include_tables, t.schema, t.name)) continue;
    if (TableMatches(sc.exclude_tables, t.schema, t.name)) continue;
    if (t.kind == RelationKind::kView && !security_invoker) {
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
    by_oid[t.oid] = pending.size();
    pending.push_back(Pending{std::move(t), {}, {}, false});
  }

  std::vector<uint32_t> oids;
  oids.reserve(pending.size());
  for (const auto& p : pending) oids.push_back(p.table.oid);
  const std::string oid_array = OidArray(oids);

  auto cols = Run(conn, kColumnsSql, {oid_array, roles});
  if (!cols.ok()) return cols.error();
  const PGresult* cr = cols->get();
  std::set<uint32_t> domains;
  for (int i = 0; i < PQntuples(cr); ++i) {
    auto it = by_oid.find(Oid(cr, i, 0));
    if (it == by_oid.end()) continue;
    Pending& p = pending[it->second];
    Column c;
    c.position = std::atoi(PQgetvalue(cr, i, 1));
    c.name = Text(cr, i, 2);
    c.nullable = Bool(cr, i, 3);
    bool selectable = Bool(cr, i, 4);
    if (!selectable || ColumnMatches(settings.schema.exclude_columns, p.table.schema, p.table.name, c.name)) {
      p.hides_columns = true;
      continue;
    }
    c.comment = Text(cr, i, 5);
    uint32_t declared = Oid(cr, i, 6);
    c.type.domain = Text(cr, i, 7);
    c.type.is_array = Bool(cr, i, 8);
    uint32_t scalar_oid = Oid(cr, i, 11);
    std::string typtype = Text(cr, i, 12);
    std::string typname = Text(cr, i, 13);
    std::string nsp = Text(cr, i, 14);
    if (nsp == "pg_catalog") {
      c.type.sql_name = Text(cr, i, 9);
      c.type.cast_name = Text(cr, i, 10);
      c.type.element_cast_name = c.type.is_array ? Text(cr, i, 15) : "";
    } else {
      // User types are cast by their schema-qualified, quoted name (independent of
      // search_path) and shown by their bare name, which is what a reader recognises.
      std::string suffix = c.type.is_array ? "[]" : "";
      c.type.sql_name = Text(cr, i, 17) + suffix;
      c.type.cast_name = Text(cr, i, 16) + suffix;
      c.type.element_cast_name = c.type.is_array ? Text(cr, i, 16) : "";
    }
    c.type.oid = Oid(cr, i, 19);  // the base type: for arrays the array type itself
    Categorize(scalar_oid, typtype, typname, nsp, c.type);
    if (std::string labels = Text(cr, i, 18); !labels.empty() && !c.type.is_array) {
      c.allowed_values = JsonStrings(labels);
      if (!c.allowed_values.empty()) c.values_source = Column::ValuesSource::kEnum;
    }
    if (!c.type.domain.empty()) {
      p.domain_of[c.position] = declared;
      domains.insert(declared);
    }
    p.exposed[c.position] = c.name;
    p.table.columns.push_back(std::move(c));
  }

  auto cons = Run(conn, kConstraintsSql,
                  {oid_array, OidArray(std::vector<uint32_t>(domains.begin(), domains.end()))});
  if (!cons.ok()) return cons.error();
  const PGresult* kr = cons->get();
  std::map<uint32_t, std::vector<std::string>> domain_values;
  for (int i = 0; i < PQntuples(kr); ++i) {
    uint32_t relid = Oid(kr, i, 0);
    std::string contype = Text(kr, i, 1);
    uint32_t frelid = Oid(kr, i, 2);
    uint32_t typid = Oid(kr, i, 3);
    bool validated = Bool(kr, i, 4);
    std::string def = Text(kr, i, 7);
    if (typid != 0) {
      if (!validated || domain_values.count(typid)) continue;
      if (auto values = ParseCheckValues(def, "VALUE")) domain_values[typid] = std::move(*values);
      continue;
    }
    auto it = by_oid.find(relid);
    if (it == by_oid.end()) continue;
    Pending& p = pending[it->second];
    // A key or foreign key over a hidden column is dropped whole: naming only part of it
    // would mislead, naming the hidden column would leak it.
    auto columns = MapColumns(p, Text(kr, i, 5));
    if (!columns) continue;
    if (contype == "p") {
      p.table.primary_key = std::move(*columns);
    } else if (contype == "u") {
      p.table.unique_keys.push_back(std::move(*columns));
    } else if (contype == "f") {
      auto target = by_oid.find(frelid);
      if (target == by_oid.end()) continue;  // only between exposed tables
      Pending& q = pending[target->second];
      auto ref_columns = MapColumns(q, Text(kr, i, 6));
      if (!ref_columns) continue;
      p.table.foreign_keys.push_back(ForeignKey{*columns, q.table.schema, q.table.name, *ref_columns});
      q.table.referenced_by.push_back(Reference{p.table.schema, p.table.name, *columns, *ref_columns});
    } else if (contype == "c" && validated && columns->size() == 1) {
      for (auto& c : p.table.columns) {
        if (c.name != (*columns)[0] || c.values_source != Column::ValuesSource::kNone || c.type.is_array) continue;
        if (auto values = ParseCheckValues(def, c.name)) {
          c.allowed_values = std::move(*values);
          c.values_source = Column::ValuesSource::kCheck;
        }
      }
    }
  }
  for (auto& p : pending) {
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
  }

  for (auto& p : pending) {
    std::sort(p.table.columns.begin(), p.table.columns.end(),
              [](const Column& a, const Column& b) { return a.position < b.position; });
  }

  // Common values: never from a relation under row-level security (descriptions are shared by
  // every caller), nor from a materialized view of one; only where a text column could use them.
  std::vector<uint32_t> stats_oids;
  for (const auto& p : pending) {
    if (p.table.row_security || p.table.reads_row_secured || p.table.kind == RelationKind::kView) continue;
    bool wanted = std::any_of(p.table.columns.begin(), p.table.columns.end(), [](const Column& c) {
      return c.type.category == TypeCategory::kText && !c.type.is_array && c.values_source == Column::ValuesSource::kNone;
    });
    if (wanted) stats_oids.push_back(p.table.oid);
  }
  if (!stats_oids.empty()) {
    auto stats = Run(conn, kStatsSql, {OidArray(stats_oids)});
    if (!stats.ok()) return stats.error();
    const PGresult* sr = stats->get();
    for (int i = 0; i < PQntuples(sr); ++i) {
      auto it = by_oid.find(Oid(sr, i, 0));
      if (it == by_oid.end()) continue;
      Table& t = pending[it->second].table;
      std::string column = Text(sr, i, 1);
      for (auto& c : t.columns) {
        if (c.name != column || c.type.category != TypeCategory::kText || c.type.is_array ||
            c.values_source != Column::ValuesSource::kNone) {
          continue;
        }
        auto values = JsonStrings(Text(sr, i, 4));
        auto freqs = JsonNumbers(Text(sr, i, 5));
        if (!StatisticsListAllValues(Double(sr, i, 2), Double(sr, i, 3), t.row_estimate, freqs, values.size())) continue;
        bool short_values = std::all_of(values.begin(), values.end(), [](const std::string& v) {
          return v.size() <= kMaxStatisticsValueBytes;
        });
        if (!short_values) continue;
        c.allowed_values = std::move(values);
        c.values_source = Column::ValuesSource::kStatistics;
      }
    }
  }

  for (auto& p : pending) {
    if (p.table.columns.empty()) {
      snapshot.warnings.push_back("relation " + p.table.QualifiedName() +
                                  " is not exposed: none of its columns can be selected or all are excluded");
      continue;
    }
    snapshot.tables.push_back(std::move(p.table));
  }
  FinishSnapshot(snapshot, settings);
  return snapshot;
}

}  // namespace pgmcp::schema

#include "schema/privilege_matrix.h"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <unordered_map>

#include "common/sql_text.h"

namespace pgmcp::schema {
namespace {

// $1: the exposed relations (oid[]); $2: the audited roles (text[]), whose 0-based position is
// the role index. One row per relation and role that may read at least a column of it: `whole`
// for SELECT on the table, else the attnums of the columns granted. has_*_privilege counts
// privileges inherited through role membership, as a call that SET ROLEs to the role gets them.
constexpr const char* kMatrixSql = R"SQL(
WITH roles AS (
  SELECT (w.ord - 1)::int8 AS role_index, r.oid AS role_oid
  FROM pg_catalog.unnest($2::text[]) WITH ORDINALITY AS w(name, ord)
  JOIN pg_catalog.pg_roles r ON r.rolname = w.name
), pairs AS (
  SELECT rel.oid, ro.role_index, ro.role_oid,
         pg_catalog.has_table_privilege(ro.role_oid, rel.oid, 'SELECT') AS whole
  FROM pg_catalog.unnest($1::oid[]) AS rel(oid) CROSS JOIN roles ro
)
SELECT p.oid, p.role_index, p.whole,
       CASE WHEN p.whole THEN '[]'
            ELSE COALESCE((SELECT pg_catalog.to_json(pg_catalog.array_agg(a.attnum))::text
                           FROM pg_catalog.pg_attribute a
                           WHERE a.attrelid = p.oid AND a.attnum > 0 AND NOT a.attisdropped
                             AND pg_catalog.has_column_privilege(p.role_oid, p.oid, a.attnum, 'SELECT')),
                          '[]') END AS columns
FROM pairs p
WHERE p.whole OR pg_catalog.has_any_column_privilege(p.role_oid, p.oid, 'SELECT')
)SQL";

std::vector<int> JsonInts(const std::string& text) {
  std::vector<int> out;
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec || !v.is_array()) return out;
  for (const auto& e : v.as_array()) {
    if (e.is_int64()) out.push_back(static_cast<int>(e.as_int64()));
  }
  return out;
}

std::string OidArray(const std::vector<Table>& tables) {
  std::string out = "{";
  for (size_t i = 0; i < tables.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += std::to_string(tables[i].oid);
  }
  return out + "}";
}

}  // namespace

std::vector<std::string> ConfiguredRoles(const config::Settings& settings) {
  std::vector<std::string> roles;
  auto add = [&roles](const std::string& role) {
    if (!role.empty() && std::find(roles.begin(), roles.end(), role) == roles.end()) roles.push_back(role);
  };
  for (const auto& r : settings.auth.allowed_roles) add(r);
  add(settings.auth.anonymous_role);
  return roles;
}

Status ReadPrivilegeMatrix(database::CatalogReader& reader, const config::Settings& settings,
                           SchemaSnapshot& snapshot) {
  auto login = reader.Query("SELECT current_user::text AS role");
  if (!login.ok()) return login.error();
  if (login->row_count() != 1) return MakeError(ErrorKind::kInternal, "Reading the database catalog failed.");
  snapshot.roles = {(*login)[0].Text("role")};
  for (auto& role : ConfiguredRoles(settings)) {
    if (role != snapshot.roles.front()) snapshot.roles.push_back(std::move(role));
  }
  if (snapshot.tables.empty()) return OkStatus();
  auto rows = reader.Query(kMatrixSql, {OidArray(snapshot.tables), ArrayLiteral(snapshot.roles)});
  if (!rows.ok()) return rows.error();
  std::unordered_map<uint32_t, Table*> by_oid;
  for (auto& t : snapshot.tables) by_oid[t.oid] = &t;
  for (const auto& row : *rows) {
    auto it = by_oid.find(static_cast<uint32_t>(row.Int64("oid")));
    int64_t role = row.Int64("role_index");
    if (it == by_oid.end() || role < 0 || static_cast<size_t>(role) >= snapshot.roles.size()) continue;
    Table& table = *it->second;
    auto index = static_cast<size_t>(role);
    if (row.Bool("whole")) {
      for (auto& c : table.columns) c.readers.Add(index);
    } else {
      for (int attnum : JsonInts(row.Text("columns"))) {
        for (auto& c : table.columns) {
          if (c.position == attnum) c.readers.Add(index);
        }
      }
    }
    // Excluded columns are not in table.columns: a role granted only those reads nothing here.
    if (std::any_of(table.columns.begin(), table.columns.end(),
                    [index](const Column& c) { return c.readers.Has(index); })) {
      table.readers.Add(index);
    }
  }
  return OkStatus();
}

}  // namespace pgmcp::schema

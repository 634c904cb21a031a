// The attack suite (docs/security.md, "No SQL from outside"): every SQL-injection payload of
// tests/security/payloads.txt in every argument position of a tool call, through the whole
// pipeline against the demo database.
// Each call must be refused with a plain sentence or answered with the payload treated as data,
// within the statement timeout; afterwards every table and the list of database objects are
// unchanged and the pool's connections are idle, as the login role, with no claims.
#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "common/utf8.h"
#include "database/pg_handles.h"
#include "query/json_text.h"
#include "service_pg_support.h"

namespace pgmcp::service {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace): the suite's own helpers

constexpr int64_t kStatementTimeoutMs = 500;

// ---- the payload file ---------------------------------------------------------------------------

void AppendUtf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

uint32_t Hex(const std::string& line, size_t at, size_t digits, int line_no) {
  if (at + digits > line.size()) throw std::runtime_error("payloads.txt:" + std::to_string(line_no) + ": short escape");
  uint32_t v = 0;
  for (size_t i = at; i < at + digits; ++i) {
    const char c = line[i];
    v <<= 4;
    if (c >= '0' && c <= '9') v |= static_cast<uint32_t>(c - '0');
    else if (c >= 'a' && c <= 'f') v |= static_cast<uint32_t>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') v |= static_cast<uint32_t>(c - 'A' + 10);
    else throw std::runtime_error("payloads.txt:" + std::to_string(line_no) + ": bad hex digit");
  }
  return v;
}

// Decodes one line in the notation documented at the top of payloads.txt.
std::string DecodePayload(const std::string& line, int line_no) {
  std::string out;
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] != '\\') {
      out.push_back(line[i]);
      continue;
    }
    if (++i == line.size()) throw std::runtime_error("payloads.txt:" + std::to_string(line_no) + ": trailing backslash");
    switch (line[i]) {
      case '\\': out.push_back('\\'); break;
      case '0': out.push_back('\0'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 's': out.push_back(' '); break;
      case '#': out.push_back('#'); break;
      case 'z': break;
      case 'x': out.push_back(static_cast<char>(Hex(line, i + 1, 2, line_no))); i += 2; break;
      case 'u': AppendUtf8(Hex(line, i + 1, 4, line_no), out); i += 4; break;
      case 'U': AppendUtf8(Hex(line, i + 1, 8, line_no), out); i += 8; break;
      default:
        throw std::runtime_error("payloads.txt:" + std::to_string(line_no) + ": unknown escape \\" + line[i]);
    }
  }
  return out;
}

std::vector<std::string> LoadPayloads() {
  std::ifstream in(std::string(PGMCP_SOURCE_DIR) + "/tests/security/payloads.txt");
  if (!in) throw std::runtime_error("cannot open tests/security/payloads.txt");
  std::vector<std::string> payloads;
  std::set<std::string> seen;
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    std::string payload = DecodePayload(line, line_no);
    if (!seen.insert(payload).second) {
      throw std::runtime_error("payloads.txt:" + std::to_string(line_no) + ": duplicate payload");
    }
    payloads.push_back(std::move(payload));
  }
  return payloads;
}

// PostgreSQL text can hold the payload (no NUL, valid UTF-8): only then can it be data.
bool StorableAsText(const std::string& p) { return p.find('\0') == std::string::npos && pgmcp::IsValidUtf8(p); }

// ---- what the database looks like ----------------------------------------------------------------

using DatabaseState = std::map<std::string, std::string>;

std::string Rows(const pgmcp::testing::TestDatabase& db, const std::string& sql) {
  std::string out;
  for (const auto& row : db.Query(sql)) {
    for (const auto& v : row) out += v + "\x1f";
    out += "\n";
  }
  return out;
}

// A checksum of every table and sequence of the database, and the lists of the objects an injected
// statement could create, drop or alter. Roles are cluster-wide and other tests create their own in
// parallel, so only the roles an attack could matter for are listed: superusers, mcp_reader's
// attributes, memberships and settings, and any role named like the payloads' pgmcp_attack.
DatabaseState Snapshot(const pgmcp::testing::TestDatabase& db) {
  DatabaseState state;
  for (const auto& t : db.Query("SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c "
                                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                                "WHERE c.relkind IN ('r', 'p', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
                                "AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1")) {
    state["table " + t[0]] = db.Scalar("SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '') FROM " +
                                       t[0] + " t");
  }
  state["sequences"] = Rows(db, "SELECT schemaname, sequencename, last_value FROM pg_sequences ORDER BY 1, 2");
  state["pg_class"] = Rows(db, "SELECT c.oid, c.relname, c.relnamespace, c.relkind, c.relowner, c.relacl::text, "
                               "c.relrowsecurity, c.relforcerowsecurity, c.relhasrules, c.relhastriggers, "
                               "obj_description(c.oid, 'pg_class') FROM pg_class c ORDER BY c.oid");
  state["pg_proc"] = Rows(db, "SELECT oid, proname, pronamespace, proowner FROM pg_proc ORDER BY oid");
  state["pg_namespace"] = Rows(db, "SELECT oid, nspname, nspowner, nspacl::text FROM pg_namespace ORDER BY oid");
  state["pg_largeobject_metadata"] = Rows(db, "SELECT oid, lomowner FROM pg_largeobject_metadata ORDER BY oid");
  state["pg_rewrite"] = Rows(db, "SELECT oid, rulename, ev_class FROM pg_rewrite ORDER BY oid");
  state["pg_trigger"] = Rows(db, "SELECT oid, tgname, tgrelid FROM pg_trigger ORDER BY oid");
  state["pg_policy"] = Rows(db, "SELECT oid, polname, polrelid FROM pg_policy ORDER BY oid");
  state["pg_extension"] = Rows(db, "SELECT extname, extversion FROM pg_extension ORDER BY 1");
  state["pg_prepared_xacts"] = Rows(db, "SELECT gid FROM pg_prepared_xacts ORDER BY 1");
  state["database"] = Rows(db, "SELECT datname, datacl::text FROM pg_database WHERE datname = current_database()");
  state["pg_roles"] = Rows(
      db, "SELECT rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication, "
          "rolbypassrls, rolconfig::text FROM pg_roles "
          "WHERE rolsuper OR rolname = 'mcp_reader' OR rolname LIKE 'pgmcp\\_attack%' ORDER BY 1");
  state["mcp_reader memberships"] = Rows(
      db, "SELECT roleid::regrole::text FROM pg_auth_members WHERE member = 'mcp_reader'::regrole ORDER BY 1");
  state["pg_db_role_setting"] = Rows(db, "SELECT setdatabase, setrole, setconfig::text FROM pg_db_role_setting ORDER BY 1, 2");
  return state;
}

// ---- argument positions ---------------------------------------------------------------------------

enum class Expect {
  kData,      // the payload is a value of a text operator: the call succeeds (unless the payload
              // cannot be text at all: NUL or invalid UTF-8, which is refused)
  kRefused,   // the payload stands where a name of ours must be: always refused
  kEither,    // a value for a typed column: refused, or (a valid literal) answered
  kAnswered,  // words to search table names for (find_tables): they never reach SQL, always answered
  kTable,     // a discovery-mode table name: refused, unless the payload happens to name a visible table
};

struct Position {
  std::string name;
  std::string tool;
  Expect expect;
  std::function<json::value(const std::string&)> arguments;
};

json::value S(const std::string& p) { return json::string(p); }

std::vector<Position> Positions() {
  using json::array;
  using json::object;
  std::vector<Position> v;
  // Values: text operators take any text and must treat it as data.
  v.push_back({"where eq (bare) on text", "query_employees", Expect::kData,
               [](const std::string& p) { return json::value(object{{"where", object{{"full_name", S(p)}}}, {"limit", 3}}); }});
  v.push_back({"where contains", "query_employees", Expect::kData, [](const std::string& p) {
                 return json::value(object{{"where", object{{"email", object{{"contains", S(p)}}}}}, {"limit", 3}});
               }});
  v.push_back({"where starts_with", "query_employees", Expect::kData, [](const std::string& p) {
                 return json::value(object{{"where", object{{"title", object{{"starts_with", S(p)}}}}}, {"limit", 3}});
               }});
  v.push_back({"where ends_with", "query_employees", Expect::kData, [](const std::string& p) {
                 return json::value(object{{"where", object{{"full_name", object{{"ends_with", S(p)}}}}}, {"limit", 3}});
               }});
  v.push_back({"where search", "query_employees", Expect::kData, [](const std::string& p) {
                 return json::value(object{{"where", object{{"title", object{{"search", S(p)}}}}}, {"limit", 3}});
               }});
  v.push_back({"where in", "query_employees", Expect::kData, [](const std::string& p) {
                 return json::value(object{{"where", object{{"full_name", object{{"in", array{S(p), "x"}}}}}}, {"limit", 3}});
               }});
  v.push_back({"where not_in", "query_employees", Expect::kData, [](const std::string& p) {
                 return json::value(object{{"where", object{{"department", object{{"not_in", array{S(p)}}}}}}, {"limit", 3}});
               }});
  v.push_back({"where neq on char(2)", "query_customers", Expect::kData, [](const std::string& p) {
                 return json::value(object{{"where", object{{"country", object{{"neq", S(p)}}}}}, {"limit", 3}});
               }});
  v.push_back({"where gt on text", "query_customers", Expect::kData, [](const std::string& p) {
                 return json::value(object{{"where", object{{"name", object{{"gt", S(p)}}}}}, {"limit", 3}});
               }});
  v.push_back({"where eq on the scratch table", "query_attack_notes", Expect::kData,
               [](const std::string& p) { return json::value(object{{"where", object{{"note", object{{"eq", S(p)}}}}}}); }});
  // Values for typed columns: checked in C++ against the type before any SQL runs.
  v.push_back({"where eq on integer", "query_employees", Expect::kEither,
               [](const std::string& p) { return json::value(object{{"where", object{{"id", object{{"eq", S(p)}}}}}}); }});
  v.push_back({"where gte on numeric", "query_customers", Expect::kEither, [](const std::string& p) {
                 return json::value(object{{"where", object{{"mrr", object{{"gte", S(p)}}}}}, {"limit", 3}});
               }});
  v.push_back({"where lt on timestamptz", "query_customers", Expect::kEither, [](const std::string& p) {
                 return json::value(object{{"where", object{{"created_at", object{{"lt", S(p)}}}}}, {"limit", 3}});
               }});
  v.push_back({"where eq on date", "query_employees", Expect::kEither,
               [](const std::string& p) { return json::value(object{{"where", object{{"hired_on", S(p)}}}}); }});
  v.push_back({"where eq on boolean", "query_employees", Expect::kEither, [](const std::string& p) {
                 return json::value(object{{"where", object{{"active", S(p)}}}, {"limit", 3}});
               }});
  v.push_back({"where eq on enum", "query_customers", Expect::kRefused,
               [](const std::string& p) { return json::value(object{{"where", object{{"plan", S(p)}}}}); }});
  v.push_back({"where in on integer", "query_employees", Expect::kEither, [](const std::string& p) {
                 return json::value(object{{"where", object{{"id", object{{"in", array{1, S(p)}}}}}}});
               }});
  v.push_back({"limit", "query_employees", Expect::kRefused,
               [](const std::string& p) { return json::value(object{{"limit", S(p)}}); }});
  v.push_back({"offset", "query_employees", Expect::kRefused,
               [](const std::string& p) { return json::value(object{{"offset", S(p)}}); }});
  // Names: only names of the snapshot are accepted.
  v.push_back({"where column", "query_employees", Expect::kRefused,
               [](const std::string& p) { return json::value(object{{"where", object{{p, "x"}}}}); }});
  v.push_back({"where column with operator", "query_employees", Expect::kRefused, [](const std::string& p) {
                 return json::value(object{{"where", object{{p, object{{"is_null", false}}}}}});
               }});
  v.push_back({"where operator", "query_employees", Expect::kRefused,
               [](const std::string& p) { return json::value(object{{"where", object{{"full_name", object{{p, "x"}}}}}}); }});
  v.push_back({"where operator on integer", "query_employees", Expect::kRefused,
               [](const std::string& p) { return json::value(object{{"where", object{{"id", object{{p, 1}}}}}}); }});
  v.push_back({"select", "query_employees", Expect::kRefused,
               [](const std::string& p) { return json::value(object{{"select", array{S(p)}}}); }});
  v.push_back({"select after a valid column", "query_employees", Expect::kRefused,
               [](const std::string& p) { return json::value(object{{"select", array{"id", S(p)}}}); }});
  v.push_back({"order_by column", "query_employees", Expect::kRefused,
               [](const std::string& p) { return json::value(object{{"order_by", array{object{{"column", S(p)}}}}}); }});
  v.push_back({"order_by direction", "query_employees", Expect::kRefused, [](const std::string& p) {
                 return json::value(object{{"order_by", array{object{{"column", "id"}, {"direction", S(p)}}}}});
               }});
  v.push_back({"order_by key", "query_employees", Expect::kRefused, [](const std::string& p) {
                 return json::value(object{{"order_by", array{object{{"column", "id"}, {p, "asc"}}}}});
               }});
  v.push_back({"group_by column", "query_customers", Expect::kRefused,
               [](const std::string& p) { return json::value(object{{"group_by", array{S(p)}}}); }});
  v.push_back({"group_by object column", "query_customers", Expect::kRefused, [](const std::string& p) {
                 return json::value(object{{"group_by", array{object{{"column", S(p)}, {"bucket", "month"}}}}});
               }});
  v.push_back({"group_by bucket", "query_customers", Expect::kRefused, [](const std::string& p) {
                 return json::value(object{{"group_by", array{object{{"column", "created_at"}, {"bucket", S(p)}}}}});
               }});
  v.push_back({"group_by key", "query_customers", Expect::kRefused, [](const std::string& p) {
                 return json::value(object{{"group_by", array{object{{"column", "plan"}, {p, "month"}}}}});
               }});
  v.push_back({"aggregate fn", "query_customers", Expect::kRefused, [](const std::string& p) {
                 return json::value(object{{"aggregates", array{object{{"fn", S(p)}, {"column", "mrr"}}}}});
               }});
  v.push_back({"aggregate fn without column", "query_customers", Expect::kRefused,
               [](const std::string& p) { return json::value(object{{"aggregates", array{object{{"fn", S(p)}}}}}); }});
  v.push_back({"aggregate column (sum)", "query_customers", Expect::kRefused, [](const std::string& p) {
                 return json::value(object{{"aggregates", array{object{{"fn", "sum"}, {"column", S(p)}}}}});
               }});
  v.push_back({"aggregate column (count_distinct)", "query_employees", Expect::kRefused, [](const std::string& p) {
                 return json::value(object{{"aggregates", array{object{{"fn", "count_distinct"}, {"column", S(p)}}}}});
               }});
  v.push_back({"aggregate key", "query_customers", Expect::kRefused, [](const std::string& p) {
                 return json::value(object{{"aggregates", array{object{{"fn", "count"}, {p, "mrr"}}}}});
               }});
  v.push_back({"order_by result column (aggregation)", "query_customers", Expect::kRefused, [](const std::string& p) {
                 return json::value(object{{"group_by", array{"plan"}},
                                           {"aggregates", array{object{{"fn", "count"}}}},
                                           {"order_by", array{object{{"column", S(p)}, {"direction", "desc"}}}}});
               }});
  // Discovery mode: the table a call names is looked up in the catalog, never put in SQL; the
  // words of find_tables are matched in memory.
  v.push_back({"query_table table", "query_table", Expect::kTable,
               [](const std::string& p) { return json::value(object{{"table", S(p)}, {"limit", 3}}); }});
  v.push_back({"query_table table with a filter", "query_table", Expect::kTable, [](const std::string& p) {
                 return json::value(object{{"table", S(p)}, {"where", object{{"id", 1}}}});
               }});
  v.push_back({"describe_table table", "describe_table", Expect::kTable,
               [](const std::string& p) { return json::value(object{{"table", S(p)}}); }});
  v.push_back({"find_tables query", "find_tables", Expect::kAnswered,
               [](const std::string& p) { return json::value(object{{"query", S(p)}, {"limit", 100}}); }});
  v.push_back({"find_tables words after a real one", "find_tables", Expect::kAnswered,
               [](const std::string& p) { return json::value(object{{"query", S("employees " + p)}}); }});
  v.push_back({"find_tables limit", "find_tables", Expect::kRefused,
               [](const std::string& p) { return json::value(object{{"limit", S(p)}}); }});
  v.push_back({"top-level argument", "query_employees", Expect::kRefused,
               [](const std::string& p) { return json::value(object{{p, 1}}); }});
  v.push_back({"arguments as a string", "query_employees", Expect::kRefused, [](const std::string& p) { return S(p); }});
  return v;
}

// ---- judging one answer -------------------------------------------------------------------------------

// Server-side sentences (src/database/errors.cc) that mean SQL ran and failed. For a value of a
// typed column PostgreSQL may still refuse a literal C++ let through, which is harmless; any other
// database error means an argument reached SQL in a way it should not have.
constexpr std::string_view kTimeoutSentence = "ran longer than the statement timeout";
constexpr std::string_view kValueRefusedByServer = "A value in the call is not valid for its column's type.";

// Text that must never appear in an error sentence (outside the echo of the caller's own input):
// SQL, server diagnostics, and the names of hidden columns.
constexpr std::string_view kForbidden[] = {"SELECT", "FROM", "WHERE", "ERROR", "syntax error", "LINE ", "DETAIL",
                                           "HINT", "CONTEXT", "SQLSTATE", "$1", "::", "pg_", "relation ",
                                           "password_hash", "api_token", "current transaction is aborted"};

void RemoveAll(std::string& text, const std::string& what) {
  if (what.empty()) return;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at)) text.erase(at, what.size());
}

struct Verdict {
  int answered = 0;
  int refused = 0;
  std::vector<std::string> failures;
  void Fail(const std::string& why) {
    if (failures.size() < 40) failures.push_back(why);
    else if (failures.size() == 40) failures.push_back("(more failures not shown)");
  }
};

std::string Printable(const std::string& s) {
  std::string out;
  pgmcp::AppendJsonString(s.size() > 80 ? s.substr(0, 80) : s, out);
  return out;
}

void Judge(const Position& pos, const std::string& payload, const TimedOutcome& call,
           const std::vector<std::string>& secrets, const catalog::TableDirectory& tables, Verdict& verdict) {
  const std::string where = pos.name + " <- " + Printable(payload) + ": ";
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(call.elapsed).count();
  if (ms >= kStatementTimeoutMs) verdict.Fail(where + "took " + std::to_string(ms) + " ms");
  const auto& out = call.outcome;
  if (out.is_error) {
    ++verdict.refused;
    std::string text = out.text;
    if (text.empty() || text.find('\n') != std::string::npos || text.back() != '.') {
      verdict.Fail(where + "the error is not one sentence: " + Printable(text));
    }
    if (text.find(kTimeoutSentence) != std::string::npos) verdict.Fail(where + "hit the statement timeout");
    const bool server_refused_value = text == kValueRefusedByServer;
    if (text.rfind("The database", 0) == 0 || text.rfind("Permission denied", 0) == 0 ||
        (server_refused_value && pos.expect != Expect::kEither)) {
      verdict.Fail(where + "SQL ran and failed: " + text);
    }
    // The caller's own input comes back quoted and cut (query::QuoteForMessage); what is left must
    // be ours and plain.
    RemoveAll(text, query::QuoteForMessage(payload));
    for (auto word : kForbidden) {
      if (text.find(word) != std::string::npos) verdict.Fail(where + "the error holds '" + std::string(word) + "': " + out.text);
    }
    if (pos.expect == Expect::kData && StorableAsText(payload)) verdict.Fail(where + "data was refused: " + out.text);
    if (pos.expect == Expect::kAnswered) verdict.Fail(where + "search words were refused: " + out.text);
    return;
  }
  ++verdict.answered;
  const bool names_a_table = pos.expect == Expect::kTable && tables.Find(payload) != nullptr;
  if (pos.expect == Expect::kRefused || (pos.expect == Expect::kTable && !names_a_table)) {
    verdict.Fail(where + "a name that is not ours was accepted");
  }
  if (pos.tool == "describe_table") return;  // a table's description, not rows
  if (pos.expect == Expect::kData && !StorableAsText(payload)) verdict.Fail(where + "text PostgreSQL cannot store was accepted");
  boost::system::error_code ec;
  auto doc = json::parse(out.structured_json, ec);
  if (ec || !doc.is_object() || !doc.as_object().contains("rows") || !doc.as_object().contains("columns")) {
    verdict.Fail(where + "the result is not the JSON of docs/reference.md, Results");
    return;
  }
  for (const auto& c : doc.as_object().at("columns").as_array()) {
    if (c == "password_hash" || c == "api_token") verdict.Fail(where + "a hidden column was returned");
  }
  for (const auto& secret : secrets) {
    if (out.structured_json.find(secret) != std::string::npos || out.text.find(secret) != std::string::npos) {
      verdict.Fail(where + "a hidden column's value was returned");
    }
  }
}

// ---- the suite --------------------------------------------------------------------------------------

class AttackSuite : public ::testing::Test {
 protected:
  void SetUp() override {
    if (db_ == nullptr) SetUpDatabase();
  }
  static void SetUpDatabase() {
    logging::SetLevel(config::LogLevel::kError);  // thousands of tool_call lines help nobody
    payloads_ = new std::vector<std::string>(LoadPayloads());
    // A scratch table holding every payload that text can hold, one per row, for the test that a
    // payload in `where` is data: it must find exactly its own row.
    db_ = MakeDemoDatabase(
              "CREATE TABLE attack_notes (id integer PRIMARY KEY, note text NOT NULL);"
              "GRANT SELECT ON attack_notes TO mcp_reader;")
              .release();
    database::PgConnPtr conn(PQconnectdb(db_->Dsn().c_str()));
    for (size_t i = 0; i < payloads_->size(); ++i) {
      const std::string& p = (*payloads_)[i];
      if (!StorableAsText(p)) continue;
      const std::string id = std::to_string(i + 1);
      const char* values[] = {id.c_str(), p.c_str()};
      database::PgResultPtr r(PQexecParams(conn.get(), "INSERT INTO attack_notes VALUES ($1::int, $2::text)", 2,
                                           nullptr, values, nullptr, nullptr, 0));
      if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) ADD_FAILURE() << PQerrorMessage(conn.get());
    }
  }
  static void TearDownTestSuite() {
    delete db_;
    db_ = nullptr;
    delete payloads_;
    payloads_ = nullptr;
  }

  static config::Settings AttackSettings() {
    config::Settings s = ReaderSettings(*db_);
    s.limits.statement_timeout_ms = kStatementTimeoutMs;  // low, so a pg_sleep that ran would show
    // Discovery mode with every table pinned: the per-table tools and the three discovery tools at once.
    s.schema.tool_mode = config::ToolMode::kDiscovery;
    s.schema.pinned_tables = {"*"};
    return s;
  }

  static pgmcp::testing::TestDatabase* db_;
  static std::vector<std::string>* payloads_;
};

pgmcp::testing::TestDatabase* AttackSuite::db_ = nullptr;
std::vector<std::string>* AttackSuite::payloads_ = nullptr;

TEST_F(AttackSuite, PayloadFileHoldsAtLeast150DistinctPayloads) {
  EXPECT_GE(payloads_->size(), 150u);
  // The notation reaches what a text line cannot hold.
  EXPECT_TRUE(std::any_of(payloads_->begin(), payloads_->end(), [](const std::string& p) { return p == std::string(1, '\0'); }));
  EXPECT_TRUE(std::any_of(payloads_->begin(), payloads_->end(), [](const std::string& p) { return !pgmcp::IsValidUtf8(p); }));
  EXPECT_TRUE(std::any_of(payloads_->begin(), payloads_->end(), [](const std::string& p) { return p.empty(); }));
  EXPECT_THROW(DecodePayload("a\\q", 1), std::runtime_error) << "an unknown escape is refused, not kept";
}

TEST_F(AttackSuite, EveryPayloadInEveryPositionIsRefusedOrTreatedAsDataAndChangesNothing) {
  const DatabaseState before = Snapshot(*db_);
  std::vector<std::string> secrets;
  for (const auto& row : db_->Query("SELECT password_hash FROM employees UNION ALL "
                                    "SELECT api_token FROM employees WHERE api_token IS NOT NULL")) {
    secrets.push_back(row[0]);
  }
  ASSERT_FALSE(secrets.empty());

  ServiceHarness harness(AttackSettings());
  ASSERT_NE(harness.service().current()->schema->FindTool("query_attack_notes"), nullptr);
  const auto positions = Positions();
  std::vector<ToolCall> calls;
  std::vector<std::pair<const Position*, const std::string*>> what;
  for (const auto& pos : positions) {
    for (const auto& payload : *payloads_) {
      calls.push_back({pos.tool, pos.arguments(payload)});
      what.emplace_back(&pos, &payload);
    }
  }
  const auto started = std::chrono::steady_clock::now();
  const auto outcomes = harness.CallAll(calls);
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  Verdict verdict;
  std::chrono::steady_clock::duration slowest{};
  for (size_t i = 0; i < outcomes.size(); ++i) {
    Judge(*what[i].first, *what[i].second, outcomes[i], secrets, *harness.service().current()->catalog->directory,
          verdict);
    slowest = std::max(slowest, outcomes[i].elapsed);
  }
  for (const auto& f : verdict.failures) ADD_FAILURE() << f;
  std::cout << "[ attacks  ] " << payloads_->size() << " payloads x " << positions.size() << " positions = "
            << outcomes.size() << " calls (" << verdict.answered << " answered, " << verdict.refused
            << " refused) in " << seconds << " s; slowest call "
            << std::chrono::duration_cast<std::chrono::milliseconds>(slowest).count() << " ms\n";

  // Nothing changed: every table, sequence and object list is as before.
  const DatabaseState after = Snapshot(*db_);
  for (const auto& [key, value] : before) {
    auto it = after.find(key);
    EXPECT_TRUE(it != after.end() && it->second == value) << key << " changed";
  }
  EXPECT_EQ(after.size(), before.size()) << "tables appeared or disappeared";

  // No backend of the pool is left in a transaction, and each carries no state of a call.
  const auto states = db_->Query("SELECT state FROM pg_stat_activity WHERE datname = current_database() "
                                 "AND application_name = 'pgmcp'");
  EXPECT_FALSE(states.empty());
  for (const auto& s : states) EXPECT_EQ(s[0], "idle");
  const auto pooled = InspectIdleConnections(harness);
  ASSERT_FALSE(pooled.empty());
  for (const auto& c : pooled) {
    EXPECT_TRUE(c.idle);
    EXPECT_EQ(c.current_user, "mcp_reader");
    EXPECT_EQ(c.session_user, "mcp_reader");
    EXPECT_EQ(c.claims, "");
    EXPECT_EQ(c.statement_timeout, c.statement_timeout_reset);
    EXPECT_EQ(c.timezone, c.timezone_reset);
  }
}

TEST_F(AttackSuite, PayloadStoredInARowIsFoundByEqAndTextOperatorsAsPlainData) {
  ServiceHarness harness(AttackSettings());
  // For each storable payload: eq finds exactly its row; contains/starts_with/ends_with find exactly
  // the rows PostgreSQL's strpos (no wildcards at all) finds, so %, _ and \ matched literally.
  std::vector<ToolCall> calls;
  std::vector<size_t> index;
  for (size_t i = 0; i < payloads_->size(); ++i) {
    const std::string& p = (*payloads_)[i];
    if (!StorableAsText(p)) continue;
    index.push_back(i);
    for (const char* op : {"eq", "contains", "starts_with", "ends_with"}) {
      calls.push_back({"query_attack_notes",
                       json::object{{"where", json::object{{"note", json::object{{op, json::string(p)}}}}},
                                    {"select", json::array{"id"}}, {"limit", 1000}}});
    }
  }
  const auto outcomes = harness.CallAll(calls);
  database::PgConnPtr conn(PQconnectdb(db_->Dsn().c_str()));
  ASSERT_EQ(PQstatus(conn.get()), CONNECTION_OK);
  auto expected_ids = [&](const char* sql, const std::string& p) {
    const char* values[] = {p.c_str()};
    database::PgResultPtr r(PQexecParams(conn.get(), sql, 1, nullptr, values, nullptr, nullptr, 0));
    std::vector<int64_t> ids;
    for (int row = 0; row < PQntuples(r.get()); ++row) ids.push_back(std::atoll(PQgetvalue(r.get(), row, 0)));
    return ids;
  };
  const char* kExpected[] = {
      "SELECT id FROM attack_notes WHERE note = $1 ORDER BY id",
      "SELECT id FROM attack_notes WHERE strpos(lower(note), lower($1)) > 0 ORDER BY id",
      "SELECT id FROM attack_notes WHERE lower(left(note, length($1))) = lower($1) ORDER BY id",
      "SELECT id FROM attack_notes WHERE lower(right(note, length($1))) = lower($1) ORDER BY id",
  };
  size_t k = 0;
  int failures = 0;
  for (size_t i : index) {
    const std::string& p = (*payloads_)[i];
    for (int op = 0; op < 4; ++op, ++k) {
      const auto& call = outcomes[k];
      if (call.outcome.is_error) {
        ADD_FAILURE() << Printable(p) << " op " << op << ": " << call.outcome.text;
        if (++failures > 20) return;
        continue;
      }
      std::vector<int64_t> got;
      const json::object doc = Structured(call);
      for (const auto& row : doc.at("rows").as_array()) got.push_back(row.as_array()[0].to_number<int64_t>());
      const auto want = expected_ids(kExpected[op], p);
      if (op == 0) {
        ASSERT_EQ(want, std::vector<int64_t>{static_cast<int64_t>(i + 1)}) << Printable(p);
      }
      if (got != want) {
        ADD_FAILURE() << Printable(p) << " " << kExpected[op] << ": got " << got.size() << " rows, want " << want.size();
        if (++failures > 20) return;
      }
    }
  }
}

}  // namespace
}  // namespace pgmcp::service

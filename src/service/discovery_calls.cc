#include "service/discovery_calls.h"

#include <algorithm>
#include <boost/json.hpp>

#include "catalog/discovery_tools.h"
#include "query/json_text.h"
#include "schema/describe.h"

namespace pgmcp::service {
namespace {

namespace json = boost::json;

// Long enough for any question a model asks, short enough that ranking stays cheap.
constexpr size_t kMaxQueryCodePoints = 500;
constexpr size_t kMaxColumnCommentBytes = 300;

Error Invalid(std::string sentence) { return MakeError(ErrorKind::kInvalidArgument, std::move(sentence)); }

// The arguments as an object (null: none), every key one of `keys`; `null` values mean absent.
Result<json::object> ArgumentObject(const json::value& arguments, std::string_view tool,
                                    std::initializer_list<std::string_view> keys, std::string_view key_list) {
  if (arguments.is_null()) return json::object{};
  if (!arguments.is_object()) {
    return Invalid("The arguments of " + std::string(tool) + " must be a JSON object with " + std::string(key_list) + ".");
  }
  json::object out;
  for (const auto& kv : arguments.get_object()) {
    if (std::find(keys.begin(), keys.end(), std::string_view(kv.key())) == keys.end()) {
      return Invalid("Unknown argument " + query::QuoteForMessage(kv.key()) + "; " + std::string(tool) + " takes " +
                     std::string(key_list) + ".");
    }
    if (!kv.value().is_null()) out.emplace(kv.key(), kv.value());
  }
  return out;
}

// The table `args["table"]` names in this caller's catalog.
Result<const schema::Table*> NamedTable(const schema::SchemaSnapshot& snapshot, const catalog::ToolCatalog& catalog,
                                        const json::object& args) {
  const json::value* name = args.if_contains("table");
  if (name == nullptr || name->is_null()) {
    return Invalid("Argument \"table\" is required: a table name as find_tables lists it.");
  }
  const catalog::DirectoryEntry* entry =
      name->is_string() && catalog.directory ? catalog.directory->Find(std::string_view(name->get_string())) : nullptr;
  const schema::Table* table = entry != nullptr ? snapshot.FindTool(entry->tool_name) : nullptr;
  if (table == nullptr) return Invalid(std::string(kUnknownTableSentence));
  return table;
}

json::object ColumnEntry(const schema::Table& table, const schema::Column& c, const catalog::TableDirectory& directory) {
  json::object out{{"name", c.name}, {"type", c.type.sql_name}};
  if (std::string comment = schema::CleanText(c.comment, kMaxColumnCommentBytes); !comment.empty()) {
    out["description"] = std::move(comment);
  }
  if (!c.allowed_values.empty()) out["values"] = catalog::Strings(c.allowed_values);
  for (const auto& fk : table.foreign_keys) {
    if (fk.columns.size() != 1 || fk.columns[0] != c.name) continue;
    // Named as find_tables names the parent table when the caller can see it.
    const catalog::DirectoryEntry* parent = directory.Find(fk.ref_schema + "." + fk.ref_table);
    out["references"] = (parent != nullptr ? parent->table : fk.ref_schema + "." + fk.ref_table) + "." + fk.ref_columns[0];
  }
  if (std::find(table.primary_key.begin(), table.primary_key.end(), c.name) != table.primary_key.end()) {
    out["primary_key"] = true;
  }
  return out;
}

}  // namespace

Result<std::string> FindTables(const catalog::TableDirectory& directory, const json::value& arguments) {
  auto args = ArgumentObject(arguments, catalog::kFindTables, {"query", "limit", "offset"}, "query, limit and offset");
  if (!args) return args.error();
  std::string_view query;
  if (const auto* q = args->if_contains("query")) {
    if (!q->is_string()) return Invalid("Argument \"query\" must be a string of words to look for.");
    query = q->get_string();
    // Code points counted as UTF-8 lead bytes: the words never reach SQL, so no need to validate them.
    auto code_points = std::count_if(query.begin(), query.end(), [](char c) { return (c & 0xC0) != 0x80; });
    if (static_cast<size_t>(code_points) > kMaxQueryCodePoints) {
      return Invalid("Argument \"query\" must be at most " + std::to_string(kMaxQueryCodePoints) + " characters.");
    }
  }
  int64_t limit = catalog::kDefaultFindTablesLimit;
  if (const auto* l = args->if_contains("limit")) {
    if (!query::AsInteger(*l, limit) || limit < 1 || limit > catalog::kMaxFindTablesLimit) {
      return Invalid("Argument \"limit\" must be a whole number from 1 to " +
                     std::to_string(catalog::kMaxFindTablesLimit) + ".");
    }
  }
  int64_t offset = 0;
  if (const auto* o = args->if_contains("offset")) {
    if (!query::AsInteger(*o, offset) || offset < 0) {
      return Invalid("Argument \"offset\" must be a whole number, 0 or more.");
    }
  }
  catalog::TablePage page = directory.Search(query, static_cast<size_t>(limit), static_cast<size_t>(offset));
  json::array rows;
  rows.reserve(page.entries.size());
  for (const auto* e : page.entries) {
    rows.emplace_back(json::array{e->table, e->description, catalog::RowEstimate(e->row_estimate)});
  }
  const size_t row_count = rows.size();
  const bool truncated = static_cast<size_t>(offset) + row_count < page.matched;
  return json::serialize(json::object{{"columns", json::array{"table", "description", "rows_estimate"}},
                                      {"rows", std::move(rows)},
                                      {"row_count", row_count},
                                      {"truncated", truncated}});
}

Result<TableDescription> DescribeTable(const schema::SchemaSnapshot& snapshot, const catalog::ToolCatalog& catalog,
                                       const json::value& arguments, const query::QueryOptions& options) {
  auto args = ArgumentObject(arguments, catalog::kDescribeTable, {"table"}, "table");
  if (!args) return args.error();
  auto table = NamedTable(snapshot, catalog, *args);
  if (!table) return table.error();
  const schema::Table& t = **table;
  json::array columns;
  for (const auto& c : t.columns) columns.emplace_back(ColumnEntry(t, c, *catalog.directory));
  json::object structured{{"table", catalog.directory->Find(t.QualifiedName())->table},
                          {"description", t.description},
                          {"columns", std::move(columns)},
                          {"input_schema", query::InputSchema(t, options)}};
  return TableDescription{&t, t.description, json::serialize(structured)};
}

Result<TableCall> ResolveQueryTable(const schema::SchemaSnapshot& snapshot, const catalog::ToolCatalog& catalog,
                                    json::value arguments) {
  if (!arguments.is_object()) {
    return Invalid("The arguments of query_table must be a JSON object with table and any of where, select, "
                   "order_by, limit, offset, group_by and aggregates.");
  }
  auto table = NamedTable(snapshot, catalog, arguments.get_object());
  if (!table) return table.error();
  arguments.get_object().erase("table");
  return TableCall{*table, std::move(arguments)};
}

}  // namespace pgmcp::service

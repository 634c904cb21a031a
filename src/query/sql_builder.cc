// SQL building: prints a validated QueryPlan as one SELECT. Identifiers come only from the
// snapshot and are always quoted; every caller value is a $n parameter with an explicit cast.
#include <boost/json.hpp>
#include <algorithm>
#include <memory>
#include <type_traits>

#include "common/sql_text.h"
#include "query/query.h"
#include "query/query_plan.h"
#include "query/sql_shape_cache.h"
#include "query/value_cut.h"

namespace pgmcp::query {
namespace {

using schema::Column;
using schema::TypeCategory;


class SqlWriter {
 public:
  SqlWriter(const QueryPlan& plan, const QueryOptions& options) : plan_(plan), options_(options) {}

  // The next parameter's placeholder; BindParams binds the values in the same order.
  std::string Param() { return "$" + std::to_string(++param_count_); }

  // The text-search configuration is bound once and shared by every `search` condition.
  std::string SearchConfigParam() {
    if (search_config_.empty()) search_config_ = Param();
    return search_config_;
  }

  size_t param_count() const { return param_count_; }

  // Without joins, columns are named bare, as they always were; with joins, every column is
  // qualified by its table's alias: "t0" for the queried table, "t1"... for the joins in order.
  std::string ColumnSql(const ColumnRef& ref) const {
    if (plan_.joins.empty()) return QuoteIdentifier(ref.column->name);
    return Alias(ref.join) + "." + QuoteIdentifier(ref.column->name);
  }

  // A column as a result value: cut in the database (query/value_cut.h), under its own name.
  std::string OutputSql(const ColumnRef& ref) const {
    const std::string col = ColumnSql(ref);
    const std::string cut = CutValueSql(ref.column->type, col, options_.limits);
    if (cut == col && ref.join < 0) return col;
    return cut + " AS " + QuoteIdentifier(ref.name);
  }

  // A column to sort by. Without joins a cut column's output carries the column's own name, and
  // ORDER BY would read a bare name as that output, sorting by the cut value (and past any
  // index): the table's name makes it the stored column.
  std::string SortSql(const ColumnRef& ref, const schema::Table& table) const {
    if (!plan_.joins.empty() || CutOf(ref.column->type) == ValueCut::kNone) return ColumnSql(ref);
    return QuoteIdentifier(table.schema) + "." + QuoteIdentifier(table.name) + "." + QuoteIdentifier(ref.column->name);
  }

  static std::string Alias(int join) { return QuoteIdentifier("t" + std::to_string(join + 1)); }

  // One LEFT JOIN per join of the plan: a null key, or a parent row the caller's role may not
  // see (row-level security), leaves the parent's columns null and the row count unchanged.
  std::string JoinsSql() const {
    std::string sql;
    for (size_t i = 0; i < plan_.joins.size(); ++i) {
      const Join& j = plan_.joins[i];
      const std::string alias = Alias(static_cast<int>(i));
      sql += " LEFT JOIN " + QuoteIdentifier(j.table->schema) + "." + QuoteIdentifier(j.table->name) + " AS " + alias +
             " ON " + alias + "." + QuoteIdentifier(j.referenced->name) + " OPERATOR(" +
             OperatorSchema(j.referenced->type) + ".=) " + Alias(j.from) + "." + QuoteIdentifier(j.key->name);
    }
    return sql;
  }

  std::string ConditionSql(const Condition& c) {
    const schema::ColumnType& type = c.column.column->type;
    const std::string col = ColumnSql(c.column);
    const std::string cast = ElementCast(type);
    // Every operator is named with its schema (docs/security.md, "Name resolution is pinned"):
    // an operator planted elsewhere with an exact signature cannot be picked instead.
    const std::string schema = OperatorSchema(type);
    auto op = [&](std::string_view name) { return " OPERATOR(" + schema + "." + std::string(name) + ") "; };
    switch (c.op) {
      case FilterOp::kEq: return col + op("=") + Param() + "::" + cast;
      case FilterOp::kNeq: return col + op("<>") + Param() + "::" + cast;
      case FilterOp::kGt: return col + op(">") + Param() + "::" + cast;
      case FilterOp::kGte: return col + op(">=") + Param() + "::" + cast;
      case FilterOp::kLt: return col + op("<") + Param() + "::" + cast;
      case FilterOp::kLte: return col + op("<=") + Param() + "::" + cast;
      case FilterOp::kIn:
        if (c.values.empty()) return "false";
        return col + op("=") + "ANY(" + Param() + "::" + cast + "[])";
      case FilterOp::kNotIn:
        if (c.values.empty()) return "";
        return col + op("<>") + "ALL(" + Param() + "::" + cast + "[])";
      case FilterOp::kIsNull: return col + (c.is_null ? " IS NULL" : " IS NOT NULL");
      case FilterOp::kContains:
        // Array containment is pg_catalog's anyarray operator whatever the element type.
        if (type.is_array) {
          return col + " OPERATOR(pg_catalog.@>) " + Param() + "::" + cast + "[]";
        }
        [[fallthrough]];
      case FilterOp::kStartsWith:
      case FilterOp::kEndsWith:
        return col + op("~~*") + Param() + "::pg_catalog.text";
      case FilterOp::kSearch: {
        const std::string config = SearchConfigParam();
        return "pg_catalog.to_tsvector(" + config + "::pg_catalog.regconfig, " + col +
               "::pg_catalog.text) OPERATOR(pg_catalog.@@) pg_catalog.websearch_to_tsquery(" + config +
               "::pg_catalog.regconfig, " + Param() + "::pg_catalog.text)";
      }
    }
    return "";
  }

  // The shape's SQL, without its LIMIT (which Finish appends per call), and result columns.
  SqlShape Build(const schema::Table& table) {
    const QueryPlan& plan = plan_;
    std::vector<OutputColumn> columns;
    columns.reserve(plan.aggregate_mode ? plan.group_by.size() + plan.aggregates.size() : plan.select.size());
    std::string& sql = sql_;
    sql.reserve(256);
    sql = "SELECT ";
    std::vector<std::string> items;
    if (plan.aggregate_mode) {
      for (const auto& g : plan.group_by) {
        const std::string col = ColumnSql(g.column);
        const std::string name = QuoteIdentifier(g.column.name);
        schema::ColumnType type = g.column.column->type;
        if (g.bucket == Bucket::kNone) {
          items.push_back(OutputSql(g.column));
        } else if (type.category == TypeCategory::kDate) {
          // date_trunc on a date would yield timestamptz; keep the bucket a date.
          items.push_back("pg_catalog.date_trunc('" + std::string(BucketName(g.bucket)) + "', " + col +
                          "::pg_catalog.timestamp)::pg_catalog.date AS " + name);
        } else {
          items.push_back("pg_catalog.date_trunc('" + std::string(BucketName(g.bucket)) + "', " + col + ") AS " + name);
        }
        columns.push_back(OutputColumn{g.column.name, type});
      }
      for (const auto& a : plan.aggregates) {
        std::string expr;
        const std::string col = a.column.column != nullptr ? ColumnSql(a.column) : "";
        switch (a.fn) {
          case AggregateFn::kCount: expr = "pg_catalog.count(*)"; break;
          case AggregateFn::kCountDistinct: expr = "pg_catalog.count(DISTINCT " + col + ")"; break;
          case AggregateFn::kSum: expr = "pg_catalog.sum(" + col + ")"; break;
          case AggregateFn::kAvg: expr = "pg_catalog.avg(" + col + ")"; break;
          case AggregateFn::kMin:
            expr = CutValueSql(a.column.column->type, OperatorSchema(a.column.column->type) + ".min(" + col + ")",
                               options_.limits);
            break;
          case AggregateFn::kMax:
            expr = CutValueSql(a.column.column->type, OperatorSchema(a.column.column->type) + ".max(" + col + ")",
                               options_.limits);
            break;
        }
        items.push_back(expr + " AS " + QuoteIdentifier(a.name));
        const schema::ColumnType* type = a.column.column != nullptr ? &a.column.column->type : nullptr;
        columns.push_back(OutputColumn{a.name, AggregateResultType(a.fn, type)});
      }
    } else {
      for (const ColumnRef& c : plan.select) {
        items.push_back(OutputSql(c));
        columns.push_back(OutputColumn{c.name, c.column->type});
      }
    }
    AppendList(items, ", ");
    sql += " FROM " + QuoteIdentifier(table.schema) + "." + QuoteIdentifier(table.name);
    if (!plan.joins.empty()) sql += " AS " + Alias(-1) + JoinsSql();

    items.clear();
    for (const auto& c : plan.conditions) {
      std::string cond = ConditionSql(c);
      if (!cond.empty()) items.push_back(std::move(cond));
    }
    if (!items.empty()) {
      sql += " WHERE ";
      AppendList(items, " AND ");
    }

    items.clear();
    if (plan.aggregate_mode) {
      // Positions, not names: a result name such as "count" may also be a table column. A cut
      // column is grouped by its stored value (GROUP BY reads a bare name as the table's column
      // first), so values that share their first characters stay apart.
      if (!plan.group_by.empty()) {
        sql += " GROUP BY ";
        for (size_t i = 0; i < plan.group_by.size(); ++i) {
          const GroupItem& g = plan.group_by[i];
          const bool cut = g.bucket == Bucket::kNone && CutOf(g.column.column->type) != ValueCut::kNone;
          items.push_back(cut ? ColumnSql(g.column) : std::to_string(i + 1));
        }
        AppendList(items, ", ");
        items.clear();
      }
      // A cut group column sorts by its stored value, as it is grouped.
      auto output = [&](int index) {
        const bool group = index < static_cast<int>(plan.group_by.size());
        if (group && plan.group_by[index].bucket == Bucket::kNone &&
            CutOf(plan.group_by[index].column.column->type) != ValueCut::kNone) {
          return SortSql(plan.group_by[index].column, table);
        }
        return std::to_string(index + 1);
      };
      std::vector<int> used;
      for (const auto& o : plan.order_by) {
        items.push_back(output(o.output_index) + (o.descending ? " DESC NULLS LAST" : ""));
        used.push_back(o.output_index);
      }
      // Group columns break ties, so paging through groups is stable.
      for (size_t i = 0; i < plan.group_by.size(); ++i) {
        if (std::find(used.begin(), used.end(), static_cast<int>(i)) == used.end() &&
            CanOrderBy(plan.group_by[i].column.column->type)) {
          items.push_back(output(static_cast<int>(i)));
        }
      }
    } else {
      std::vector<std::string> used;  // by name: a path names another column than the table's own
      for (const auto& o : plan.order_by) {
        items.push_back(SortSql(o.column, table) + (o.descending ? " DESC NULLS LAST" : ""));
        used.push_back(o.column.name);
      }
      // The primary key (or, without one, the selected columns) breaks ties so offset paging is stable.
      std::vector<ColumnRef> tie_breakers;
      for (const auto& key : table.primary_key) {
        if (const Column* c = table.FindColumn(key)) tie_breakers.push_back(ColumnRef{c, -1, c->name});
      }
      if (tie_breakers.size() != table.primary_key.size() || tie_breakers.empty()) tie_breakers = plan.select;
      for (const ColumnRef& c : tie_breakers) {
        if (std::find(used.begin(), used.end(), c.name) == used.end() && CanOrderBy(c.column->type)) {
          items.push_back(SortSql(c, table));
          used.push_back(c.name);
        }
      }
    }
    if (!items.empty()) {
      sql += " ORDER BY ";
      AppendList(items, ", ");
    }
    return SqlShape{std::move(sql_), OutputColumns(std::move(columns))};
  }

 private:
  void AppendList(const std::vector<std::string>& items, std::string_view sep) {
    for (size_t i = 0; i < items.size(); ++i) {
      if (i > 0) sql_ += sep;
      sql_ += items[i];
    }
  }

  const QueryPlan& plan_;
  const QueryOptions& options_;
  std::string sql_;
  size_t param_count_ = 0;
  std::string search_config_;
};

// The values of `plan`'s conditions as bind parameters, in the order SqlWriter::ConditionSql
// numbers them ($1 first). Moves the values out of the plan.
std::vector<std::optional<std::string>> BindParams(QueryPlan& plan, const QueryOptions& options) {
  std::vector<std::optional<std::string>> params;
  bool search_config_bound = false;
  for (Condition& c : plan.conditions) {
    switch (c.op) {
      case FilterOp::kEq:
      case FilterOp::kNeq:
      case FilterOp::kGt:
      case FilterOp::kGte:
      case FilterOp::kLt:
      case FilterOp::kLte:
      case FilterOp::kStartsWith:
      case FilterOp::kEndsWith:
        params.emplace_back(std::move(c.values[0]));
        break;
      case FilterOp::kIn:
      case FilterOp::kNotIn:
        if (!c.values.empty()) params.emplace_back(ArrayLiteral(c.values));
        break;
      case FilterOp::kIsNull:
        break;
      case FilterOp::kContains:
        if (c.column.column->type.is_array) {
          params.emplace_back(ArrayLiteral(c.values));
        } else {
          params.emplace_back(std::move(c.values[0]));
        }
        break;
      case FilterOp::kSearch:
        if (!search_config_bound) params.emplace_back(options.text_search_config);
        search_config_bound = true;
        params.emplace_back(std::move(c.values[0]));
        break;
    }
  }
  return params;
}

template <typename T>
void PutBytes(std::string& key, const T& value) {
  static_assert(std::is_trivially_copyable_v<T>);
  key.append(reinterpret_cast<const char*>(&value), sizeof value);
}

void PutText(std::string& key, const std::string& text) {
  PutBytes(key, text.size());
  key.append(text);
}

void PutColumn(std::string& key, const ColumnRef& ref) {
  PutBytes(key, ref.column);
  PutBytes(key, ref.join);
  PutText(key, ref.name);
}

// Everything SqlWriter::Build reads, values excluded: the table, every part of the plan that it
// prints (columns by their snapshot address, which the cache's snapshot keeps alive; names,
// operators, whether an in-list is empty, buckets, functions, directions), and the limits that
// CutValueSql reads. LIMIT and OFFSET are not in the shape's SQL. Each list is preceded by its
// length and each text by its size, so two different shapes never write the same key.
std::string ShapeKey(const schema::Table& table, const QueryPlan& plan, const QueryOptions& options) {
  std::string key;
  key.reserve(256);
  PutBytes(key, &table);
  PutBytes(key, options.limits.max_text_chars);
  PutBytes(key, options.limits.max_result_bytes);
  PutBytes(key, plan.aggregate_mode);
  PutBytes(key, plan.select_all);  // every column of the table, which &table names: not listed
  if (!plan.select_all) {
    PutBytes(key, plan.select.size());
    for (const ColumnRef& c : plan.select) PutColumn(key, c);
  }
  PutBytes(key, plan.joins.size());
  for (const Join& j : plan.joins) {
    PutBytes(key, j.table);
    PutBytes(key, j.key);
    PutBytes(key, j.referenced);
    PutBytes(key, j.from);
  }
  PutBytes(key, plan.conditions.size());
  for (const Condition& c : plan.conditions) {
    PutColumn(key, c.column);
    PutBytes(key, c.op);
    PutBytes(key, c.is_null);
    PutBytes(key, c.values.empty());
  }
  PutBytes(key, plan.group_by.size());
  for (const GroupItem& g : plan.group_by) {
    PutColumn(key, g.column);
    PutBytes(key, g.bucket);
  }
  PutBytes(key, plan.aggregates.size());
  for (const AggregateItem& a : plan.aggregates) {
    PutBytes(key, a.fn);
    PutColumn(key, a.column);
    PutText(key, a.name);
  }
  PutBytes(key, plan.order_by.size());
  for (const OrderItem& o : plan.order_by) {
    PutColumn(key, o.column);
    PutBytes(key, o.output_index);
    PutBytes(key, o.descending);
  }
  return key;
}

}  // namespace

Result<SqlQuery> BuildQuery(const schema::SchemaSnapshot& snapshot, const schema::Table& table,
                            const boost::json::value& arguments, const QueryOptions& options, SqlShapeCache* shapes) {
  auto plan = ParseArguments(snapshot, table, arguments, options);
  if (!plan) return plan.error();
  // Every column a plan can name had its cast checked by OperatorAllowed; this guards the
  // remaining case of a snapshot whose cast name is unusable.
  for (const auto& c : plan->conditions) {
    if (c.op != FilterOp::kIsNull && !HasElementCast(c.column.column->type)) {
      return MakeError(ErrorKind::kInvalidArgument,
                       "Column " + c.column.name + " cannot be filtered except with is_null.");
    }
  }
  std::shared_ptr<const SqlShape> shape;
  std::string key;
  if (shapes != nullptr) {
    key = ShapeKey(table, *plan, options);
    shape = shapes->Lookup(key);
  }
  SqlQuery query;
  if (shape == nullptr) {
    SqlWriter writer(plan.value(), options);
    auto built = std::make_shared<const SqlShape>(writer.Build(table));
    query.params = BindParams(*plan, options);
    if (query.params.size() != writer.param_count()) {
      return MakeError(ErrorKind::kInternal, "The query's parameters do not match its SQL.");  // a bug
    }
    if (shapes != nullptr) shapes->Insert(key, built);
    shape = std::move(built);
  } else {
    query.params = BindParams(*plan, options);
  }
  query.sql.reserve(shape->sql.size() + 40);
  query.sql = shape->sql;
  query.sql += " LIMIT ";
  query.sql += std::to_string(plan->limit + 1);
  if (plan->offset > 0) {
    query.sql += " OFFSET ";
    query.sql += std::to_string(plan->offset);
  }
  query.columns = shape->columns;
  query.limit = plan->limit;
  return query;
}

}  // namespace pgmcp::query

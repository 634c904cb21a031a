// Argument parsing: the argument language of docs/query-language.md checked against one table.
#include <boost/json.hpp>
#include <algorithm>
#include <array>
#include <cmath>
#include <set>

#include "query/column_paths.h"
#include "query/json_text.h"
#include "query/query_plan.h"
#include "query/value_parser.h"

namespace pgmcp::query {
namespace {

namespace json = boost::json;
using schema::Column;
using schema::Table;

constexpr std::string_view kTopLevelKeys[] = {"where",  "select",   "order_by",  "limit",
                                              "offset", "group_by", "aggregates"};

Error Invalid(std::string sentence) { return MakeError(ErrorKind::kInvalidArgument, std::move(sentence)); }

std::string Join(const std::vector<std::string>& items, std::string_view last_sep = ", ") {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += (i + 1 == items.size()) ? std::string(last_sep) : ", ";
    out += items[i];
  }
  return out;
}

std::string ColumnList(const Table& table) {
  std::vector<std::string> names;
  for (const auto& c : table.columns) names.push_back(c.name);
  return Join(names);
}

std::string OperatorList(const schema::ColumnType& type) {
  std::vector<std::string> names;
  for (FilterOp op : AllowedOperators(type)) names.emplace_back(FilterOpName(op));
  return Join(names);
}

// The values of a list entry whose only keys are `keys`, in that order (nullptr for a key that is
// absent); any other key is an error naming the list (`where`) and the entry's `shape`.
template <size_t N>
Result<std::array<const json::value*, N>> EntryFields(const json::object& entry, const std::string_view (&keys)[N],
                                                      std::string_view where, std::string_view shape) {
  std::array<const json::value*, N> values{};
  for (const auto& kv : entry) {
    const auto* key = std::find(std::begin(keys), std::end(keys), std::string_view(kv.key()));
    if (key == std::end(keys)) {
      return Invalid("Unknown key " + QuoteForMessage(kv.key()) + " in " + std::string(where) + "; an entry is " +
                     std::string(shape) + ".");
    }
    // null means absent (docs/reference.md, "Null means absent").
    if (!kv.value().is_null()) values[static_cast<size_t>(key - std::begin(keys))] = &kv.value();
  }
  return values;
}

std::string Describe(const ColumnRef& c) {
  return "column " + QuoteForMessage(c.name) + " (" + TypeLabel(c.column->type) + ")";
}

// The queried table and what its paths may reach: every argument's column names go through it.
struct Columns {
  const Table& table;
  ColumnResolver resolver;
};

Result<ColumnRef> FindColumn(Columns& columns, const json::value& name, std::string_view where) {
  if (!name.is_string()) {
    return Invalid(std::string(where) + " takes column names as strings; the columns are " +
                   ColumnList(columns.table) + ".");
  }
  auto c = columns.resolver.Resolve(std::string_view(name.get_string()));
  if (!c) {
    // The snapshot holds exposed (and visible) columns and tables only, so an excluded column, a
    // hidden parent column and a path that cannot be followed all get exactly this sentence.
    return Invalid("Unknown column " + QuoteForMessage(name.get_string()) + " in " + std::string(where) +
                   "; the columns are " + ColumnList(columns.table) + ".");
  }
  return std::move(*c);
}

// Escapes LIKE wildcards so that the caller's text matches literally (backslash is ILIKE's
// default escape character).
std::string EscapeLike(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

Status ParseOperator(const ColumnRef& ref, FilterOp op, const json::value& operand, const QueryOptions& options,
                     std::vector<Condition>& out) {
  // Value errors name the column as the caller wrote it: the path, for a parent's column.
  Column renamed;
  const Column* named = ref.column;
  if (ref.join >= 0) {
    renamed = *ref.column;
    renamed.name = ref.name;
    named = &renamed;
  }
  const Column& column = *named;
  Condition cond;
  cond.column = ref;
  cond.op = op;
  auto op_name = [op] { return QuoteForMessage(FilterOpName(op)); };  // for the error sentences only
  switch (op) {
    case FilterOp::kIsNull:
      if (!operand.is_bool()) {
        return Invalid("Operator \"is_null\" on " + Describe(ref) + " takes true or false.");
      }
      cond.is_null = operand.get_bool();
      break;
    case FilterOp::kIn:
    case FilterOp::kNotIn: {
      if (!operand.is_array()) {
        return Invalid("Operator " + op_name() + " on " + Describe(ref) + " takes a list of values.");
      }
      const auto& list = operand.get_array();
      if (static_cast<int64_t>(list.size()) > options.limits.max_in_values) {
        return Invalid("Operator " + op_name() + " on " + Describe(ref) + " takes at most " +
                       std::to_string(options.limits.max_in_values) + " values; got " + std::to_string(list.size()) +
                       ".");
      }
      for (const auto& item : list) {
        auto param = ValueToParam(column, item);
        if (!param) return param.error();
        cond.values.push_back(std::move(param.value()));
      }
      break;
    }
    case FilterOp::kContains:
      if (column.type.is_array) {
        // Array columns: the row's array must hold every element given (one value or a list).
        if (operand.is_array()) {
          if (static_cast<int64_t>(operand.get_array().size()) > options.limits.max_in_values) {
            return Invalid("Operator \"contains\" on " + Describe(ref) + " takes at most " +
                           std::to_string(options.limits.max_in_values) + " values.");
          }
          for (const auto& item : operand.get_array()) {
            auto param = ValueToParam(column, item);
            if (!param) return param.error();
            cond.values.push_back(std::move(param.value()));
          }
        } else {
          auto param = ValueToParam(column, operand);
          if (!param) return param.error();
          cond.values.push_back(std::move(param.value()));
        }
        break;
      }
      [[fallthrough]];
    case FilterOp::kStartsWith:
    case FilterOp::kEndsWith:
    case FilterOp::kSearch: {
      if (!operand.is_string()) {
        return Invalid("Operator " + op_name() + " on " + Describe(ref) + " takes a string.");
      }
      const std::string_view text = operand.get_string();
      if (auto st = CheckTextValue(column, text); !st) return st.error();
      if (op == FilterOp::kSearch) {
        cond.values.emplace_back(text);
      } else {
        const std::string escaped = EscapeLike(text);
        cond.values.push_back((op == FilterOp::kStartsWith ? "" : "%") + escaped +
                              (op == FilterOp::kEndsWith ? "" : "%"));
      }
      break;
    }
    default: {
      auto param = ValueToParam(column, operand);
      if (!param) return param.error();
      cond.values.push_back(std::move(param.value()));
      break;
    }
  }
  out.push_back(std::move(cond));
  return OkStatus();
}

Status ParseWhere(Columns& columns, const json::value& where, const QueryOptions& options,
                  std::vector<Condition>& out) {
  if (!where.is_object()) {
    return Invalid("where must be an object whose keys are column names and whose values are conditions; the columns are " +
                   ColumnList(columns.table) + ".");
  }
  for (const auto& entry : where.get_object()) {
    auto column = FindColumn(columns, json::value(entry.key()), "where");
    if (!column) return column.error();
    const ColumnRef& c = column.value();
    const json::value& cond = entry.value();
    if (cond.is_object()) {
      if (cond.get_object().empty()) {
        return Invalid("The condition on " + Describe(c) + " is empty; give at least one of its operators: " +
                       OperatorList(c.column->type) + ".");
      }
      for (const auto& op_entry : cond.get_object()) {
        FilterOp op;
        if (!ParseFilterOp(op_entry.key(), op)) {
          return Invalid("Unknown operator " + QuoteForMessage(op_entry.key()) + " on " + Describe(c) +
                         "; its operators are " + OperatorList(c.column->type) + ".");
        }
        // An operator whose value is null is absent, whatever the column's type: strict-mode
        // converters send every operator they know of, most of them null. When all are null
        // the column has no condition, as if it were left out (docs/decisions.md).
        if (op_entry.value().is_null()) continue;
        if (!OperatorAllowed(c.column->type, op)) {
          return Invalid("Operator " + QuoteForMessage(FilterOpName(op)) + " does not apply to " + Describe(c) +
                         "; its operators are " + OperatorList(c.column->type) + ".");
        }
        if (auto st = ParseOperator(c, op, op_entry.value(), options, out); !st) return st.error();
      }
      continue;
    }
    if (cond.is_null()) continue;  // absent: no condition on this column
    if (cond.is_array()) {
      return Invalid("The condition on " + Describe(c) +
                     " is a list; use {\"in\": [...]} to match any of several values.");
    }
    // A bare literal means eq.
    if (!OperatorAllowed(c.column->type, FilterOp::kEq)) {
      return Invalid("A bare value means \"eq\", which does not apply to " + Describe(c) + "; its operators are " +
                     OperatorList(c.column->type) + ".");
    }
    if (auto st = ParseOperator(c, FilterOp::kEq, cond, options, out); !st) return st.error();
  }
  return OkStatus();
}

Status ParseSelect(Columns& columns, const json::value& select, QueryPlan& plan) {
  if (!select.is_array()) {
    return Invalid("select must be a list of column names; the columns are " + ColumnList(columns.table) + ".");
  }
  std::set<std::string> seen;
  for (const auto& item : select.get_array()) {
    auto column = FindColumn(columns, item, "select");
    if (!column) return column.error();
    if (!seen.insert(column->name).second) {
      return Invalid("select lists column " + QuoteForMessage(column->name) + " more than once.");
    }
    plan.select.push_back(std::move(column.value()));
  }
  return OkStatus();
}

Status ParseGroupBy(Columns& columns, const json::value& group_by, QueryPlan& plan) {
  constexpr std::string_view kShape = "a column name or {\"column\": ..., \"bucket\": ...}";
  if (!group_by.is_array()) {
    return Invalid("group_by must be a list whose entries are each " + std::string(kShape) + ".");
  }
  for (const auto& item : group_by.get_array()) {
    GroupItem group;
    if (item.is_object()) {
      const auto fields = EntryFields(item.get_object(), {"column", "bucket"}, "group_by", kShape);
      if (!fields) return fields.error();
      const auto [name, bucket] = fields.value();
      if (name == nullptr) return Invalid("A group_by entry needs \"column\"; an entry is " + std::string(kShape) + ".");
      auto column = FindColumn(columns, *name, "group_by");
      if (!column) return column.error();
      group.column = column.value();
      if (bucket != nullptr) {
        if (!bucket->is_string() || !ParseBucket(bucket->get_string(), group.bucket)) {
          return Invalid("Unknown bucket " + (bucket->is_string() ? QuoteForMessage(bucket->get_string()) : "value") +
                         "; the buckets are hour, day, week, month, quarter and year.");
        }
        if (!CanBucket(group.column.column->type, group.bucket)) {
          if (group.column.column->type.category == schema::TypeCategory::kDate && !group.column.column->type.is_array) {
            return Invalid("Cannot bucket " + Describe(group.column) +
                           " by hour; use day, week, month, quarter or year.");
          }
          return Invalid("Cannot bucket " + Describe(group.column) + "; buckets apply to date and timestamp columns.");
        }
      }
    } else {
      auto column = FindColumn(columns, item, "group_by");
      if (!column) return column.error();
      group.column = column.value();
    }
    if (!CanGroupBy(group.column.column->type)) {
      return Invalid("Cannot group by " + Describe(group.column) + ".");
    }
    for (const auto& other : plan.group_by) {
      if (other.column.name == group.column.name) {
        return Invalid("group_by lists column " + QuoteForMessage(group.column.name) + " more than once.");
      }
    }
    plan.group_by.push_back(std::move(group));
  }
  return OkStatus();
}

Status ParseAggregates(Columns& columns, const json::value& aggregates, QueryPlan& plan) {
  constexpr std::string_view kShape = "{\"fn\": ..., \"column\": ...} with fn one of count, count_distinct, sum, avg, min, max";
  if (!aggregates.is_array()) return Invalid("aggregates must be a list of " + std::string(kShape) + ".");
  for (const auto& item : aggregates.get_array()) {
    if (!item.is_object()) return Invalid("aggregates must be a list of " + std::string(kShape) + ".");
    const auto fields = EntryFields(item.get_object(), {"fn", "column"}, "aggregates", kShape);
    if (!fields) return fields.error();
    const auto [fn_value, column_value] = fields.value();
    AggregateItem agg;
    if (fn_value == nullptr || !fn_value->is_string() || !ParseAggregateFn(fn_value->get_string(), agg.fn)) {
      const std::string what = fn_value == nullptr         ? "An aggregate needs \"fn\""
                               : fn_value->is_string() ? "Unknown aggregate " + QuoteForMessage(fn_value->get_string())
                                                       : "An aggregate's fn must be a string";
      return Invalid(what + "; the aggregates are count, count_distinct, sum, avg, min and max.");
    }
    const std::string fn_name = QuoteForMessage(AggregateFnName(agg.fn));
    if (agg.fn == AggregateFn::kCount) {
      if (column_value != nullptr) {
        return Invalid("Aggregate \"count\" takes no column; use count_distinct to count the distinct values of a column.");
      }
    } else {
      if (column_value == nullptr) return Invalid("Aggregate " + fn_name + " needs a column.");
      auto column = FindColumn(columns, *column_value, "aggregates");
      if (!column) return column.error();
      agg.column = column.value();
      if (!CanAggregate(agg.column.column->type, agg.fn)) {
        std::string rule;
        switch (agg.fn) {
          case AggregateFn::kSum:
          case AggregateFn::kAvg:
            rule = "sum and avg take integer, numeric, floating-point and interval columns";
            break;
          case AggregateFn::kMin:
          case AggregateFn::kMax:
            rule = "min and max take number, text, enum, date, time and interval columns";
            break;
          default:
            rule = "count_distinct cannot take json columns";
            break;
        }
        return Invalid("Aggregate " + fn_name + " does not apply to " + Describe(agg.column) + "; " + rule + ".");
      }
    }
    agg.name = AggregateName(agg.fn, agg.column);
    plan.aggregates.push_back(std::move(agg));
  }
  return OkStatus();
}

// Result-column names of an aggregate query, in order; duplicates are an error.
Result<std::vector<std::string>> AggregateOutputNames(const QueryPlan& plan) {
  std::vector<std::string> names;
  for (const auto& g : plan.group_by) names.push_back(g.column.name);
  for (const auto& a : plan.aggregates) {
    if (std::find(names.begin(), names.end(), a.name) != names.end()) {
      return Invalid("Two result columns would both be named " + QuoteForMessage(a.name) +
                     "; drop the repeated aggregate or group_by entry.");
    }
    names.push_back(a.name);
  }
  return names;
}

Status ParseOrderBy(Columns& columns, const json::value& order_by, QueryPlan& plan) {
  constexpr std::string_view kShape = "{\"column\": ..., \"direction\": \"asc\" or \"desc\"}";
  if (!order_by.is_array()) return Invalid("order_by must be a list of " + std::string(kShape) + " objects.");
  std::vector<std::string> output_names;
  if (plan.aggregate_mode) {
    auto names = AggregateOutputNames(plan);
    if (!names) return names.error();
    output_names = std::move(names.value());
  }
  for (const auto& item : order_by.get_array()) {
    if (!item.is_object()) return Invalid("order_by must be a list of " + std::string(kShape) + " objects.");
    const json::value* name = nullptr;
    OrderItem order;
    for (const auto& kv : item.get_object()) {
      if (kv.key() == "column") {
        if (!kv.value().is_null()) name = &kv.value();
      } else if (kv.key() == "direction") {
        const auto& d = kv.value();
        if (d.is_null()) continue;  // absent: ascending
        if (!d.is_string() || (d.get_string() != "asc" && d.get_string() != "desc")) {
          return Invalid("An order_by direction must be \"asc\" or \"desc\".");
        }
        order.descending = d.get_string() == "desc";
      } else {
        return Invalid("Unknown key " + QuoteForMessage(kv.key()) + " in order_by; an entry is " +
                       std::string(kShape) + ".");
      }
    }
    if (name == nullptr) return Invalid("An order_by entry needs \"column\"; an entry is " + std::string(kShape) + ".");
    if (plan.aggregate_mode) {
      if (!name->is_string()) return Invalid("order_by takes result column names as strings.");
      const auto it = std::find(output_names.begin(), output_names.end(), std::string_view(name->get_string()));
      if (it == output_names.end()) {
        return Invalid("order_by " + QuoteForMessage(name->get_string()) +
                       " is not a result column; with group_by or aggregates, order by one of " + Join(output_names) +
                       ".");
      }
      order.output_index = static_cast<int>(it - output_names.begin());
      if (order.output_index < static_cast<int>(plan.group_by.size()) &&
          !CanOrderBy(plan.group_by[order.output_index].column.column->type)) {
        return Invalid("Cannot order by " + Describe(plan.group_by[order.output_index].column) + ".");
      }
      for (const auto& other : plan.order_by) {
        if (other.output_index == order.output_index) {
          return Invalid("order_by lists " + QuoteForMessage(name->get_string()) + " more than once.");
        }
      }
    } else {
      auto column = FindColumn(columns, *name, "order_by");
      if (!column) return column.error();
      order.column = std::move(column.value());
      if (!CanOrderBy(order.column.column->type)) return Invalid("Cannot order by " + Describe(order.column) + ".");
      for (const auto& other : plan.order_by) {
        if (other.column.name == order.column.name) {
          return Invalid("order_by lists column " + QuoteForMessage(order.column.name) + " more than once.");
        }
      }
    }
    plan.order_by.push_back(std::move(order));
  }
  return OkStatus();
}

bool IsEmptyList(const json::value& v) { return v.is_array() && v.get_array().empty(); }

}  // namespace

std::string AggregateName(AggregateFn fn, const ColumnRef& column) {
  std::string name(AggregateFnName(fn));
  if (column.column != nullptr) name += "_" + column.name;
  return name;
}

Result<QueryPlan> ParseArguments(const schema::SchemaSnapshot& snapshot, const Table& table,
                                 const json::value& arguments, const QueryOptions& options) {
  QueryPlan plan;
  plan.limit = options.limits.default_limit;
  auto select_all = [&] {
    plan.select_all = true;
    plan.select.reserve(table.columns.size());
    for (const auto& c : table.columns) plan.select.push_back(ColumnRef{&c, -1, c.name});
  };
  if (arguments.is_null()) {
    select_all();
    return plan;
  }
  Columns columns{table, ColumnResolver(snapshot, table, plan.joins)};
  if (!arguments.is_object()) {
    return Invalid("The arguments must be a JSON object with any of where, select, order_by, limit, offset, group_by and aggregates.");
  }
  const auto& args = arguments.get_object();
  for (const auto& kv : args) {
    if (std::find(std::begin(kTopLevelKeys), std::end(kTopLevelKeys), std::string_view(kv.key())) ==
        std::end(kTopLevelKeys)) {
      return Invalid("Unknown argument " + QuoteForMessage(kv.key()) +
                     "; the arguments are where, select, order_by, limit, offset, group_by and aggregates.");
    }
  }
  if (const auto* where = args.if_contains("where"); where != nullptr && !where->is_null()) {
    if (auto st = ParseWhere(columns, *where, options, plan.conditions); !st) return st.error();
  }
  const auto* group_by = args.if_contains("group_by");
  const auto* aggregates = args.if_contains("aggregates");
  const bool has_group = group_by != nullptr && !group_by->is_null() && !IsEmptyList(*group_by);
  const bool has_aggregates = aggregates != nullptr && !aggregates->is_null() && !IsEmptyList(*aggregates);
  plan.aggregate_mode = has_group || has_aggregates;
  if (has_group) {
    if (auto st = ParseGroupBy(columns, *group_by, plan); !st) return st.error();
  }
  if (has_aggregates) {
    if (auto st = ParseAggregates(columns, *aggregates, plan); !st) return st.error();
  }
  if (plan.aggregate_mode) {
    if (auto names = AggregateOutputNames(plan); !names) return names.error();
  }
  if (const auto* select = args.if_contains("select"); select != nullptr && !select->is_null() && !IsEmptyList(*select)) {
    if (plan.aggregate_mode) {
      return Invalid("select cannot be combined with group_by or aggregates; the result columns are then the group_by columns followed by the aggregates.");
    }
    if (auto st = ParseSelect(columns, *select, plan); !st) return st.error();
  }
  if (!plan.aggregate_mode && plan.select.empty()) select_all();
  if (const auto* order_by = args.if_contains("order_by"); order_by != nullptr && !order_by->is_null()) {
    if (auto st = ParseOrderBy(columns, *order_by, plan); !st) return st.error();
  }
  if (const auto* limit = args.if_contains("limit"); limit != nullptr && !limit->is_null()) {
    int64_t n = 0;
    if (!AsInteger(*limit, n) || n < 1 || n > options.limits.max_rows) {
      return Invalid("limit must be a whole number from 1 to " + std::to_string(options.limits.max_rows) + ".");
    }
    plan.limit = n;
  }
  if (const auto* offset = args.if_contains("offset"); offset != nullptr && !offset->is_null()) {
    int64_t n = 0;
    if (!AsInteger(*offset, n) || n < 0 || n > options.max_offset) {
      return Invalid("offset must be a whole number from 0 to " + std::to_string(options.max_offset) + ".");
    }
    plan.offset = n;
  }
  if (table.columns.empty()) return Invalid("This table has no columns that can be queried.");
  return plan;
}

}  // namespace pgmcp::query

#include "schema/snapshot_builder.h"

#include <algorithm>

#include "schema/describe.h"
#include "schema/tool_names.h"

namespace pgmcp::schema {

namespace {

void NameOrderAndDescribe(SchemaSnapshot& snapshot, const config::Settings& settings) {
  std::string_view first_schema = settings.schemas.empty() ? std::string_view("public")
                                                           : std::string_view(settings.schemas[0]);
  AssignToolNames(snapshot.tables, first_schema);
  std::sort(snapshot.tables.begin(), snapshot.tables.end(),
            [](const Table& a, const Table& b) { return a.tool_name < b.tool_name; });
  snapshot.by_tool.clear();
  for (size_t i = 0; i < snapshot.tables.size(); ++i) snapshot.by_tool[snapshot.tables[i].tool_name] = i;
  DescribeAll(snapshot, settings);
}

}  // namespace

void FinishSnapshot(SchemaSnapshot& snapshot, const config::Settings& settings) {
  NameOrderAndDescribe(snapshot, settings);
  for (auto& table : snapshot.tables) table.metric_name = table.tool_name;
}

void FinishView(SchemaSnapshot& view, const config::Settings& settings) { NameOrderAndDescribe(view, settings); }

}  // namespace pgmcp::schema

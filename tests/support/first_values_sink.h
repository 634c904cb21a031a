// A RowSink for tests: keeps the first value of every row it is given, and always wants more.
#pragma once

#include <string>
#include <vector>

#include "database/row_sink.h"

namespace pgmcp::testing {

struct FirstValues : database::RowSink {
  bool Add(const database::Rows& rows, int row) override {
    values.emplace_back(rows.Value(row, 0));
    return true;
  }
  std::vector<std::string> values;
};

}  // namespace pgmcp::testing

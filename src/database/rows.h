// Rows: a read-only view of one statement's result in text format — columns found by name, typed
// getters, row count — so that no layer above database/ sees a driver's result type.
// Thread-safety: a Rows is immutable once made; const members may be used from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace pgmcp::database {

// One value of a row, as Rows::ReadRow gives it: its text, or NULL.
struct Cell {
  std::string_view text;  // the engine's text output format; empty for NULL
  bool null = false;
};

// What an engine's result offers; PostgreSQL's (over a PGresult) lives in pg_handles.cc. A second
// engine implements this interface and nothing above database/ changes.
class RowSource {
 public:
  virtual ~RowSource() = default;
  virtual int row_count() const = 0;
  virtual int column_count() const = 0;
  virtual std::string_view column_name(int column) const = 0;
  virtual bool IsNull(int row, int column) const = 0;
  // The value as text (the engine's text output format); empty for NULL.
  virtual std::string_view Value(int row, int column) const = 0;
  // The first cells.size() (at most column_count()) values of `row` at once, as IsNull and Value
  // give them: one call per row for encoders that read every cell.
  virtual void ReadRow(int row, std::span<Cell> cells) const = 0;
};

class Rows;

// One row of a Rows, read by column name. A name the statement does not select is a bug in the
// caller's SQL: the getters throw std::out_of_range for it.
class Row {
 public:
  Row(const Rows& rows, int index) : rows_(&rows), index_(index) {}

  bool IsNull(std::string_view column) const;
  std::string Text(std::string_view column) const;                         // NULL reads as ""
  std::optional<std::string> OptionalText(std::string_view column) const;  // NULL reads as nullopt
  bool Bool(std::string_view column) const;                                // 't' is true; NULL false
  int64_t Int64(std::string_view column) const;                            // NULL or not a number: 0
  double Double(std::string_view column) const;                            // NULL or not a number: 0

 private:
  const Rows* rows_;
  int index_;
};

class Rows {
 public:
  // No rows and no columns: the result of a statement that returns none (BEGIN, SET, ...).
  Rows() = default;
  explicit Rows(std::unique_ptr<const RowSource> source) : source_(std::move(source)) {}

  int row_count() const { return source_ ? source_->row_count() : 0; }
  int column_count() const { return source_ ? source_->column_count() : 0; }
  std::string_view column_name(int column) const { return source_->column_name(column); }
  // The position of the column named `name`; throws std::out_of_range when there is none.
  int ColumnIndex(std::string_view name) const;

  // Positional access, for encoders that walk every cell in SELECT order.
  bool IsNull(int row, int column) const { return source_->IsNull(row, column); }
  std::string_view Value(int row, int column) const { return source_->Value(row, column); }
  // Columns 0 .. cells.size() - 1 of `row` (cells.size() <= column_count()) in one call.
  void ReadRow(int row, std::span<Cell> cells) const { source_->ReadRow(row, cells); }

  Row operator[](int row) const { return Row(*this, row); }

  class Iterator {
   public:
    Iterator(const Rows& rows, int index) : rows_(&rows), index_(index) {}
    Row operator*() const { return Row(*rows_, index_); }
    Iterator& operator++() {
      ++index_;
      return *this;
    }
    bool operator!=(const Iterator& other) const { return index_ != other.index_; }

   private:
    const Rows* rows_;
    int index_;
  };
  Iterator begin() const { return Iterator(*this, 0); }
  Iterator end() const { return Iterator(*this, row_count()); }

 private:
  std::unique_ptr<const RowSource> source_;
};

}  // namespace pgmcp::database

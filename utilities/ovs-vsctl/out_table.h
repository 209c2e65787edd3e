// OutTable: tabular command output in OVS's formats (lib/table.c): list,
// table, csv, html, json, with string/bare/json cell formats.
#pragma once

#include <string>
#include <vector>

#include "grebe/ovsdb/datum.h"

namespace grebe::vsctl {

struct TableStyle {
  enum class Format { kTable, kList, kHtml, kCsv, kJson } format = Format::kList;
  enum class Cell { kString, kBare, kJson } cell = Cell::kString;
  bool headings = true;
  bool pretty = false;
  int max_column_width = 0;
};

class OutTable {
 public:
  void add_column(std::string heading) { headings_.push_back(std::move(heading)); }
  // Adds a row; cells are (datum json, type) pairs in column order.
  struct Cell {
    ovsdb::Json json;
    ovsdb::Type type;
  };
  void add_row(std::vector<Cell> cells) { rows_.push_back(std::move(cells)); }
  size_t n_rows() const { return rows_.size(); }
  // Formats the table; 'first' tracks OVS's blank line between tables.
  std::string format(const TableStyle& style, bool* first) const;

 private:
  std::string cell_text(const Cell& c, const TableStyle& style) const;
  std::string format_table(const TableStyle& style) const;
  std::string format_list(const TableStyle& style) const;
  std::string format_html(const TableStyle& style) const;
  std::string format_csv(const TableStyle& style) const;
  std::string format_json(const TableStyle& style) const;

  std::vector<std::string> headings_;
  std::vector<std::vector<Cell>> rows_;
};

}  // namespace grebe::vsctl

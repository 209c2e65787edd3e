// Tables of cells printed as OVS's lib/table.c prints them: --format
// table|list|html|csv|json, --data string|bare|json, --no-headings,
// --pretty, and an optional caption and timestamp.
//
// Not thread-safe (OVS keeps "first table printed" as process state, and so
// do we: every table after the first is preceded by a blank line).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "grebe/ovsdb/types.h"
#include "grebe/util/result.h"
#include "ovs_json.h"

namespace grebe::ovsdb_client {

enum class TableFormat { kTable, kList, kHtml, kCsv, kJson };
enum class CellFormat { kString, kBare, kJson };

struct TableStyle {
  TableFormat format = TableFormat::kTable;
  CellFormat cell_format = CellFormat::kString;
  bool headings = true;
  bool pretty = false;  // JSSF_PRETTY for JSON output
  int max_column_width = 0;
};

// "table", "list", ... -> format; errors carry OVS's text
// ("unknown output format \"x\"", "unknown data format \"x\"").
Status parse_table_format(const std::string& s, TableStyle* style);
Status parse_cell_format(const std::string& s, TableStyle* style);

struct Cell {
  std::optional<std::string> text;  // printed verbatim
  std::optional<OJson> json;        // an OVSDB datum, formatted per style
  const ovsdb::Type* type = nullptr;  // null: print json as sorted JSON
};

class Table {
 public:
  void set_caption(std::string caption) { caption_ = std::move(caption); }
  void set_timestamp(bool on) { timestamp_ = on; }
  void add_column(std::string heading) { headings_.push_back(std::move(heading)); }
  void add_row() { rows_.emplace_back(); }
  // Adds the next cell of the last row.
  Cell& add_cell() { return rows_.back().emplace_back(); }
  size_t n_rows() const { return rows_.size(); }

  // The text the table prints as in `style`.
  std::string format(const TableStyle& style);
  // Prints to stdout.
  void print(const TableStyle& style);

 private:
  const std::string& cell_text(size_t y, size_t x, const TableStyle& style);
  void format_table(const TableStyle& style, std::string* s);
  void format_list(const TableStyle& style, std::string* s);
  void format_html(const TableStyle& style, std::string* s);
  void format_csv(const TableStyle& style, std::string* s);
  void format_json(const TableStyle& style, std::string* s);
  void put_preamble(std::string* s);

  std::vector<std::string> headings_;
  std::vector<std::vector<Cell>> rows_;
  std::vector<std::vector<std::optional<std::string>>> texts_;
  std::optional<std::string> caption_;
  bool timestamp_ = false;
};

// "YYYY-MM-DD HH:MM:SS.mmm" in UTC, as OVS's --timestamp prints.
std::string format_timestamp();

// Converts an OJson datum to the data model's JSON form.
ovsdb::Json to_model_json(const OJson& json);

}  // namespace grebe::ovsdb_client

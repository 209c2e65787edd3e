#include "table.h"

#include <cctype>
#include <cstdio>
#include <ctime>

#include "grebe/ovsdb/datum.h"
#include "grebe/util/clock.h"

namespace grebe::ovsdb_client {
namespace {

bool first_table = true;

void finish_line(std::string* s) {
  while (!s->empty() && s->back() == ' ') s->pop_back();
  s->push_back('\n');
}

std::string pad(const std::string& text, size_t width, bool truncate) {
  std::string out = text;
  if (truncate && out.size() > width) out.resize(width);
  if (out.size() < width) out.append(width - out.size(), ' ');
  return out;
}

std::string datum_to_bare(const ovsdb::Datum& datum, const ovsdb::Type& type) {
  std::string out;
  auto atom = [](const ovsdb::Atom& a) {
    if (const auto* s = std::get_if<std::string>(&a)) return *s;
    return ovsdb::atom_to_string(a);
  };
  for (size_t i = 0; i < datum.size(); i++) {
    if (i) out += ' ';
    out += atom(datum.keys[i]);
    if (type.is_map()) out += '=' + atom(datum.values[i]);
  }
  return out;
}

// True if `p` starts with a UUID in its 36-character text form.
bool starts_with_uuid(std::string_view p) {
  if (p.size() < 36) return false;
  for (size_t i = 0; i < 36; i++) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? p[i] != '-' : !isxdigit(static_cast<unsigned char>(p[i]))) return false;
  }
  return true;
}

void escape_html(std::string_view text, std::string* s) {
  for (char c : text) {
    switch (c) {
      case '&': *s += "&amp;"; break;
      case '<': *s += "&lt;"; break;
      case '>': *s += "&gt;"; break;
      case '"': *s += "&quot;"; break;
      default: s->push_back(c);
    }
  }
}

void html_cell(const char* element, std::string_view content, std::string* s) {
  *s += std::string("    <") + element + ">";
  for (size_t i = 0; i < content.size();) {
    if (starts_with_uuid(content.substr(i))) {
      *s += "<a href=\"#" + std::string(content.substr(i, 36)) + "\">" +
            std::string(content.substr(i, 8)) + "</a>";
      i += 36;
    } else {
      escape_html(content.substr(i, 1), s);
      i++;
    }
  }
  *s += std::string("</") + element + ">\n";
}

void csv_cell(const std::string& content, std::string* s) {
  if (content.find_first_of("\n\",") == std::string::npos) {
    *s += content;
    return;
  }
  s->push_back('"');
  for (char c : content) {
    if (c == '"') *s += "\"\"";
    else s->push_back(c);
  }
  s->push_back('"');
}

}  // namespace

Status parse_table_format(const std::string& s, TableStyle* style) {
  if (s == "table") style->format = TableFormat::kTable;
  else if (s == "list") style->format = TableFormat::kList;
  else if (s == "html") style->format = TableFormat::kHtml;
  else if (s == "csv") style->format = TableFormat::kCsv;
  else if (s == "json") style->format = TableFormat::kJson;
  else return Error(EINVAL, "unknown output format \"" + s + "\"");
  return {};
}

Status parse_cell_format(const std::string& s, TableStyle* style) {
  if (s == "string") style->cell_format = CellFormat::kString;
  else if (s == "bare") style->cell_format = CellFormat::kBare;
  else if (s == "json") style->cell_format = CellFormat::kJson;
  else return Error(EINVAL, "unknown data format \"" + s + "\"");
  return {};
}

ovsdb::Json to_model_json(const OJson& json) {
  return ovsdb::Json::parse(json.dump(), nullptr, false);
}

std::string format_timestamp() {
  long long msec = time_wall_msec();
  time_t secs = static_cast<time_t>(msec / 1000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[64];
  strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  char out[96];
  snprintf(out, sizeof out, "%s.%03lld", buf, msec % 1000);
  return out;
}

const std::string& Table::cell_text(size_t y, size_t x, const TableStyle& style) {
  if (texts_.size() != rows_.size()) texts_.resize(rows_.size());
  auto& row_texts = texts_[y];
  if (row_texts.size() != headings_.size()) row_texts.resize(headings_.size());
  auto& text = row_texts[x];
  if (text) return *text;
  const Cell* cell = x < rows_[y].size() ? &rows_[y][x] : nullptr;
  if (!cell) {
    text = "";
  } else if (cell->text) {
    text = *cell->text;
  } else if (!cell->json) {
    text = "";
  } else if (style.cell_format == CellFormat::kJson || !cell->type) {
    text = to_sorted_string(*cell->json, false);
  } else {
    auto datum = ovsdb::Datum::from_json(*cell->type, to_model_json(*cell->json));
    if (!datum.ok()) text = to_sorted_string(*cell->json, false);
    else if (style.cell_format == CellFormat::kString) text = datum->to_string(*cell->type);
    else text = datum_to_bare(*datum, *cell->type);
  }
  return *text;
}

void Table::put_preamble(std::string* s) {
  if (timestamp_) *s += format_timestamp() + "\n";
  if (caption_) *s += *caption_ + "\n";
}

void Table::format_table(const TableStyle& style, std::string* s) {
  if (!first_table) s->push_back('\n');
  first_table = false;
  put_preamble(s);
  std::vector<size_t> widths(headings_.size());
  for (size_t x = 0; x < headings_.size(); x++) {
    size_t w = 0;
    for (size_t y = 0; y < rows_.size(); y++) w = std::max(w, cell_text(y, x, style).size());
    if (style.max_column_width > 0 && w > static_cast<size_t>(style.max_column_width))
      w = style.max_column_width;
    if (style.headings) w = std::max(w, headings_[x].size());
    widths[x] = w;
  }
  if (style.headings) {
    for (size_t x = 0; x < headings_.size(); x++) {
      if (x) s->push_back(' ');
      *s += pad(headings_[x], widths[x], false);
    }
    finish_line(s);
    for (size_t x = 0; x < headings_.size(); x++) {
      if (x) s->push_back(' ');
      s->append(widths[x], '-');
    }
    finish_line(s);
  }
  for (size_t y = 0; y < rows_.size(); y++) {
    for (size_t x = 0; x < headings_.size(); x++) {
      if (x) s->push_back(' ');
      *s += pad(cell_text(y, x, style), widths[x], true);
    }
    finish_line(s);
  }
}

void Table::format_list(const TableStyle& style, std::string* s) {
  if (!first_table) s->push_back('\n');
  first_table = false;
  put_preamble(s);
  for (size_t y = 0; y < rows_.size(); y++) {
    if (y) s->push_back('\n');
    for (size_t x = 0; x < headings_.size(); x++) {
      if (style.headings) *s += pad(headings_[x], 20, false) + ": ";
      *s += cell_text(y, x, style) + "\n";
    }
  }
}

void Table::format_html(const TableStyle& style, std::string* s) {
  if (timestamp_) *s += format_timestamp() + "\n";
  *s += "<table border=1>\n";
  if (caption_) html_cell("caption", *caption_, s);
  if (style.headings) {
    *s += "  <tr>\n";
    for (const auto& h : headings_) html_cell("th", h, s);
    *s += "  </tr>\n";
  }
  for (size_t y = 0; y < rows_.size(); y++) {
    *s += "  <tr>\n";
    for (size_t x = 0; x < headings_.size(); x++) {
      const std::string& content = cell_text(y, x, style);
      if (headings_[x] == "_uuid") {
        *s += "    <td><a name=\"";
        escape_html(content, s);
        *s += "\">";
        escape_html(std::string_view(content).substr(0, 8), s);
        *s += "</a></td>\n";
      } else {
        html_cell("td", content, s);
      }
    }
    *s += "  </tr>\n";
  }
  *s += "</table>\n";
}

void Table::format_csv(const TableStyle& style, std::string* s) {
  if (!first_table) s->push_back('\n');
  first_table = false;
  put_preamble(s);
  if (style.headings) {
    for (size_t x = 0; x < headings_.size(); x++) {
      if (x) s->push_back(',');
      csv_cell(headings_[x], s);
    }
    s->push_back('\n');
  }
  for (size_t y = 0; y < rows_.size(); y++) {
    for (size_t x = 0; x < headings_.size(); x++) {
      if (x) s->push_back(',');
      csv_cell(cell_text(y, x, style), s);
    }
    s->push_back('\n');
  }
}

void Table::format_json(const TableStyle& style, std::string* s) {
  OJson json = OJson::object();
  if (caption_) json["caption"] = *caption_;
  if (timestamp_) json["time"] = format_timestamp();
  json["headings"] = OJson::array();
  for (const auto& h : headings_) json["headings"].push_back(h);
  OJson data = OJson::array();
  for (const auto& row : rows_) {
    OJson r = OJson::array();
    for (size_t x = 0; x < headings_.size(); x++) {
      const Cell* cell = x < row.size() ? &row[x] : nullptr;
      if (cell && cell->text) r.push_back(*cell->text);
      else if (cell && cell->json) r.push_back(*cell->json);
      else r.push_back(nullptr);
    }
    data.push_back(std::move(r));
  }
  json["data"] = std::move(data);
  *s += to_sorted_string(json, style.pretty) + "\n";
}

std::string Table::format(const TableStyle& style) {
  std::string s;
  switch (style.format) {
    case TableFormat::kTable: format_table(style, &s); break;
    case TableFormat::kList: format_list(style, &s); break;
    case TableFormat::kHtml: format_html(style, &s); break;
    case TableFormat::kCsv: format_csv(style, &s); break;
    case TableFormat::kJson: format_json(style, &s); break;
  }
  return s;
}

void Table::print(const TableStyle& style) {
  std::string s = format(style);
  fputs(s.c_str(), stdout);
}

}  // namespace grebe::ovsdb_client

// OutTable: OVS's table output formats.
#include "out_table.h"

#include <algorithm>
#include <cstring>

#include "grebe/ovsdb_idl/datum_text.h"

namespace grebe::vsctl {

using ovsdb::Datum;

std::string OutTable::cell_text(const Cell& c, const TableStyle& style) const {
  if (style.cell == TableStyle::Cell::kJson) return ovsdb::json_to_string(c.json);
  auto d = Datum::from_json_transient(c.type, c.json);
  if (!d) return ovsdb::json_to_string(c.json);
  return style.cell == TableStyle::Cell::kString ? d->to_string(c.type)
                                                 : ovsdb_idl::datum_to_bare(*d, c.type);
}

namespace {
void finish_line(std::string& s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
  s += '\n';
}
}  // namespace

std::string OutTable::format_table(const TableStyle& style) const {
  std::vector<std::vector<std::string>> text(rows_.size());
  std::vector<size_t> widths(headings_.size(), 0);
  for (size_t y = 0; y < rows_.size(); y++) {
    for (size_t x = 0; x < headings_.size(); x++) {
      text[y].push_back(cell_text(rows_[y][x], style));
      widths[x] = std::max(widths[x], text[y][x].size());
    }
  }
  for (size_t x = 0; x < headings_.size(); x++) {
    if (style.max_column_width > 0) widths[x] = std::min<size_t>(widths[x], style.max_column_width);
    if (style.headings) widths[x] = std::max(widths[x], headings_[x].size());
  }
  auto pad = [](std::string s, size_t w) {
    if (s.size() > w) s.resize(w);
    s.append(w - s.size(), ' ');
    return s;
  };
  std::string s;
  if (style.headings) {
    for (size_t x = 0; x < headings_.size(); x++) {
      if (x) s += ' ';
      s += pad(headings_[x], widths[x]);
    }
    finish_line(s);
    for (size_t x = 0; x < headings_.size(); x++) {
      if (x) s += ' ';
      s.append(widths[x], '-');
    }
    finish_line(s);
  }
  for (const auto& row : text) {
    for (size_t x = 0; x < row.size(); x++) {
      if (x) s += ' ';
      s += pad(row[x], widths[x]);
    }
    finish_line(s);
  }
  return s;
}

std::string OutTable::format_list(const TableStyle& style) const {
  std::string s;
  for (size_t y = 0; y < rows_.size(); y++) {
    if (y) s += '\n';
    for (size_t x = 0; x < headings_.size(); x++) {
      if (style.headings) {
        std::string h = headings_[x];
        if (h.size() < 20) h.append(20 - h.size(), ' ');
        s += h + ": ";
      }
      s += cell_text(rows_[y][x], style) + '\n';
    }
  }
  return s;
}

namespace {
void escape_html(std::string_view content, std::string& s) {
  for (char c : content) {
    switch (c) {
      case '&': s += "&amp;"; break;
      case '<': s += "&lt;"; break;
      case '>': s += "&gt;"; break;
      case '"': s += "&quot;"; break;
      default: s += c;
    }
  }
}

void html_cell(const char* element, const std::string& content, std::string& s) {
  s += std::string("    <") + element + ">";
  for (size_t p = 0; p < content.size();) {
    if (p + 36 <= content.size() && Uuid::from_string(std::string_view(content).substr(p, 36))) {
      s += "<a href=\"#" + content.substr(p, 36) + "\">" + content.substr(p, 8) + "</a>";
      p += 36;
    } else {
      escape_html(std::string_view(content).substr(p, 1), s);
      p++;
    }
  }
  s += std::string("</") + element + ">\n";
}

void csv_cell(const std::string& content, std::string& s) {
  if (content.find_first_of("\n\",") == std::string::npos) {
    s += content;
    return;
  }
  s += '"';
  for (char c : content) s += c == '"' ? std::string("\"\"") : std::string(1, c);
  s += '"';
}
}  // namespace

std::string OutTable::format_html(const TableStyle& style) const {
  std::string s = "<table border=1>\n";
  if (style.headings) {
    s += "  <tr>\n";
    for (const auto& h : headings_) html_cell("th", h, s);
    s += "  </tr>\n";
  }
  for (const auto& row : rows_) {
    s += "  <tr>\n";
    for (size_t x = 0; x < headings_.size(); x++) {
      std::string content = cell_text(row[x], style);
      if (headings_[x] == "_uuid") {
        s += "    <td><a name=\"";
        escape_html(content, s);
        s += "\">";
        escape_html(std::string_view(content).substr(0, 8), s);
        s += "</a></td>\n";
      } else {
        html_cell("td", content, s);
      }
    }
    s += "  </tr>\n";
  }
  return s + "</table>\n";
}

std::string OutTable::format_csv(const TableStyle& style) const {
  std::string s;
  if (style.headings) {
    for (size_t x = 0; x < headings_.size(); x++) {
      if (x) s += ',';
      csv_cell(headings_[x], s);
    }
    s += '\n';
  }
  for (const auto& row : rows_) {
    for (size_t x = 0; x < headings_.size(); x++) {
      if (x) s += ',';
      csv_cell(cell_text(row[x], style), s);
    }
    s += '\n';
  }
  return s;
}

namespace {

// OVS's pretty JSON (json_to_string with JSSF_PRETTY | JSSF_SORT): every
// array element and object member on its own line, two spaces per level,
// closing brackets right after the last element, "{" of an object always
// followed by a line break (even an empty one's).  nlohmann's dump(2)
// differs in all of these.
void pretty_json(const ovsdb::Json& j, int depth, std::string& out) {
  auto indent = [&out](int d) {
    out += '\n';
    out.append(2 * static_cast<size_t>(d), ' ');
  };
  if (j.is_array()) {
    out += '[';
    bool first = true;
    for (const auto& e : j) {
      if (!first) out += ',';
      indent(depth + 1);
      pretty_json(e, depth + 1, out);
      first = false;
    }
    out += ']';
  } else if (j.is_object()) {
    out += '{';
    indent(depth + 1);
    bool first = true;
    for (const auto& [key, value] : j.items()) {  // std::map: sorted keys
      if (!first) {
        out += ',';
        indent(depth + 1);
      }
      out += ovsdb::json_to_string(ovsdb::Json(key)) + ": ";
      pretty_json(value, depth + 1, out);
      first = false;
    }
    out += '}';
  } else {
    out += ovsdb::json_to_string(j);
  }
}

}  // namespace

std::string OutTable::format_json(const TableStyle& style) const {
  ovsdb::Json data = ovsdb::Json::array();
  for (const auto& row : rows_) {
    ovsdb::Json r = ovsdb::Json::array();
    for (const auto& c : row) r.push_back(c.json);
    data.push_back(std::move(r));
  }
  ovsdb::Json j = {{"data", data}, {"headings", headings_}};
  if (!style.pretty) return ovsdb::json_to_string(j) + "\n";
  std::string out;
  pretty_json(j, 0, out);
  return out + "\n";
}

std::string OutTable::format(const TableStyle& style, bool* first) const {
  std::string s;
  bool separated = style.format == TableStyle::Format::kTable ||
                   style.format == TableStyle::Format::kList ||
                   style.format == TableStyle::Format::kCsv;
  if (separated) {
    if (*first) {
      *first = false;
    } else {
      s += '\n';
    }
  }
  switch (style.format) {
    case TableStyle::Format::kTable: return s + format_table(style);
    case TableStyle::Format::kList: return s + format_list(style);
    case TableStyle::Format::kHtml: return s + format_html(style);
    case TableStyle::Format::kCsv: return s + format_csv(style);
    case TableStyle::Format::kJson: return s + format_json(style);
  }
  return s;
}

}  // namespace grebe::vsctl

// Database, table and column schemas: parsing with OVS's checks and errors.
#include "grebe/ovsdb/schema.h"

#include <array>
#include <cerrno>
#include <fstream>
#include <sstream>

#include "grebe/ovsdb/datum.h"
#include "grebe/ovsdb/parser.h"

namespace grebe::ovsdb {

OResult<ColumnSchema> ColumnSchema::from_json(const Json& json, const std::string& name) {
  Parser parser(json, "schema for column " + name);
  const Json* mutable_json = parser.member("mutable", Parser::kBoolean | Parser::kOptional);
  const Json* ephemeral = parser.member("ephemeral", Parser::kBoolean | Parser::kOptional);
  const Json* type_json = parser.member("type", Parser::kString | Parser::kObject);
  if (auto e = parser.finish()) return *e;

  auto type = Type::from_json(*type_json);
  if (!type.ok()) return type.take_error();
  ColumnSchema c;
  c.name = name;
  c.type = std::move(*type);
  c.is_mutable = !mutable_json || mutable_json->get<bool>();
  // A weak reference must be able to change when its target goes away.
  if (c.type.key.is_weak_ref() || c.type.value.is_weak_ref()) c.is_mutable = true;
  c.persistent = !ephemeral || !ephemeral->get<bool>();
  return c;
}

Json ColumnSchema::to_json() const {
  Json j = Json::object();
  if (!is_mutable) j["mutable"] = false;
  if (!persistent) j["ephemeral"] = true;
  j["type"] = type.to_json();
  return j;
}

void TableSchema::add_column(ColumnSchema column) {
  column.index = columns.size();
  by_name_[column.name] = column.index;
  columns.push_back(std::move(column));
}

const ColumnSchema* TableSchema::find_column(std::string_view name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : &columns[it->second];
}

namespace {

std::optional<OvsdbError> check_name(const Json& json, const std::string& name) {
  if (name[0] == '_') return syntax_error(&json, nullptr, "names beginning with \"_\" are reserved");
  if (!is_id(name)) return syntax_error(&json, nullptr, "name must be a valid id");
  return std::nullopt;
}

ColumnSchema std_column(const char* name, bool is_mutable) {
  ColumnSchema c;
  c.name = name;
  c.type = uuid_type();
  c.is_mutable = is_mutable;
  return c;
}

// Parses one entry of "indexes": an array of distinct column names.
OResult<std::vector<size_t>> parse_index(const Json& json, const TableSchema& ts) {
  std::vector<size_t> index;
  if (!json.is_array()) {
    return syntax_error(&json, nullptr, "array of distinct column names expected");
  }
  for (const Json& e : json) {
    if (!e.is_string()) return syntax_error(&json, nullptr, "array of distinct column names expected");
    const ColumnSchema* c = ts.find_column(e.get_ref<const std::string&>());
    if (!c) {
      return syntax_error(&json, nullptr, "%s is not a valid column name",
                          e.get_ref<const std::string&>().c_str());
    }
    for (size_t i : index) {
      if (i == c->index) {
        return syntax_error(&json, nullptr, "array of distinct column names expected");
      }
    }
    index.push_back(c->index);
  }
  return index;
}

}  // namespace

OResult<TableSchema> TableSchema::from_json(const Json& json, const std::string& name) {
  Parser parser(json, "table schema for table " + name);
  const Json* columns = parser.member("columns", Parser::kObject);
  const Json* mutable_json = parser.member("mutable", Parser::kBoolean | Parser::kOptional);
  const Json* max_rows = parser.member("maxRows", Parser::kInteger | Parser::kOptional);
  const Json* is_root = parser.member("isRoot", Parser::kBoolean | Parser::kOptional);
  const Json* indexes = parser.member("indexes", Parser::kArray | Parser::kOptional);
  if (auto e = parser.finish()) return *e;

  TableSchema ts;
  ts.name = name;
  if (max_rows) {
    int64_t n = json_integer(*max_rows).value_or(INT64_MAX);
    if (n <= 0) return syntax_error(&json, nullptr, "maxRows must be at least 1");
    ts.max_rows = n > int64_t(UINT_MAX) ? UINT_MAX : unsigned(n);
  }
  if (columns->empty()) return syntax_error(&json, nullptr, "table must have at least one column");
  ts.is_mutable = !mutable_json || mutable_json->get<bool>();
  ts.is_root = is_root && is_root->get<bool>();

  ts.add_column(std_column("_uuid", false));
  ts.add_column(std_column("_version", false));
  for (auto it = columns->begin(); it != columns->end(); ++it) {
    if (auto e = check_name(json, it.key())) return *e;
    auto c = ColumnSchema::from_json(it.value(), it.key());
    if (!c.ok()) return c.take_error();
    ts.add_column(std::move(*c));
  }
  if (indexes) {
    for (const Json& ij : *indexes) {
      auto index = parse_index(ij, ts);
      if (!index.ok()) return index.take_error();
      if (index->empty()) return syntax_error(&json, nullptr, "index must have at least one column");
      for (size_t i : *index) {
        if (!ts.columns[i].persistent) {
          return syntax_error(&json, nullptr, "ephemeral columns (such as %s) may not be indexed",
                              ts.columns[i].name.c_str());
        }
      }
      ts.indexes.push_back(std::move(*index));
    }
  }
  return ts;
}

Json TableSchema::to_json(bool default_is_root) const {
  Json j = Json::object();
  if (!is_mutable) j["mutable"] = false;
  if (default_is_root != is_root) j["isRoot"] = is_root;
  Json cols = Json::object();
  for (const ColumnSchema& c : columns) {
    if (c.name[0] != '_') cols[c.name] = c.to_json();
  }
  j["columns"] = std::move(cols);
  if (max_rows != UINT_MAX) j["maxRows"] = max_rows;
  if (!indexes.empty()) {
    Json idx = Json::array();
    for (const auto& index : indexes) {
      Json names = Json::array();
      for (size_t i : index) names.push_back(columns[i].name);
      idx.push_back(std::move(names));
    }
    j["indexes"] = std::move(idx);
  }
  return j;
}

bool is_valid_version(std::string_view s) {
  int parts = 0;
  size_t i = 0;
  while (parts < 3) {
    size_t start = i;
    while (i < s.size() && isdigit((unsigned char)s[i])) i++;
    if (i == start) return false;
    parts++;
    if (parts < 3) {
      if (i >= s.size() || s[i] != '.') return false;
      i++;
    }
  }
  return i == s.size();
}

namespace {

// Checks a reference's target table and, like OVS, forces strong references
// to non-root tables to be persistent (else a log replay could lose rows).
std::optional<OvsdbError> check_ref_table(ColumnSchema& column, const BaseType& base,
                                          const char* which, const DatabaseSchema& schema) {
  if (!base.is_ref()) return std::nullopt;
  const TableSchema* ref = schema.find_table(base.ref_table);
  if (!ref) {
    return syntax_error(nullptr, nullptr, "column %s %s refers to undefined table %s",
                        column.name.c_str(), which, base.ref_table.c_str());
  }
  if (base.is_strong_ref() && !ref->is_root) column.persistent = true;
  return std::nullopt;
}

}  // namespace

OResult<DatabaseSchema> DatabaseSchema::from_json(const Json& json) {
  Parser parser(json, "database schema");
  const Json* name = parser.member("name", Parser::kId);
  const Json* version = parser.member("version", Parser::kString | Parser::kOptional);
  const Json* cksum = parser.member("cksum", Parser::kString | Parser::kOptional);
  const Json* tables = parser.member("tables", Parser::kObject);
  if (auto e = parser.finish()) return *e;

  DatabaseSchema schema;
  if (version) {
    schema.version = version->get<std::string>();
    if (!is_valid_version(schema.version)) {
      return syntax_error(&json, nullptr, "schema version \"%s\" not in format x.y.z",
                          schema.version.c_str());
    }
  }
  schema.name = name->get<std::string>();
  if (cksum) schema.cksum = cksum->get<std::string>();
  for (auto it = tables->begin(); it != tables->end(); ++it) {
    if (auto e = check_name(json, it.key())) return *e;
    auto t = TableSchema::from_json(it.value(), it.key());
    if (!t.ok()) return t.take_error();
    schema.tables.emplace(it.key(), std::move(*t));
  }
  // Schemas from before "isRoot" existed had no garbage collection: treat
  // every table as a root then.
  bool any_root = false;
  for (auto& [n, t] : schema.tables) any_root |= t.is_root;
  if (!any_root) {
    for (auto& [n, t] : schema.tables) t.is_root = true;
  }
  for (auto& [n, t] : schema.tables) {
    for (ColumnSchema& c : t.columns) {
      if (auto e = check_ref_table(c, c.type.key, "key", schema)) return *e;
      if (auto e = check_ref_table(c, c.type.value, "value", schema)) return *e;
    }
  }
  return schema;
}

Json DatabaseSchema::to_json() const {
  Json j = Json::object();
  j["name"] = name;
  if (!version.empty()) j["version"] = version;
  if (!cksum.empty()) j["cksum"] = cksum;
  bool all_root = true;
  for (const auto& [n, t] : tables) all_root &= t.is_root;
  Json ts = Json::object();
  for (const auto& [n, t] : tables) ts[n] = t.to_json(all_root);
  j["tables"] = std::move(ts);
  return j;
}

const TableSchema* DatabaseSchema::find_table(std::string_view table_name) const {
  auto it = tables.find(table_name);
  return it == tables.end() ? nullptr : &it->second;
}

OResult<DatabaseSchema> DatabaseSchema::from_file(const std::string& file_name) {
  auto json = read_json_file(file_name);
  if (!json.ok()) {
    return make_error("failed to read schema", "\"%s\" could not be read as JSON (%s)",
                      file_name.c_str(), json.error().message().c_str());
  }
  auto schema = from_json(*json);
  if (!schema.ok()) {
    return wrap_error(schema.take_error(),
                      "failed to parse \"" + file_name + "\" as ovsdb schema");
  }
  return schema;
}

Result<Json> parse_json_text(std::string_view text) {
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const Json::parse_error& e) {
    // Report the position the way OVS's parser does: 0-based line, column
    // within the line, byte offset.
    size_t byte = e.byte ? e.byte - 1 : 0;
    if (byte > text.size()) byte = text.size();
    size_t line = 0, col = 0;
    for (size_t i = 0; i < byte; i++) {
      if (text[i] == '\n') {
        line++;
        col = 0;
      } else {
        col++;
      }
    }
    std::string what = e.what();
    auto pos = what.rfind(": ");
    std::string reason = pos == std::string::npos ? what : what.substr(pos + 2);
    if (byte >= text.size()) reason = "unexpected end of input";
    return Error(EINVAL, "line " + std::to_string(line) + ", column " + std::to_string(col) +
                             ", byte " + std::to_string(byte) + ": " + reason);
  }
}

Result<Json> read_json_file(const std::string& file_name) {
  std::ifstream in(file_name, std::ios::binary);
  if (!in) {
    return Error(errno, "error opening \"" + file_name + "\": " + errno_string(errno));
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_json_text(ss.str());
}

uint32_t posix_cksum(std::string_view data) {
  // CRC-32 with polynomial 0x04C11DB7, MSB first, then the length appended
  // little-endian byte by byte, then inverted: POSIX cksum(1).
  static const auto table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; i++) {
      uint32_t c = i << 24;
      for (int k = 0; k < 8; k++) c = (c & 0x80000000u) ? (c << 1) ^ 0x04C11DB7u : c << 1;
      t[i] = c;
    }
    return t;
  }();
  uint32_t crc = 0;
  for (unsigned char c : data) crc = (crc << 8) ^ table[((crc >> 24) ^ c) & 0xff];
  for (uint64_t n = data.size(); n; n >>= 8) crc = (crc << 8) ^ table[((crc >> 24) ^ n) & 0xff];
  return ~crc;
}

std::string compute_schema_cksum(std::string_view text) {
  // Drop lines of the form:  "cksum": "<digits> <digits>",
  std::string kept;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    size_t stop = end == std::string_view::npos ? text.size() : end + 1;
    std::string_view line = text.substr(start, stop - start);
    size_t k = line.find("\"cksum\":");
    bool drop = false;
    if (k != std::string_view::npos) {
      size_t p = k + 8;
      while (p < line.size() && line[p] == ' ') p++;
      size_t q = p;
      if (q < line.size() && line[q] == '"') {
        q++;
        size_t d1 = q;
        while (q < line.size() && isdigit((unsigned char)line[q])) q++;
        bool ok = q > d1 && q < line.size() && line[q] == ' ';
        size_t d2 = ++q;
        while (q < line.size() && isdigit((unsigned char)line[q])) q++;
        drop = ok && q > d2 && line.substr(q, 2) == "\",";
      }
    }
    if (!drop) kept.append(line);
    start = stop;
  }
  return std::to_string(posix_cksum(kept)) + " " + std::to_string(kept.size());
}

}  // namespace grebe::ovsdb

// OVSDB database schemas (RFC 7047 section 3.2 plus OVS's extensions:
// "version", "cksum", "isRoot", "maxRows", "indexes", "ephemeral").
//
// Parsing validates exactly what OVS validates and reports the same errors.
// Every table has the implicit columns "_uuid" (index 0) and "_version"
// (index 1) followed by its own columns in name order; rows store their
// fields in that order.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "grebe/ovsdb/types.h"

namespace grebe::ovsdb {

inline constexpr size_t kColUuid = 0;
inline constexpr size_t kColVersion = 1;
inline constexpr size_t kNumStdColumns = 2;

struct ColumnSchema {
  std::string name;
  Type type;
  bool is_mutable = true;
  bool persistent = true;  // false for "ephemeral": true columns
  size_t index = 0;

  static OResult<ColumnSchema> from_json(const Json& json, const std::string& name);
  Json to_json() const;
};

struct TableSchema {
  std::string name;
  bool is_mutable = true;
  unsigned max_rows = UINT_MAX;
  bool is_root = false;
  std::vector<ColumnSchema> columns;         // _uuid, _version, then by name
  std::vector<std::vector<size_t>> indexes;  // column indexes of each index

  static OResult<TableSchema> from_json(const Json& json, const std::string& name);
  // 'default_is_root' is true when every table of the schema is a root table
  // (then "isRoot" is left out, as OVS does for old schemas).
  Json to_json(bool default_is_root) const;

  // Null if there is no such column ("_uuid" and "_version" exist).
  const ColumnSchema* find_column(std::string_view name) const;
  size_t n_columns() const { return columns.size(); }

 private:
  std::map<std::string, size_t, std::less<>> by_name_;
  friend struct DatabaseSchema;
  void add_column(ColumnSchema column);
};

struct DatabaseSchema {
  std::string name;
  std::string version;  // "" for old schemas without one
  std::string cksum;    // stored as given; OVS does not verify it
  std::map<std::string, TableSchema, std::less<>> tables;

  static OResult<DatabaseSchema> from_json(const Json& json);
  // Reads and parses a schema file; errors as "ovsdb-tool" prints them
  // ("failed to read schema: ..." / "failed to parse "F" as ovsdb schema").
  static OResult<DatabaseSchema> from_file(const std::string& file_name);
  Json to_json() const;

  const TableSchema* find_table(std::string_view name) const;
  // Equivalent schemas (OVS compares their JSON).
  bool equals(const DatabaseSchema& other) const { return to_json() == other.to_json(); }
};

// True if 's' is "x.y.z" with decimal x, y, z.
bool is_valid_version(std::string_view s);

// The checksum OVS's build expects in a schema's "cksum" member: cksum(1)'s
// "CRC LENGTH" over the schema text with the "cksum" line removed.
std::string compute_schema_cksum(std::string_view schema_text);
// POSIX cksum(1) CRC of 'data'.
uint32_t posix_cksum(std::string_view data);

// Reads a whole file as JSON; on failure Error::message() is OVS's text
// ("error opening "F": No such file or directory", "line 1, column 0, ...").
Result<Json> read_json_file(const std::string& file_name);
// Parses JSON text; error text in the same style.
Result<Json> parse_json_text(std::string_view text);

}  // namespace grebe::ovsdb

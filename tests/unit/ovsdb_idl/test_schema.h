// A small schema for IDL unit tests: a root table "Root" referencing
// non-root "Child" rows, with scalar, set and map columns.
#pragma once

#include <memory>

#include "grebe/ovsdb/schema.h"

namespace grebe::ovsdb_idl::testing {

inline std::shared_ptr<const ovsdb::DatabaseSchema> test_schema() {
  static const char* kSchema = R"({
    "name": "Test", "version": "1.0.0",
    "tables": {
      "Root": {"isRoot": true, "columns": {
        "name": {"type": "string"},
        "count": {"type": "integer"},
        "children": {"type": {"key": {"type": "uuid", "refTable": "Child"},
                              "min": 0, "max": "unlimited"}},
        "tags": {"type": {"key": "string", "min": 0, "max": "unlimited"}},
        "options": {"type": {"key": "string", "value": "string", "min": 0,
                             "max": "unlimited"}}}},
      "Child": {"columns": {"name": {"type": "string"}}}}})";
  auto json = ovsdb::Json::parse(kSchema);
  auto schema = ovsdb::DatabaseSchema::from_json(json);
  return std::make_shared<const ovsdb::DatabaseSchema>(std::move(*schema));
}

}  // namespace grebe::ovsdb_idl::testing

// JSON as OVS's ovsdb-client sees and prints it.
//
// OVS keeps JSON objects in hash maps (shash) and, unless asked to sort,
// prints members in hash-map iteration order.  That order depends on the
// member names and on the order they were inserted, so to print exactly
// what stock ovsdb-client prints we keep objects in an insertion-ordered
// container (OJson) and reproduce the hash map's layout: shash_order().
//
// Everything here is plain functions over values; any thread.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "grebe/util/result.h"

namespace grebe::ovsdb_client {

// Objects keep member order: the order in which OVS would iterate them.
using OJson = nlohmann::ordered_json;

// The order in which OVS iterates a shash after inserting `names` in this
// order (no duplicates).
std::vector<std::string> shash_order(const std::vector<std::string>& names);

// Reorders the members of one object (not recursively) from insertion order
// to iteration order.
OJson shash_object(const OJson& inserted);

// What OVS holds after parsing `wire` (members in text order): every object,
// recursively, in iteration order.
OJson as_parsed(const OJson& wire);

// OVS's json_to_string() without JSSF_SORT: members in stored order.
// `pretty` adds OVS's newlines and two-space indentation.
std::string to_ovs_string(const OJson& json, bool pretty);

// With JSSF_SORT: members sorted by name (bytewise).
std::string to_sorted_string(const OJson& json, bool pretty);

// Parses JSON text, keeping member order.  Errors (EINVAL) carry a
// description of the syntax error.
Result<OJson> parse_text(std::string_view text);

}  // namespace grebe::ovsdb_client

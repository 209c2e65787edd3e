// RowView: typed access to one row, the base of the generated bindings
// (grebe/ovsdb_idl/vswitch_idl.h, generated from vswitchd/vswitch.ovsschema
// by lib/ovsdb_idl/gen/ovsdb_idlc.py).
//
// A view reads either a Replica (what the server sent) or a Txn (the replica
// plus the transaction's pending writes).  Generated classes add one getter
// per column with C++ types (std::string, int64_t, std::optional<T> for
// optional scalars, std::vector<T> for sets, std::map<K, V> for maps, Uuid
// for references) and setters that write through a Txn.
//
// Not thread-safe; views must not outlive the replica or transaction.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "grebe/ovsdb_idl/replica.h"
#include "grebe/ovsdb_idl/txn.h"

namespace grebe::ovsdb_idl {

class RowView {
 public:
  RowView(const Replica& replica, std::string_view table, const Uuid& uuid)
      : replica_(&replica), table_(table), uuid_(uuid) {}
  RowView(const Txn& txn, std::string_view table, const Uuid& uuid)
      : replica_(&txn.replica()), txn_(&txn), table_(table), uuid_(uuid) {}

  const Uuid& uuid() const { return uuid_; }
  // False if the row does not exist (any more) in the viewed state.
  bool exists() const {
    return txn_ ? txn_->exists(table_, uuid_) : replica_->find(table_, uuid_) != nullptr;
  }
  // The column's value; its default if the row or column is missing.
  const Datum& get(std::string_view column) const;
  const ovsdb::Type& column_type(std::string_view column) const;

  // Writes a column through 'txn' (canonicalizing the datum first).
  void write(Txn& txn, std::string_view column, Datum value) const;

 protected:
  // All rows of 'table' in the viewed state, ordered by UUID.
  static std::vector<Uuid> row_uuids(const Replica& replica, std::string_view table);
  static std::vector<Uuid> row_uuids(const Txn& txn, std::string_view table) {
    return txn.rows(table);
  }

  const Replica* replica_;
  const Txn* txn_ = nullptr;
  std::string_view table_;
  Uuid uuid_;
};

// Atom <-> C++ value conversions used by the generated code.
template <typename T>
T atom_as(const ovsdb::Atom& atom) {
  return std::get<T>(atom);
}
template <typename T>
T datum_scalar(const Datum& d) {
  return d.empty() ? T{} : atom_as<T>(d.keys[0]);
}
template <typename T>
std::optional<T> datum_optional(const Datum& d) {
  if (d.empty()) return std::nullopt;
  return atom_as<T>(d.keys[0]);
}
template <typename T>
std::vector<T> datum_set(const Datum& d) {
  std::vector<T> out;
  for (const auto& a : d.keys) out.push_back(atom_as<T>(a));
  return out;
}
template <typename K, typename V>
std::map<K, V> datum_map(const Datum& d) {
  std::map<K, V> out;
  for (size_t i = 0; i < d.size() && i < d.values.size(); i++) {
    out.emplace(atom_as<K>(d.keys[i]), atom_as<V>(d.values[i]));
  }
  return out;
}
template <typename T>
Datum to_datum(const T& v) {
  return Datum::scalar(ovsdb::Atom(v));
}
template <typename T>
Datum to_datum(const std::optional<T>& v) {
  return v ? Datum::scalar(ovsdb::Atom(*v)) : Datum();
}
template <typename T>
Datum to_datum(const std::vector<T>& v) {
  Datum d;
  for (const auto& e : v) d.keys.push_back(ovsdb::Atom(e));
  return d;
}
template <typename K, typename V>
Datum to_datum(const std::map<K, V>& m) {
  Datum d;
  for (const auto& [k, v] : m) {
    d.keys.push_back(ovsdb::Atom(k));
    d.values.push_back(ovsdb::Atom(v));
  }
  return d;
}

}  // namespace grebe::ovsdb_idl

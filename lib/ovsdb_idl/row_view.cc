// RowView: the untyped half of the generated bindings.
#include "grebe/ovsdb_idl/row_view.h"

namespace grebe::ovsdb_idl {

const ovsdb::Type& RowView::column_type(std::string_view column) const {
  static const ovsdb::Type kVoid;
  const ovsdb::TableSchema* ts = replica_->schema().find_table(table_);
  const ovsdb::ColumnSchema* col = ts ? ts->find_column(column) : nullptr;
  return col ? col->type : kVoid;
}

const Datum& RowView::get(std::string_view column) const {
  static const Datum kEmpty;
  if (txn_) {
    const Datum* d = txn_->get(table_, uuid_, column);
    if (d) return *d;
  } else if (const Row* row = replica_->find(table_, uuid_)) {
    const ovsdb::ColumnSchema* col = replica_->schema().find_table(table_)->find_column(column);
    if (col) return row->fields[col->index];
  }
  // Defaults are per column type; keep one per (table, column).
  static thread_local std::map<std::pair<std::string, std::string>, Datum> defaults;
  auto key = std::make_pair(std::string(table_), std::string(column));
  auto it = defaults.find(key);
  if (it == defaults.end()) it = defaults.emplace(key, Datum::default_for(column_type(column))).first;
  return it == defaults.end() ? kEmpty : it->second;
}

void RowView::write(Txn& txn, std::string_view column, Datum value) const {
  value.sort_unique(column_type(column));
  txn.write(table_, uuid_, column, std::move(value));
}

std::vector<Uuid> RowView::row_uuids(const Replica& replica, std::string_view table) {
  std::vector<Uuid> out;
  for (const auto& [uuid, row] : replica.rows(table)) out.push_back(uuid);
  return out;
}

}  // namespace grebe::ovsdb_idl

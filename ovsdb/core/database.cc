// In-memory database: tables of shared immutable rows.
#include "ovsdb/core/database.h"

namespace grebe::ovsdb {

Row Row::make_default(const TableSchema& table, const Uuid& uuid) {
  Row row;
  row.fields.reserve(table.columns.size());
  for (const ColumnSchema& c : table.columns) row.fields.push_back(Datum::default_for(c.type));
  row.fields[kColUuid] = Datum::scalar(uuid);
  return row;
}

Json Row::to_json(const TableSchema& table, const std::vector<size_t>& columns) const {
  Json j = Json::object();
  if (columns.empty()) {
    for (const ColumnSchema& c : table.columns) j[c.name] = fields[c.index].to_json(c.type);
  } else {
    for (size_t i : columns) {
      const ColumnSchema& c = table.columns[i];
      j[c.name] = fields[i].to_json(c.type);
    }
  }
  return j;
}

Database::Database(std::shared_ptr<const DatabaseSchema> schema) : schema_(std::move(schema)) {
  for (const auto& [name, ts] : schema_->tables) tables_[name].schema = &ts;
}

const Table* Database::table(std::string_view name) const {
  auto it = tables_.find(name);
  return it == tables_.end() ? nullptr : &it->second;
}

size_t Database::n_rows() const {
  size_t n = 0;
  for (const auto& [name, t] : tables_) n += t.rows.size();
  return n;
}

void Database::apply(const ChangeSet& changes) {
  for (const auto& [name, rows] : changes.tables) {
    auto it = tables_.find(name);
    if (it == tables_.end()) continue;
    for (const auto& [uuid, change] : rows) {
      if (change.new_row) {
        it->second.rows[uuid] = change.new_row;
      } else {
        it->second.rows.erase(uuid);
      }
    }
  }
}

}  // namespace grebe::ovsdb

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
  for (const auto& [name, ts] : schema_->tables) {
    tables_[name].schema = &ts;
    tables_[name].indexes.resize(ts.indexes.size());
  }
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

IndexKey index_key(const Row& row, const std::vector<size_t>& index) {
  IndexKey key;
  key.reserve(index.size());
  for (size_t i : index) key.push_back(row.fields[i]);
  return key;
}

void Database::count_refs(const TableSchema& ts, const Row& row, long delta) {
  for (bool strong : {true, false}) {
    for_each_ref(ts, row, strong, [&](const ColumnSchema&, const std::string& ref, const Uuid& u) {
      auto t = tables_.find(ref);
      if (t == tables_.end()) return;
      RefCount& rc = t->second.incoming[u];
      size_t& n = strong ? rc.strong : rc.weak;
      n = size_t(long(n) + delta);
      if (!rc.strong && !rc.weak) t->second.incoming.erase(u);
    });
  }
}

void Database::apply(const ChangeSet& changes) {
  // Remove every old index entry before adding new ones, so rows that swap
  // key values within one commit keep both entries.
  for (const auto& [name, rows] : changes.tables) {
    auto it = tables_.find(name);
    if (it == tables_.end()) continue;
    Table& table = it->second;
    for (const auto& [uuid, change] : rows) {
      if (!change.old_row) continue;
      count_refs(*table.schema, *change.old_row, -1);
      for (size_t i = 0; i < table.indexes.size(); i++) {
        auto e = table.indexes[i].find(index_key(*change.old_row, table.schema->indexes[i]));
        if (e != table.indexes[i].end() && e->second == uuid) table.indexes[i].erase(e);
      }
    }
  }
  for (const auto& [name, rows] : changes.tables) {
    auto it = tables_.find(name);
    if (it == tables_.end()) continue;
    Table& table = it->second;
    for (const auto& [uuid, change] : rows) {
      if (change.new_row) {
        table.rows[uuid] = change.new_row;
        count_refs(*table.schema, *change.new_row, +1);
        for (size_t i = 0; i < table.indexes.size(); i++) {
          table.indexes[i][index_key(*change.new_row, table.schema->indexes[i])] = uuid;
        }
      } else {
        table.rows.erase(uuid);
      }
    }
  }
}

}  // namespace grebe::ovsdb

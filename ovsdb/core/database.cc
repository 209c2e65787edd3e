// In-memory database: tables of shared immutable rows.
#include "ovsdb/core/database.h"

#include <algorithm>

namespace grebe::ovsdb {

Row Row::make_default(const TableSchema& table, const Uuid& uuid) {
  Row row;
  row.fields.reserve(table.columns.size());
  for (const ColumnSchema& c : table.columns) row.fields.push_back(Datum::default_for(c.type));
  row.fields[kColUuid] = Datum::scalar(uuid);
  return row;
}

Json Row::to_json(const TableSchema& table) const {
  Json j = Json::object();
  for (const ColumnSchema& c : table.columns) j[c.name] = fields[c.index].to_json(c.type);
  return j;
}

Json Row::to_json(const TableSchema& table, const std::vector<size_t>& columns) const {
  Json j = Json::object();
  for (size_t i : columns) {
    const ColumnSchema& c = table.columns[i];
    j[c.name] = fields[i].to_json(c.type);
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

namespace {

// Appends the UUIDs only in 'o' (dropped) and only in 'n' (added); both are
// sorted UUID atoms.
void merge_refs(const ColumnSchema& c, const std::string& ref_table, const std::vector<Atom>& o,
                const std::vector<Atom>& n, std::vector<RefChange>& out) {
  size_t i = 0, j = 0;
  while (i < o.size() || j < n.size()) {
    if (j == n.size() || (i < o.size() && std::get<Uuid>(o[i]) < std::get<Uuid>(n[j]))) {
      out.push_back({&c, &ref_table, std::get<Uuid>(o[i++]), -1});
    } else if (i == o.size() || std::get<Uuid>(n[j]) < std::get<Uuid>(o[i])) {
      out.push_back({&c, &ref_table, std::get<Uuid>(n[j++]), +1});
    } else {
      i++;
      j++;
    }
  }
}

}  // namespace

std::vector<RefChange> ref_changes(const TableSchema& ts, const Row* old_row, const Row* new_row,
                                   bool strong) {
  std::vector<RefChange> out;
  for (const ColumnSchema& c : ts.columns) {
    for (bool values : {false, true}) {
      const BaseType& b = values ? c.type.value : c.type.key;
      if (!(strong ? b.is_strong_ref() : b.is_weak_ref())) continue;
      if (old_row && new_row && old_row->fields[c.index] == new_row->fields[c.index]) continue;
      const Datum* od = old_row ? &old_row->fields[c.index] : nullptr;
      const Datum* nd = new_row ? &new_row->fields[c.index] : nullptr;
      if (!values) {
        // Keys are sorted: merge them in place.
        static const std::vector<Atom> kNone;
        const std::vector<Atom>& o = od ? od->keys : kNone;
        const std::vector<Atom>& n = nd ? nd->keys : kNone;
        merge_refs(c, b.ref_table, o, n, out);
      } else {
        std::vector<Atom> o = od ? od->values : std::vector<Atom>();
        std::vector<Atom> n = nd ? nd->values : std::vector<Atom>();
        std::sort(o.begin(), o.end(), atom_less);
        std::sort(n.begin(), n.end(), atom_less);
        merge_refs(c, b.ref_table, o, n, out);
      }
    }
  }
  return out;
}

void Database::count_refs(const TableSchema& ts, const Row* old_row, const Row* new_row) {
  for (bool strong : {true, false}) {
    for (const RefChange& rc : ref_changes(ts, old_row, new_row, strong)) {
      auto t = tables_.find(*rc.ref_table);
      if (t == tables_.end()) continue;
      RefCount& count = t->second.incoming[rc.target];
      size_t& n = strong ? count.strong : count.weak;
      n = size_t(long(n) + rc.delta);
      if (!count.strong && !count.weak) t->second.incoming.erase(rc.target);
    }
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
      count_refs(*table.schema, change.old_row.get(), change.new_row.get());
      if (!change.old_row) continue;
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

// Replica: applies OVSDB monitor updates to the client-side row store.
#include "grebe/ovsdb_idl/replica.h"

#include "grebe/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(ovsdb_idl_replica);

namespace grebe::ovsdb_idl {

using ovsdb::OStatus;
using ovsdb::syntax_error;

Row default_row(const ovsdb::TableSchema& table, const Uuid& uuid) {
  Row row;
  row.uuid = uuid;
  row.fields.reserve(table.columns.size());
  for (const auto& col : table.columns) row.fields.push_back(Datum::default_for(col.type));
  row.fields[ovsdb::kColUuid] = Datum::scalar(uuid);
  return row;
}

Replica::Replica(std::shared_ptr<const ovsdb::DatabaseSchema> schema) : schema_(std::move(schema)) {
  for (const auto& [name, ts] : schema_->tables) tables_[name] = Table{&ts, {}};
}

Replica::Table* Replica::table(std::string_view name) {
  auto it = tables_.find(name);
  return it == tables_.end() ? nullptr : &it->second;
}

const Row* Replica::find(std::string_view table, const Uuid& uuid) const {
  auto it = tables_.find(table);
  if (it == tables_.end()) return nullptr;
  auto r = it->second.rows.find(uuid);
  return r == it->second.rows.end() ? nullptr : &r->second;
}

const std::map<Uuid, Row>& Replica::rows(std::string_view table) const {
  static const std::map<Uuid, Row> empty;
  auto it = tables_.find(table);
  return it == tables_.end() ? empty : it->second.rows;
}

void Replica::track(const std::string& table, const Row& row, RowChange::Kind kind,
                    const std::vector<bool>* changed) {
  change_seqno_++;
  auto& changes = tracked_[table];
  auto it = changes.find(row.uuid);
  if (it == changes.end()) {
    RowChange c;
    c.kind = kind;
    c.columns.assign(row.fields.size(), kind != RowChange::Kind::kModified);
    if (changed) c.columns = *changed;
    changes.emplace(row.uuid, std::move(c));
    return;
  }
  RowChange& c = it->second;
  if (kind == RowChange::Kind::kDeleted) {
    // An insert followed by a delete leaves nothing to report.
    if (c.kind == RowChange::Kind::kInserted) {
      changes.erase(it);
    } else {
      c.kind = kind;
    }
  } else if (kind == RowChange::Kind::kInserted) {
    c.kind = c.kind == RowChange::Kind::kDeleted ? RowChange::Kind::kModified : kind;
    c.columns.assign(row.fields.size(), true);
  } else if (changed) {
    for (size_t i = 0; i < changed->size(); i++) c.columns[i] = c.columns[i] || (*changed)[i];
  }
}

OStatus Replica::parse_fields(Table& t, const Json& row, Row& out, bool as_diff,
                              std::vector<bool>* changed) {
  if (!row.is_object()) return syntax_error(&row, nullptr, "<row> is not an object");
  for (const auto& [name, value] : row.items()) {
    const ovsdb::ColumnSchema* col = t.schema->find_column(name);
    if (!col) {
      // A newer server schema may have extra columns; they are ignored.
      continue;
    }
    if (col->index < ovsdb::kNumStdColumns) continue;
    Datum& field = out.fields[col->index];
    if (as_diff) {
      if (col->type.is_composite()) {
        auto diff = Datum::from_json_transient(col->type, value);
        if (!diff) return diff.take_error();
        GREBE_TRY(field.apply_diff(*diff, col->type));
        if (changed) (*changed)[col->index] = true;
        continue;
      }
    }
    auto datum = Datum::from_json_transient(col->type, value);
    if (!datum) return datum.take_error();
    if (changed && field != *datum) (*changed)[col->index] = true;
    field = std::move(*datum);
  }
  return {};
}

OStatus Replica::apply_row(Table& t, const Uuid& uuid, const Json* old_json,
                           const Json* new_json) {
  const std::string& tname = t.schema->name;
  auto it = t.rows.find(uuid);
  if (!new_json) {
    if (it == t.rows.end()) {
      VLOG_WARN("cannot delete missing row %s from table %s",
                uuid.to_string().c_str(), tname.c_str());
      return {};
    }
    track(tname, it->second, RowChange::Kind::kDeleted, nullptr);
    t.rows.erase(it);
    return {};
  }
  if (it == t.rows.end() || !old_json) {
    // Insert (or, during a resync, a full replacement of an existing row).
    Row row = default_row(*t.schema, uuid);
    GREBE_TRY(parse_fields(t, *new_json, row, false, nullptr));
    return replace_row(t, std::move(row));
  }
  std::vector<bool> changed(it->second.fields.size(), false);
  GREBE_TRY(parse_fields(t, *new_json, it->second, false, &changed));
  track(tname, it->second, RowChange::Kind::kModified, &changed);
  return {};
}

OStatus Replica::replace_row(Table& t, Row row) {
  const std::string& tname = t.schema->name;
  if (resyncing_) {
    auto st = stale_.find(tname);
    if (st != stale_.end()) st->second.erase(row.uuid);
  }
  auto it = t.rows.find(row.uuid);
  if (it == t.rows.end()) {
    auto& stored = t.rows.emplace(row.uuid, std::move(row)).first->second;
    track(tname, stored, RowChange::Kind::kInserted, nullptr);
    return {};
  }
  std::vector<bool> changed(row.fields.size(), false);
  bool any = false;
  for (size_t i = 0; i < row.fields.size(); i++) {
    if (row.fields[i] != it->second.fields[i]) changed[i] = any = true;
  }
  it->second = std::move(row);
  if (any) track(tname, it->second, RowChange::Kind::kModified, &changed);
  return {};
}

OStatus Replica::apply_update(const Json& table_updates) {
  if (!table_updates.is_object()) {
    return syntax_error(&table_updates, nullptr, "<table-updates> is not an object");
  }
  for (const auto& [tname, tu] : table_updates.items()) {
    Table* t = table(tname);
    if (!t) continue;  // not in our schema
    if (!tu.is_object()) return syntax_error(&tu, nullptr, "<table-update> is not an object");
    for (const auto& [uuid_s, ru] : tu.items()) {
      auto uuid = Uuid::from_string(uuid_s);
      if (!uuid) return syntax_error(&tu, nullptr, "\"%s\" is not a valid UUID", uuid_s.c_str());
      if (!ru.is_object()) return syntax_error(&ru, nullptr, "<row-update> is not an object");
      const Json* old_json = ru.contains("old") ? &ru["old"] : nullptr;
      const Json* new_json = ru.contains("new") ? &ru["new"] : nullptr;
      if (!old_json && !new_json) {
        return syntax_error(&ru, nullptr, "<row-update> missing \"old\" and \"new\" members");
      }
      GREBE_TRY(apply_row(*t, *uuid, old_json, new_json));
    }
  }
  return {};
}

OStatus Replica::apply_row2(Table& t, const Uuid& uuid, const std::string& kind, const Json& row) {
  if (kind == "delete") return apply_row(t, uuid, nullptr, nullptr);
  if (kind == "initial" || kind == "insert") return apply_row(t, uuid, nullptr, &row);
  if (kind != "modify") {
    return syntax_error(&row, nullptr, "unknown <row-update2> member \"%s\"", kind.c_str());
  }
  auto it = t.rows.find(uuid);
  if (it == t.rows.end()) {
    VLOG_WARN("cannot modify missing row %s in table %s", uuid.to_string().c_str(),
              t.schema->name.c_str());
    return {};
  }
  std::vector<bool> changed(it->second.fields.size(), false);
  GREBE_TRY(parse_fields(t, row, it->second, true, &changed));
  track(t.schema->name, it->second, RowChange::Kind::kModified, &changed);
  return {};
}

OStatus Replica::apply_update2(const Json& table_updates2) {
  if (!table_updates2.is_object()) {
    return syntax_error(&table_updates2, nullptr, "<table-updates2> is not an object");
  }
  for (const auto& [tname, tu] : table_updates2.items()) {
    Table* t = table(tname);
    if (!t) continue;
    if (!tu.is_object()) return syntax_error(&tu, nullptr, "<table-update2> is not an object");
    for (const auto& [uuid_s, ru] : tu.items()) {
      auto uuid = Uuid::from_string(uuid_s);
      if (!uuid) return syntax_error(&tu, nullptr, "\"%s\" is not a valid UUID", uuid_s.c_str());
      if (!ru.is_object() || ru.size() != 1) {
        return syntax_error(&ru, nullptr, "<row-update2> must have exactly one member");
      }
      auto member = ru.begin();
      GREBE_TRY(apply_row2(*t, *uuid, member.key(), member.value()));
    }
  }
  return {};
}

void Replica::begin_resync() {
  resyncing_ = true;
  stale_.clear();
  for (auto& [name, t] : tables_) {
    auto& stale = stale_[name];
    for (auto& [uuid, row] : t.rows) stale.emplace(uuid, &row);
  }
}

void Replica::end_resync() {
  if (!resyncing_) return;
  resyncing_ = false;
  for (auto& [name, stale] : stale_) {
    Table& t = tables_.find(name)->second;
    for (auto& [uuid, row] : stale) {
      track(name, *row, RowChange::Kind::kDeleted, nullptr);
      t.rows.erase(uuid);
    }
  }
  stale_.clear();
}

void Replica::clear() {
  for (auto& [name, t] : tables_) {
    for (auto& [uuid, row] : t.rows) track(name, row, RowChange::Kind::kDeleted, nullptr);
    t.rows.clear();
  }
}

}  // namespace grebe::ovsdb_idl

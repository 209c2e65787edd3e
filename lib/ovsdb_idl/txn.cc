// Txn: pending writes over a Replica, turned into RFC 7047 operations.
#include "grebe/ovsdb_idl/txn.h"

#include <algorithm>
#include <climits>

#include "grebe/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(ovsdb_idl);

namespace grebe::ovsdb_idl {

const char* txn_status_to_string(TxnStatus status) {
  switch (status) {
    case TxnStatus::kUncommitted: return "uncommitted";
    case TxnStatus::kUnchanged: return "unchanged";
    case TxnStatus::kIncomplete: return "incomplete";
    case TxnStatus::kAborted: return "aborted";
    case TxnStatus::kSuccess: return "success";
    case TxnStatus::kTryAgain: return "try again";
    case TxnStatus::kNotLocked: return "not locked";
    case TxnStatus::kError: return "error";
  }
  return "<unknown>";
}

std::string provisional_name(const Uuid& uuid) {
  std::string s = "row" + uuid.to_string();
  std::replace(s.begin(), s.end(), '-', '_');
  return s;
}

Txn::Txn(const Replica& replica) : replica_(replica) {}

const ovsdb::TableSchema* Txn::table_schema(std::string_view table) const {
  return replica_.schema().find_table(table);
}

const Txn::Pending* Txn::find_pending(std::string_view table, const Uuid& uuid) const {
  auto t = pending_.find(table);
  if (t == pending_.end()) return nullptr;
  auto p = t->second.find(uuid);
  return p == t->second.end() ? nullptr : &p->second;
}

Txn::Pending* Txn::pending(std::string_view table, const Uuid& uuid) {
  auto t = pending_.find(table);
  if (t == pending_.end()) t = pending_.emplace(std::string(table), std::map<Uuid, Pending>{}).first;
  return &t->second[uuid];
}

bool Txn::exists(std::string_view table, const Uuid& uuid) const {
  const Pending* p = find_pending(table, uuid);
  if (p) return !p->deleted && (p->inserted || replica_.find(table, uuid));
  return replica_.find(table, uuid) != nullptr;
}

bool Txn::is_new(std::string_view table, const Uuid& uuid) const {
  const Pending* p = find_pending(table, uuid);
  return p && p->inserted && !p->deleted;
}

const Datum* Txn::get(std::string_view table, const Uuid& uuid, std::string_view column) const {
  const ovsdb::TableSchema* ts = table_schema(table);
  if (!ts || !exists(table, uuid)) return nullptr;
  const ovsdb::ColumnSchema* col = ts->find_column(column);
  if (!col) return nullptr;
  if (const Pending* p = find_pending(table, uuid)) {
    auto w = p->writes.find(col->index);
    if (w != p->writes.end()) return &w->second;
    auto m = p->mutations.find(col->index);
    if (m != p->mutations.end()) return &m->second.view;
    if (p->inserted) {
      // Unwritten columns of a new row hold their defaults.
      static thread_local std::map<std::pair<const void*, size_t>, Datum> defaults;
      auto key = std::make_pair(static_cast<const void*>(ts), col->index);
      auto it = defaults.find(key);
      if (it == defaults.end()) it = defaults.emplace(key, Datum::default_for(col->type)).first;
      if (col->index == ovsdb::kColUuid) return &p->uuid_datum;
      return &it->second;
    }
  }
  const Row* row = replica_.find(table, uuid);
  return row ? &row->fields[col->index] : nullptr;
}

std::vector<Uuid> Txn::rows(std::string_view table) const {
  std::vector<Uuid> out;
  for (const auto& [uuid, row] : replica_.rows(table)) {
    const Pending* p = find_pending(table, uuid);
    if (!p || !p->deleted) out.push_back(uuid);
  }
  auto t = pending_.find(table);
  if (t != pending_.end()) {
    for (const auto& [uuid, p] : t->second) {
      if (p.inserted && !p.deleted) out.push_back(uuid);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

Uuid Txn::insert(std::string_view table, std::optional<Uuid> provisional) {
  Uuid uuid = provisional ? *provisional : Uuid::generate();
  Pending* p = pending(table, uuid);
  p->inserted = true;
  p->uuid_datum = Datum::scalar(uuid);
  inserted_.insert(uuid);
  return uuid;
}

Uuid Txn::insert_persist_uuid(std::string_view table, const Uuid& uuid) {
  // Not in inserted_: references to the row stay ["uuid", ...].
  Pending* p = pending(table, uuid);
  p->inserted = true;
  p->persist_uuid = true;
  p->uuid_datum = Datum::scalar(uuid);
  return uuid;
}

bool Txn::write(std::string_view table, const Uuid& uuid, std::string_view column, Datum value) {
  const ovsdb::TableSchema* ts = table_schema(table);
  if (!ts || !exists(table, uuid)) return false;
  const ovsdb::ColumnSchema* col = ts->find_column(column);
  if (!col || col->index < ovsdb::kNumStdColumns) return false;
  Pending* p = pending(table, uuid);
  p->mutations.erase(col->index);
  p->writes[col->index] = std::move(value);
  return true;
}

bool Txn::insert_into_set(std::string_view table, const Uuid& uuid, std::string_view column,
                          const Datum& elems) {
  return mutate_set(table, uuid, column, elems, true);
}

bool Txn::remove_from_set(std::string_view table, const Uuid& uuid, std::string_view column,
                          const Datum& elems) {
  return mutate_set(table, uuid, column, elems, false);
}

bool Txn::mutate_set(std::string_view table, const Uuid& uuid, std::string_view column,
                     const Datum& elems, bool insert) {
  const ovsdb::TableSchema* ts = table_schema(table);
  if (!ts || !exists(table, uuid)) return false;
  const ovsdb::ColumnSchema* col = ts->find_column(column);
  if (!col || col->index < ovsdb::kNumStdColumns || col->type.is_map()) return false;
  // Keys only, sorted and unique, so the set algebra below is exact.
  Datum e;
  e.keys = elems.keys;
  e.sort_unique(col->type);
  Pending* p = pending(table, uuid);
  if (p->inserted || p->writes.count(col->index)) {
    Datum v = *get(table, uuid, column);
    if (insert) {
      v.union_with(e, col->type);
    } else {
      v.subtract(e, false);
    }
    p->writes[col->index] = std::move(v);
    return true;
  }
  auto [it, fresh] = p->mutations.try_emplace(col->index);
  Pending::SetMutation& m = it->second;
  if (fresh) {
    const Row* row = replica_.find(table, uuid);
    m.view = row->fields[col->index];
  }
  if (insert) {
    m.removed.subtract(e, false);
    m.added.union_with(e, col->type);
    m.view.union_with(e, col->type);
  } else {
    m.added.subtract(e, false);
    m.removed.union_with(e, col->type);
    m.view.subtract(e, false);
  }
  return true;
}

bool Txn::delete_row(std::string_view table, const Uuid& uuid) {
  if (!exists(table, uuid)) return false;
  Pending* p = pending(table, uuid);
  p->deleted = true;
  p->writes.clear();
  p->mutations.clear();
  return true;
}

void Txn::verify(std::string_view table, const Uuid& uuid, std::string_view column) {
  const ovsdb::TableSchema* ts = table_schema(table);
  if (!ts || !replica_.find(table, uuid)) return;
  const ovsdb::ColumnSchema* col = ts->find_column(column);
  if (!col) return;
  pending(table, uuid)->verified.insert(col->index);
}

void Txn::increment(std::string_view table, const Uuid& uuid, std::string_view column,
                    bool force) {
  inc_ = Increment{std::string(table), std::string(column), uuid, force, false, 0};
}

std::optional<Uuid> Txn::inserted_uuid(const Uuid& provisional) const {
  auto it = inserted_real_.find(provisional);
  if (it == inserted_real_.end()) return std::nullopt;
  return it->second;
}

namespace {

// Replaces ["uuid", X] by ["named-uuid", rowX] for rows inserted here.
void substitute_named(Json& json, const std::set<Uuid>& inserted) {
  if (!json.is_array()) return;
  if (json.size() == 2 && json[0].is_string() && json[1].is_string() &&
      json[0].get_ref<const std::string&>() == "uuid") {
    auto uuid = Uuid::from_string(json[1].get_ref<const std::string&>());
    if (uuid && inserted.count(*uuid)) json = Json::array({"named-uuid", provisional_name(*uuid)});
    return;
  }
  for (auto& elem : json) substitute_named(elem, inserted);
}

}  // namespace

Json Txn::datum_json(const Datum& datum, const ovsdb::Type& type) const {
  Json json = datum.to_json(type);
  substitute_named(json, inserted_);
  return json;
}

Json Txn::uuid_where(const Uuid& uuid) const {
  Json u = Json::array({"uuid", uuid.to_string()});
  substitute_named(u, inserted_);
  return Json::array({Json::array({"_uuid", "==", u})});
}

void Txn::build_row_ops(Json& ops, const std::string& table, const ovsdb::TableSchema& ts,
                        const Uuid& uuid, const Pending& p, bool* changed) const {
  const Row* row = replica_.find(table, uuid);
  if (p.deleted) {
    // Rows of non-root tables are not deleted explicitly: the server
    // garbage-collects them once unreferenced (as OVS's IDL leaves it).
    if (!p.inserted && row && ts.is_root) {
      ops.push_back({{"op", "delete"}, {"table", table}, {"where", uuid_where(uuid)}});
      *changed = true;
    }
    return;
  }
  Json values = Json::object();
  for (const auto& [index, datum] : p.writes) {
    const ovsdb::ColumnSchema& col = ts.columns[index];
    if (!p.inserted && row && row->fields[index] == datum) continue;  // unchanged
    if (p.inserted && datum.is_default(col.type)) continue;
    values[col.name] = datum_json(datum, col.type);
  }
  if (p.inserted) {
    Json op = {{"op", "insert"}, {"table", table}, {"row", std::move(values)}};
    if (p.persist_uuid) {
      op["uuid"] = uuid.to_string();
    } else {
      op["uuid-name"] = provisional_name(uuid);
    }
    ops.push_back(std::move(op));
    *changed = true;
  } else if (row && !values.empty()) {
    ops.push_back({{"op", "update"}, {"table", table}, {"where", uuid_where(uuid)},
                   {"row", std::move(values)}});
    *changed = true;
  }
  if (p.inserted || !row) return;
  Json mutations = Json::array();
  for (const auto& [index, m] : p.mutations) {
    const ovsdb::ColumnSchema& col = ts.columns[index];
    // A set of any size: "insert"/"delete" take a set of the column's type.
    ovsdb::Type set_type = col.type;
    set_type.n_min = 0;
    set_type.n_max = UINT_MAX;
    if (!m.removed.empty()) {
      mutations.push_back(Json::array({col.name, "delete", datum_json(m.removed, set_type)}));
    }
    if (!m.added.empty()) {
      mutations.push_back(Json::array({col.name, "insert", datum_json(m.added, set_type)}));
    }
  }
  if (!mutations.empty()) {
    ops.push_back({{"op", "mutate"}, {"table", table}, {"where", uuid_where(uuid)},
                   {"mutations", std::move(mutations)}});
    *changed = true;
  }
}

std::optional<Json> Txn::build_request(const std::string& db) {
  Json ops = Json::array();
  ops.push_back(db);
  for (const Json& op : prerequisites_) ops.push_back(op);
  // Verifications first, so that a stale read fails the whole transaction.
  for (const auto& [table, rows] : pending_) {
    const ovsdb::TableSchema* ts = table_schema(table);
    for (const auto& [uuid, p] : rows) {
      const Row* row = replica_.find(table, uuid);
      if (p.verified.empty() || !row || p.inserted) continue;
      Json columns = Json::array(), values = Json::object();
      for (size_t index : p.verified) {
        const ovsdb::ColumnSchema& col = ts->columns[index];
        columns.push_back(col.name);
        values[col.name] = row->fields[index].to_json(col.type);
      }
      ops.push_back({{"op", "wait"}, {"table", table}, {"timeout", 0},
                     {"where", uuid_where(uuid)}, {"until", "=="}, {"columns", columns},
                     {"rows", Json::array({values})}});
    }
  }
  bool changed = false;
  insert_op_index_.clear();
  for (const auto& [table, rows] : pending_) {
    const ovsdb::TableSchema* ts = table_schema(table);
    for (const auto& [uuid, p] : rows) {
      size_t before = ops.size();
      build_row_ops(ops, table, *ts, uuid, p, &changed);
      if (p.inserted && !p.deleted && ops.size() > before) insert_op_index_[uuid] = before - 1;
    }
  }
  if (inc_ && (changed || inc_->force)) {
    Json where = uuid_where(inc_->uuid);
    inc_->mutate_index = ops.size() - 1;
    inc_->sent = true;
    ops.push_back({{"op", "mutate"}, {"table", inc_->table}, {"where", where},
                   {"mutations", Json::array({Json::array({inc_->column, "+=", 1})})}});
    ops.push_back({{"op", "select"}, {"table", inc_->table}, {"where", where},
                   {"columns", Json::array({inc_->column})}});
    changed = true;
  }
  if (!changed) {
    status_ = TxnStatus::kUnchanged;
    return std::nullopt;
  }
  for (const std::string& c : comments_) ops.push_back({{"op", "comment"}, {"comment", c}});
  if (dry_run_) ops.push_back({{"op", "abort"}});
  status_ = TxnStatus::kIncomplete;
  return ops;
}

TxnStatus Txn::process_error(const Json& error) {
  if (error.is_string() && error.get<std::string>() == "canceled") {
    return status_ = TxnStatus::kTryAgain;
  }
  error_ = ovsdb::json_to_string(error);
  return status_ = TxnStatus::kError;
}

bool Txn::process_results(const Json& results) {
  for (const auto& [uuid, index] : insert_op_index_) {
    if (index >= results.size()) return false;
    const Json& r = results[index];
    auto it = r.is_object() ? r.find("uuid") : r.end();
    if (!r.is_object() || it == r.end() || !it->is_array() || it->size() != 2 ||
        !(*it)[1].is_string()) {
      return false;
    }
    auto real = Uuid::from_string((*it)[1].get<std::string>());
    if (!real) return false;
    inserted_real_[uuid] = *real;
  }
  if (inc_ && inc_->sent) {
    size_t select = inc_->mutate_index + 1;
    if (select >= results.size()) return false;
    const Json& r = results[select];
    if (!r.is_object() || !r.contains("rows") || !r["rows"].is_array() || r["rows"].size() != 1) {
      return false;
    }
    const Json& v = r["rows"][0].value(inc_->column, Json());
    if (!v.is_number_integer()) return false;
    inc_new_value_ = v.get<int64_t>();
  }
  return true;
}

TxnStatus Txn::process_reply(const Json& result) {
  if (!result.is_array()) {
    VLOG_WARN("reply to \"transact\" is not JSON array");
    error_ = ovsdb::json_to_string(result);
    return status_ = TxnStatus::kError;
  }
  int hard = 0, soft = 0, lock = 0;
  for (const Json& op : result) {
    if (op.is_null()) {
      soft++;
    } else if (op.is_object()) {
      auto e = op.find("error");
      if (e == op.end()) continue;
      if (!e->is_string()) {
        hard++;
        if (error_.empty()) error_ = ovsdb::json_to_string(op);
        continue;
      }
      const std::string& s = e->get_ref<const std::string&>();
      if (s == "timed out" || s == "unknown database") {
        soft++;
      } else if (s == "not owner") {
        lock++;
      } else if (s != "aborted") {
        hard++;
        if (error_.empty()) error_ = ovsdb::json_to_string(op);
        if (s != "not allowed") VLOG_WARN("transaction error: %s", error_.c_str());
      }
    } else {
      hard++;
      if (error_.empty()) error_ = ovsdb::json_to_string(op);
    }
  }
  if (!hard && !soft && !lock && !dry_run_ && !process_results(result)) hard++;
  status_ = hard ? TxnStatus::kError
               : lock ? TxnStatus::kNotLocked
               : soft ? TxnStatus::kTryAgain
               : TxnStatus::kSuccess;
  return status_;
}

}  // namespace grebe::ovsdb_idl

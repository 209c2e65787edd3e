// Standalone database files: transaction records <-> change sets, replay.
#include "ovsdb/storage/file.h"

#include "grebe/util/clock.h"
#include "grebe/util/vlog.h"
#include "ovsdb/core/execution.h"

VLOG_DEFINE_THIS_MODULE(ovsdb_file);

namespace grebe::ovsdb {

namespace {

// The columns of an inserted row that a record must carry.
Json insert_row_json(const TableSchema& ts, const Row& row) {
  Json j = Json::object();
  for (const ColumnSchema& c : ts.columns) {
    if (c.index == kColUuid || c.index == kColVersion || !c.persistent) continue;
    if (!row.fields[c.index].is_default(c.type)) j[c.name] = row.fields[c.index].to_json(c.type);
  }
  return j;
}

// The changed columns of a modified row, or null if none is persistent.
Json modify_row_json(const TableSchema& ts, const Row& old_row, const Row& new_row, bool use_diff) {
  Json j;
  for (const ColumnSchema& c : ts.columns) {
    if (c.index == kColUuid || c.index == kColVersion || !c.persistent) continue;
    const Datum& o = old_row.fields[c.index];
    const Datum& n = new_row.fields[c.index];
    if (o == n) continue;
    j[c.name] = use_diff ? Datum::diff(o, n, c.type).to_json(c.type) : n.to_json(c.type);
  }
  return j;
}

OStatus update_row_from_json(const TableSchema& ts, Row& row, const Json& json, bool converting,
                             bool is_diff) {
  if (!json.is_object()) return syntax_error(&json, nullptr, "row must be JSON object");
  for (auto it = json.begin(); it != json.end(); ++it) {
    const ColumnSchema* c = ts.find_column(it.key());
    if (!c) {
      if (converting) continue;
      return syntax_error(&json, "unknown column", "No column %s in table %s.", it.key().c_str(),
                          ts.name.c_str());
    }
    Datum& field = row.fields[c->index];
    if (is_diff && !field.is_default(c->type)) {
      auto diff = Datum::from_json_transient(c->type, it.value(), nullptr);
      if (!diff.ok()) return diff.take_error();
      GREBE_TRY(field.apply_diff(*diff, c->type));
    } else {
      auto d = Datum::from_json(c->type, it.value(), nullptr);
      if (!d.ok()) return d.take_error();
      field = std::move(*d);
    }
  }
  return {};
}

OStatus table_from_json(Txn& txn, const TableSchema& ts, const Json& json, bool converting,
                        bool is_diff) {
  if (!json.is_object()) return syntax_error(&json, nullptr, "object expected");
  for (auto it = json.begin(); it != json.end(); ++it) {
    auto uuid = Uuid::from_string(it.key());
    if (!uuid) return syntax_error(&json, nullptr, "\"%s\" is not a valid UUID", it.key().c_str());
    RowPtr existing = txn.get(ts.name, *uuid);
    if (it.value().is_null()) {
      if (!existing) {
        return syntax_error(nullptr, nullptr, "transaction deletes row %s that does not exist",
                            it.key().c_str());
      }
      txn.remove(ts, *uuid);
    } else if (existing) {
      Row row = *existing;
      GREBE_TRY(update_row_from_json(ts, row, it.value(), converting, is_diff));
      txn.modify(ts, std::move(row));
    } else {
      Row row = Row::make_default(ts, *uuid);
      GREBE_TRY(update_row_from_json(ts, row, it.value(), converting, is_diff));
      txn.insert(ts, std::move(row));
    }
  }
  return {};
}

}  // namespace

Json annotate_record(Json record, const std::string& comment, bool use_diff, long long date_msec) {
  if (record.is_null()) record = Json::object();
  if (!comment.empty()) record["_comment"] = comment;
  if (use_diff) record["_is_diff"] = true;
  record["_date"] = date_msec;
  return record;
}

Json change_set_to_json(const ChangeSet& changes, const DatabaseSchema& schema, bool use_diff,
                        long long date_msec) {
  Json record;
  for (const auto& [table, rows] : changes.tables) {
    const TableSchema* ts = schema.find_table(table);
    if (!ts) continue;
    Json tj;
    for (const auto& [uuid, change] : rows) {
      Json rj;
      if (!change.new_row) {
        rj = nullptr;
      } else if (!change.old_row) {
        rj = insert_row_json(*ts, *change.new_row);
      } else {
        rj = modify_row_json(*ts, *change.old_row, *change.new_row, use_diff);
        if (rj.is_null()) continue;
      }
      tj[uuid.to_string()] = std::move(rj);
    }
    if (!tj.is_null()) record[table] = std::move(tj);
  }
  if (record.is_null()) return record;
  return annotate_record(std::move(record), changes.comment, use_diff, date_msec);
}

OStatus txn_from_json(Txn& txn, const Json& record, bool converting) {
  if (!record.is_object()) return syntax_error(&record, nullptr, "object expected");
  auto is_diff_it = record.find("_is_diff");
  bool is_diff = is_diff_it != record.end() && is_diff_it->is_boolean() && is_diff_it->get<bool>();
  const DatabaseSchema& schema = txn.db().schema();
  for (auto it = record.begin(); it != record.end(); ++it) {
    const std::string& name = it.key();
    const TableSchema* ts = schema.find_table(name);
    if (!ts) {
      if ((name == "_date" && json_integer(it.value())) ||
          (name == "_is_diff" && it.value().is_boolean()) || name == "_comment" || converting) {
        continue;
      }
      return syntax_error(&record, "unknown table", "No table named %s.", name.c_str());
    }
    GREBE_TRY(table_from_json(txn, *ts, it.value(), converting, is_diff));
  }
  return {};
}

Json database_to_json(const Database& db, const std::string& comment, long long date_msec) {
  Json record;
  for (const auto& [name, table] : db.tables()) {
    if (table.rows.empty()) continue;
    Json tj = Json::object();
    for (const auto& [uuid, row] : table.rows) tj[uuid.to_string()] = insert_row_json(*table.schema, *row);
    record[name] = std::move(tj);
  }
  return annotate_record(std::move(record), comment, false, date_msec);
}

OResult<std::unique_ptr<DbFile>> DbFile::open(const std::string& file_name,
                                              const DbFileOptions& options) {
  std::unique_ptr<DbFile> f(new DbFile());
  auto log = Log::open(file_name, kOvsdbMagic,
                       options.read_write ? Log::Mode::kReadWrite : Log::Mode::kReadOnly);
  if (!log.ok()) return log.take_error();
  f->log_ = std::move(*log);

  auto first = f->log_->read();
  if (!first.ok()) return first.take_error();
  if (!*first) return make_error(nullptr, "%s: unexpected end of file", file_name.c_str());
  auto schema = DatabaseSchema::from_json(**first);
  if (!schema.ok()) return schema.take_error();
  f->file_schema_ = std::make_shared<const DatabaseSchema>(std::move(*schema));
  bool converting = options.as_schema != nullptr;
  f->db_ = std::make_unique<Database>(converting ? options.as_schema : f->file_schema_);

  for (;;) {
    auto rec = f->log_->read();
    if (!rec.ok()) {
      if (!options.tolerate_bad_tail) return rec.take_error();
      VLOG_WARN("%s", rec.error().to_string().c_str());
      break;
    }
    if (!*rec) break;
    Txn txn(*f->db_);
    GREBE_TRY(txn_from_json(txn, **rec, converting));
    auto changes = txn.precommit();
    if (!changes.ok()) {
      VLOG_WARN("%s: ignoring the rest of the log: %s", file_name.c_str(),
                changes.error().to_string().c_str());
      f->log_->unread();
      break;
    }
    f->db_->apply(*changes);
  }
  f->log_->mark_base();
  return f;
}

OStatus DbFile::write_commit(const ChangeSet& changes, bool durable) {
  Json record = change_set_to_json(changes, db_->schema(), true, time_wall_msec());
  if (record.is_null()) return {};
  GREBE_TRY(log_->write(record));
  if (durable) GREBE_TRY(log_->commit());
  return {};
}

OStatus DbFile::compact(const std::string& comment) {
  std::vector<Json> records;
  records.push_back(db_->schema().to_json());
  records.push_back(database_to_json(*db_, comment, time_wall_msec()));
  return log_->replace_contents(records);
}

Json DbFile::transact(const Json& params, bool read_only) {
  ExecOptions options;
  options.read_only = read_only;
  Composed c = compose_transaction(*db_, params, options);
  if (!c.txn) return c.results;
  auto changes = c.txn->precommit();
  if (!changes.ok()) {
    c.results.push_back(changes.error().to_json());
    return c.results;
  }
  // Acknowledge only what is on disk: always sync a tool's commit.
  if (auto st = write_commit(*changes, true); !st.ok()) {
    c.results.push_back(st.error().to_json());
    return c.results;
  }
  db_->apply(*changes);
  return c.results;
}

OResult<DatabaseSchema> read_db_schema(const std::string& file_name) {
  auto log = Log::open(file_name, kOvsdbMagic, Log::Mode::kReadOnly);
  if (!log.ok()) return log.take_error();
  auto first = (*log)->read();
  if (!first.ok()) return first.take_error();
  if (!*first) return make_error(nullptr, "%s: unexpected end of file", file_name.c_str());
  return DatabaseSchema::from_json(**first);
}

OStatus write_standalone_db(const std::string& file_name, const Database& db,
                            const std::string& comment) {
  std::vector<Json> records;
  records.push_back(db.schema().to_json());
  records.push_back(database_to_json(db, comment, time_wall_msec()));
  return Log::replace(file_name, kOvsdbMagic, records);
}

}  // namespace grebe::ovsdb

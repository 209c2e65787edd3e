// Monitors: request parsing and update composition, as OVS's monitor.c.
#include "ovsdb/core/monitor.h"

#include "grebe/ovsdb/parser.h"

namespace grebe::ovsdb {

namespace {

bool parse_bool(Parser& parser, const char* name, bool dflt) {
  const Json* j = parser.member(name, Parser::kBoolean | Parser::kOptional);
  return j ? j->get<bool>() : dflt;
}

OStatus add_column(MonitorTable& mt, const ColumnSchema& c, unsigned select, const Json* columns) {
  for (const MonitorColumn& m : mt.columns) {
    if (m.index == c.index) {
      return syntax_error(columns, nullptr, "column %s mentioned more than once", c.name.c_str());
    }
  }
  mt.columns.push_back({c.index, select});
  return {};
}

OStatus parse_request(MonitorTable& mt, const Json& request, bool conditional) {
  const TableSchema& ts = *mt.schema;
  Parser parser(request, "table " + ts.name);
  const Json* where = conditional ? parser.member("where", Parser::kArray | Parser::kOptional) : nullptr;
  const Json* columns = parser.member("columns", Parser::kArray | Parser::kOptional);
  const Json* select_json = parser.member("select", Parser::kObject | Parser::kOptional);
  if (auto e = parser.finish()) return *e;

  unsigned select = kSelectAll;
  if (select_json) {
    Parser sp(*select_json, "table " + ts.name + " select");
    select = (parse_bool(sp, "initial", true) ? unsigned(kSelectInitial) : 0u) |
             (parse_bool(sp, "insert", true) ? unsigned(kSelectInsert) : 0u) |
             (parse_bool(sp, "delete", true) ? unsigned(kSelectDelete) : 0u) |
             (parse_bool(sp, "modify", true) ? unsigned(kSelectModify) : 0u);
    if (auto e = sp.finish()) return *e;
  }
  mt.select |= select;
  if (columns) {
    for (const Json& name : *columns) {
      if (!name.is_string()) return syntax_error(columns, nullptr, "array of column names expected");
      const ColumnSchema* c = ts.find_column(name.get_ref<const std::string&>());
      if (!c) {
        return syntax_error(columns, nullptr, "%s is not a valid column name",
                            name.get_ref<const std::string&>().c_str());
      }
      GREBE_TRY(add_column(mt, *c, select, columns));
    }
  } else {
    for (const ColumnSchema& c : ts.columns) {
      if (c.index != kColUuid) GREBE_TRY(add_column(mt, c, select, columns));
    }
  }
  if (where) {
    auto cond = Condition::from_json(ts, *where, nullptr);
    if (!cond.ok()) return cond.take_error();
    mt.condition = std::move(*cond);
  }
  return {};
}

// Adds 'update' for row 'uuid' of 'table' to a <table-updates> object.
void put_update(Json& out, const std::string& table, const Uuid& uuid, Json update) {
  if (update.is_null()) return;
  out[table][uuid.to_string()] = std::move(update);
}

}  // namespace

OResult<Monitor> Monitor::from_json(const DatabaseSchema& schema, const Json& requests,
                                    MonitorVersion version) {
  Monitor m;
  m.version_ = version;
  if (!requests.is_object()) {
    return syntax_error(&requests, nullptr, "monitor-requests must be object");
  }
  bool conditional = version != MonitorVersion::kV1;
  for (auto it = requests.begin(); it != requests.end(); ++it) {
    const TableSchema* ts = schema.find_table(it.key());
    if (!ts) return syntax_error(nullptr, nullptr, "no table named %s", it.key().c_str());
    MonitorTable mt;
    mt.schema = ts;
    if (it.value().is_array()) {
      for (const Json& r : it.value()) GREBE_TRY(parse_request(mt, r, conditional));
    } else {
      GREBE_TRY(parse_request(mt, it.value(), conditional));
    }
    m.tables_.push_back(std::move(mt));
  }
  return m;
}

const std::string& Monitor::signature() const {
  if (!signature_.empty()) return signature_;
  std::string& out = signature_;
  out = version_ == MonitorVersion::kV1 ? "v1" : version_ == MonitorVersion::kV2 ? "v2" : "v3";
  for (const MonitorTable& mt : tables_) {
    out += '|';
    out += mt.schema->name;
    out += ':' + std::to_string(mt.select);
    for (const MonitorColumn& mc : mt.columns) {
      out += ',' + std::to_string(mc.index) + '/' + std::to_string(mc.select);
    }
    if (mt.condition) {
      out += '?';
      append_json(out, mt.condition->to_json(*mt.schema));
    }
  }
  return out;
}

bool Monitor::matches(const MonitorTable& mt, const Row* row) const {
  if (!row) return false;
  return !mt.condition || mt.condition->evaluate_any(row->fields);
}

Json Monitor::row_update(const MonitorTable& mt, const Row* old_row, const Row* new_row,
                         bool initial) const {
  unsigned type = initial ? kSelectInitial : !old_row ? kSelectInsert : !new_row ? kSelectDelete
                                                                                 : kSelectModify;
  if (mt.condition) {
    bool old_cond = matches(mt, old_row), new_cond = matches(mt, new_row);
    if (!old_cond && !new_cond) return nullptr;
    if ((type == kSelectInitial || type == kSelectInsert) && !new_cond) return nullptr;
    if (type == kSelectDelete && !old_cond) return nullptr;
    if (type == kSelectModify) {
      type = !old_cond ? kSelectInsert : !new_cond ? kSelectDelete : kSelectModify;
    }
  }
  if (!(mt.select & type)) return nullptr;
  std::vector<bool> changed(mt.columns.size(), false);
  if (type == kSelectModify) {
    bool any = false;
    for (size_t i = 0; i < mt.columns.size(); i++) {
      size_t k = mt.columns[i].index;
      changed[i] = old_row->fields[k] != new_row->fields[k];
      any |= changed[i];
    }
    if (!any) return nullptr;  // changed and changed back
  }
  const TableSchema& ts = *mt.schema;
  if (version_ == MonitorVersion::kV1) {
    Json update = Json::object(), old_json = Json::object(), new_json = Json::object();
    for (size_t i = 0; i < mt.columns.size(); i++) {
      const MonitorColumn& mc = mt.columns[i];
      if (!(type & mc.select)) continue;
      const ColumnSchema& c = ts.columns[mc.index];
      if ((type == kSelectModify && changed[i]) || type == kSelectDelete) {
        old_json[c.name] = old_row->fields[mc.index].to_json(c.type);
      }
      if (type & (kSelectInitial | kSelectInsert | kSelectModify)) {
        new_json[c.name] = new_row->fields[mc.index].to_json(c.type);
      }
    }
    if (type & (kSelectDelete | kSelectModify)) update["old"] = std::move(old_json);
    if (type & (kSelectInitial | kSelectInsert | kSelectModify)) update["new"] = std::move(new_json);
    return update;
  }
  if (type == kSelectDelete) return Json{{"delete", nullptr}};
  Json diff = Json::object();
  for (size_t i = 0; i < mt.columns.size(); i++) {
    const MonitorColumn& mc = mt.columns[i];
    if (!(type & mc.select)) continue;
    const ColumnSchema& c = ts.columns[mc.index];
    if (type == kSelectModify) {
      if (changed[i]) {
        diff[c.name] = Datum::diff(old_row->fields[mc.index], new_row->fields[mc.index], c.type)
                           .to_json(c.type);
      }
    } else if (!new_row->fields[mc.index].is_default(c.type)) {
      diff[c.name] = new_row->fields[mc.index].to_json(c.type);
    }
  }
  const char* op = type == kSelectInitial ? "initial" : type == kSelectModify ? "modify" : "insert";
  return Json{{op, std::move(diff)}};
}

Json Monitor::initial(const Database& db) const {
  Json out = Json::object();
  for (const MonitorTable& mt : tables_) {
    if (!(mt.select & kSelectInitial)) continue;
    const Table* t = db.table(mt.schema->name);
    for (const auto& [uuid, row] : t->rows) {
      put_update(out, mt.schema->name, uuid, row_update(mt, nullptr, row.get(), true));
    }
  }
  return out;
}

Json Monitor::updates(const ChangeSet& changes) const {
  Json out = Json::object();
  for (const MonitorTable& mt : tables_) {
    auto it = changes.tables.find(mt.schema->name);
    if (it == changes.tables.end()) continue;
    for (const auto& [uuid, change] : it->second) {
      put_update(out, mt.schema->name, uuid,
                 row_update(mt, change.old_row.get(), change.new_row.get(), false));
    }
  }
  return out;
}

OStatus Monitor::change_conditions(const Json& condition_requests, const Database& db,
                                   Json* updates) {
  *updates = Json::object();
  if (!condition_requests.is_object()) {
    return syntax_error(&condition_requests, nullptr, "monitor-cond-change-requests must be object");
  }
  for (auto it = condition_requests.begin(); it != condition_requests.end(); ++it) {
    MonitorTable* mt = nullptr;
    for (MonitorTable& t : tables_) {
      if (t.schema->name == it.key()) mt = &t;
    }
    if (!mt) return syntax_error(nullptr, nullptr, "no table named %s", it.key().c_str());
    std::optional<Condition> next;
    for (const Json& r : it.value().is_array() ? it.value() : Json::array({it.value()})) {
      Parser parser(r, "table " + it.key());
      const Json* where = parser.member("where", Parser::kArray | Parser::kOptional);
      parser.member("columns", Parser::kArray | Parser::kOptional);
      if (auto e = parser.finish()) return *e;
      if (!where) continue;
      auto cond = Condition::from_json(*mt->schema, *where, nullptr);
      if (!cond.ok()) return cond.take_error();
      next = std::move(*cond);
    }
    if (!next) continue;
    signature_.clear();
    MonitorTable before = *mt;
    mt->condition = std::move(next);
    for (const auto& [uuid, row] : db.table(mt->schema->name)->rows) {
      bool was = matches(before, row.get()), is = matches(*mt, row.get());
      if (was == is) continue;
      MonitorTable view = *mt;
      view.condition.reset();
      // Entering rows look like inserts, leaving rows like deletes.
      put_update(*updates, mt->schema->name, uuid,
                 is ? row_update(view, nullptr, row.get(), false)
                    : row_update(view, row.get(), nullptr, false));
    }
  }
  return {};
}

}  // namespace grebe::ovsdb

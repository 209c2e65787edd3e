// Databases, remotes and client sessions of ovsdb-server.
#include "server.h"

#include <malloc.h>

#include <algorithm>
#include <unordered_map>

#include "grebe/util/clock.h"
#include "grebe/util/vlog.h"
#include "ovsdb/core/execution.h"

VLOG_DEFINE_THIS_MODULE(ovsdb_server);

namespace grebe::ovsdb_server {

using namespace grebe::ovsdb;

namespace {

// The _Server database's schema (OVS's ovsdb/_server.ovsschema, 1.2.0).
const char* const kServerSchema = R"({"name": "_Server", "version": "1.2.0",
 "cksum": "3009684573 744",
 "tables": {"Database": {"isRoot": true, "columns": {
   "name": {"type": "string"},
   "model": {"type": {"key": {"type": "string",
       "enum": ["set", ["standalone", "clustered", "relay"]]}}},
   "connected": {"type": "boolean"},
   "leader": {"type": "boolean"},
   "schema": {"type": {"key": {"type": "string"}, "min": 0, "max": 1}},
   "cid": {"type": {"key": {"type": "uuid"}, "min": 0, "max": 1}},
   "sid": {"type": {"key": {"type": "uuid"}, "min": 0, "max": 1}},
   "index": {"type": {"key": {"type": "integer"}, "min": 0, "max": 1}}}}}})";

}  // namespace

OvsdbServer::OvsdbServer(event::EventLoop& loop) : loop_(loop), server_id_(Uuid::generate()) {
  auto json = parse_json_text(kServerSchema);
  auto schema = DatabaseSchema::from_json(*json);
  auto sdb = std::make_unique<ServedDb>();
  sdb->name = "_Server";
  sdb->memory = std::make_unique<Database>(std::make_shared<const DatabaseSchema>(*schema));
  ServedDb& self = *sdb;
  dbs_["_Server"] = std::move(sdb);
  add_server_row(self);  // OVS lists _Server in its own Database table
  flush_hook_ = loop_.add_hook([this] { flush_outboxes(); });
}

OvsdbServer::~OvsdbServer() {
  loop_.remove_hook(flush_hook_);
  for (auto& [name, l] : listeners_) {
    if (l.watch) loop_.unwatch_fd(l.watch);
  }
  for (auto& p : pending_) loop_.cancel_timer(p.timer);
}

Status OvsdbServer::add_db(const std::string& path) {
  DbFileOptions options;
  options.read_write = true;
  options.tolerate_bad_tail = true;
  auto file = DbFile::open(path, options);
  if (!file.ok()) return Error(EINVAL, file.error().to_string());
  std::string name = (*file)->db().schema().name;
  if (dbs_.count(name)) {
    return Error(EEXIST, path + ": already open");
  }
  auto sdb = std::make_unique<ServedDb>();
  sdb->name = name;
  sdb->path = path;
  sdb->file = std::move(*file);
  sdb->file->log().grew_lots();
  add_server_row(*sdb);
  dbs_[name] = std::move(sdb);
  return ok_status();
}

// Inserts the _Server.Database row describing 'sdb' and notifies monitors.
void OvsdbServer::add_server_row(const ServedDb& sdb) {
  Json row = {{"name", sdb.name},
              {"model", "standalone"},
              {"connected", true},
              {"leader", true},
              {"schema", json_to_string(const_cast<ServedDb&>(sdb).db().schema().to_json())}};
  // Built directly: transactions from clients may not write _Server.
  ServedDb& server = *dbs_["_Server"];
  Database& db = server.db();
  const TableSchema* ts = db.schema().find_table("Database");
  Row r = Row::make_default(*ts, Uuid::generate());
  for (const auto& [column, value] : row.items()) {
    const ColumnSchema* cs = ts->find_column(column);
    if (!cs) continue;
    auto datum = Datum::from_json(cs->type, value);
    if (datum.ok()) r.fields[cs->index] = std::move(*datum);
  }
  Txn txn(db);
  txn.insert(*ts, std::move(r));
  auto changes = txn.precommit();
  if (!changes.ok()) {
    VLOG_ERR("_Server row for %s: %s", sdb.name.c_str(), changes.error().to_string().c_str());
    return;
  }
  db.apply(*changes);
  notify_monitors("_Server", *changes);
}

std::vector<std::string> OvsdbServer::db_names() const {
  std::vector<std::string> v;
  for (const auto& [name, d] : dbs_) v.push_back(name);
  return v;
}

Status OvsdbServer::compact(const std::string& db_name) {
  for (auto& [name, sdb] : dbs_) {
    if (!sdb->file || (!db_name.empty() && name != db_name)) continue;
    VLOG_INFO("compacting %s database by user request", name.c_str());
    auto st = sdb->file->compact("compacting database online");
    if (!st.ok()) return Error(EIO, st.error().to_string());
  }
  if (!db_name.empty() && (!dbs_.count(db_name) || !dbs_[db_name]->file)) {
    return Error(ENOENT, "cannot compact built-in databases");
  }
  return ok_status();
}

void OvsdbServer::reconnect() {
  std::vector<uint64_t> ids;
  for (auto& [id, c] : clients_) ids.push_back(id);
  for (uint64_t id : ids) {
    Client& c = *clients_[id];
    if (c.active) {
      reset_client(c);
      c.session->force_reconnect();
    } else {
      drop_client(id);
    }
  }
}

void OvsdbServer::memory_usage(std::map<std::string, unsigned long long>& usage) const {
  unsigned long long cells = 0, monitors = 0, locks = 0;
  for (const auto& [name, sdb] : dbs_) {
    const Database& db = sdb->file ? sdb->file->db() : *sdb->memory;
    for (const auto& [tname, t] : db.tables()) cells += t.rows.size() * t.schema->columns.size();
  }
  for (const auto& [id, c] : clients_) {
    monitors += c->monitors.size();
    locks += c->locks.size();
  }
  usage["cells"] = cells;
  usage["monitors"] = monitors;
  usage["sessions"] = clients_.size();
  if (locks) usage["locks"] = locks;
  if (!pending_.empty()) usage["triggers"] = pending_.size();
}

void OvsdbServer::accept_all(Listener& listener) {
  for (;;) {
    auto s = listener.pstream->accept();
    if (!s.ok()) {
      if (!s.error().would_block()) {
        VLOG_WARN("%s: accept failed: %s", listener.name.c_str(),
                  s.error().message().c_str());
      }
      return;
    }
    uint64_t id = next_client_id_++;
    auto c = std::make_unique<Client>();
    c->id = id;
    c->remote = listener.name;
    c->read_only = listener.options.read_only;
    jsonrpc::Session::Callbacks cb;
    cb.on_message = [this, id](jsonrpc::Message m) { on_message(id, std::move(m)); };
    cb.on_disconnected = [this, id](const Error&) {
      loop_.post([this, id] { drop_client(id); });
    };
    jsonrpc::Session::Options opts;
    opts.probe_interval_msec = listener.options.probe_interval_msec;
    c->session = std::make_unique<jsonrpc::Session>(loop_, std::move(*s), cb, opts);
    clients_[id] = std::move(c);
  }
}

void OvsdbServer::drop_client(uint64_t client_id) {
  auto it = clients_.find(client_id);
  if (it == clients_.end()) return;
  release_locks(*it->second);
  for (auto p = pending_.begin(); p != pending_.end();) {
    if (p->client == client_id) {
      loop_.cancel_timer(p->timer);
      p = pending_.erase(p);
    } else {
      ++p;
    }
  }
  // The session may be inside its own callback: destroy it later.
  std::shared_ptr<Client> doomed(std::move(it->second));
  clients_.erase(it);
  loop_.post([doomed] {});
}

namespace {

// Message::to_string() without building (and copying into) a message
// object first: members in sorted order, as the JSON library writes them.
void append_message(std::string& out, const jsonrpc::Message& m) {
  using Type = jsonrpc::Message::Type;
  switch (m.type) {
    case Type::kRequest:
    case Type::kNotify:
      out += m.type == Type::kNotify ? "{\"id\":null" : "{\"id\":";
      if (m.type == Type::kRequest) append_json(out, m.id);
      out += ",\"method\":";
      append_json(out, Json(m.method));
      out += ",\"params\":";
      if (m.params.is_null()) out += "[]";
      else append_json(out, m.params);
      break;
    case Type::kReply:
      out += "{\"error\":null,\"id\":";
      append_json(out, m.id);
      out += ",\"result\":";
      append_json(out, m.result);
      break;
    case Type::kError:
      out += "{\"error\":";
      append_json(out, m.error);
      out += ",\"id\":";
      append_json(out, m.id);
      out += ",\"result\":null";
      break;
  }
  out += '}';
}

}  // namespace

void OvsdbServer::send(Client& c, const jsonrpc::Message& msg) {
  if (c.outbox.empty() && c.updates_outbox.empty()) dirty_clients_.push_back(c.id);
  append_message(c.outbox, msg);
}

void OvsdbServer::send_update_text(Client& c, std::string_view text) {
  if (c.outbox.empty() && c.updates_outbox.empty()) dirty_clients_.push_back(c.id);
  c.updates_outbox += text;
}

void OvsdbServer::flush_outboxes() {
  if (rows_changed_ >= kTrimAfterRows) {
    // A big transaction parsed, copied and encoded a lot of memory that is
    // free now but still mapped: give it back, so that the resident size
    // follows the database, not its largest transaction.
    malloc_trim(0);
  }
  rows_changed_ = 0;
  if (dirty_clients_.empty()) return;
  std::vector<uint64_t> ids;
  ids.swap(dirty_clients_);
  for (uint64_t id : ids) {
    auto it = clients_.find(id);
    if (it == clients_.end()) continue;
    Client& c = *it->second;
    std::string text;
    text.swap(c.outbox);
    text += c.updates_outbox;
    c.updates_outbox.clear();
    if (text.empty()) continue;
    // A failed send closes the session, which reports the disconnect.
    if (auto st = c.session->send_text(std::move(text)); !st.ok()) {
      VLOG_DBG("send failed: %s", st.error().message().c_str());
    }
  }
}

void OvsdbServer::on_message(uint64_t client_id, jsonrpc::Message msg) {
  auto it = clients_.find(client_id);
  if (it == clients_.end()) return;
  Client& c = *it->second;
  if (msg.type == jsonrpc::Message::Type::kRequest) {
    handle_request(c, msg);
  } else if (msg.type == jsonrpc::Message::Type::kNotify && msg.method == "cancel") {
    do_cancel(c, msg);
  }
  // Replies (to our echo probes) and other notifications are ignored, as OVS.
}

ServedDb* OvsdbServer::lookup_db(Client& c, const jsonrpc::Message& req) {
  OvsdbError error;
  if (!req.params.is_array() || req.params.empty() || !req.params[0].is_string()) {
    error = syntax_error(&req.params, nullptr, "%s request params must begin with <db-name>",
                         req.method.c_str());
  } else {
    const std::string& name = req.params[0].get_ref<const std::string&>();
    auto it = dbs_.find(name);
    if (it != dbs_.end()) return it->second.get();
    error = syntax_error(&req.params, "unknown database", "%s request specifies unknown database %s",
                         req.method.c_str(), name.c_str());
  }
  send(c, jsonrpc::Message::error_reply(error.to_json(), req.id));
  return nullptr;
}

Result<void, OvsdbError> OvsdbServer::commit_changes(ServedDb& sdb, ChangeSet&& changes_in,
                                                      bool durable) {
  auto shared = std::make_shared<const ChangeSet>(std::move(changes_in));
  const ChangeSet& changes = *shared;
  if (sdb.file) {
    auto st = sdb.file->write_commit(changes, durable);
    if (!st.ok()) return st;
  }
  sdb.db().apply(changes);
  n_commits_++;
  for (const auto& [table, rows] : changes.tables) rows_changed_ += rows.size();
  sdb.history.add(Uuid::generate(), shared, sdb.db().n_rows());
  notify_monitors(sdb.name, changes);
  if (sdb.file && uses_db_config()) (void)reconfigure();
  if (sdb.file && sdb.file->log().grew_lots()) {
    VLOG_INFO("%s: compacting database online", sdb.path.c_str());
    if (auto st = sdb.file->compact("compacting database online"); !st.ok()) {
      VLOG_WARN("%s: compaction failed: %s", sdb.path.c_str(), st.error().to_string().c_str());
    }
  }
  return {};
}

void OvsdbServer::notify_monitors(const std::string& db, const ChangeSet& changes) {
  const std::string last_id = dbs_[db]->history.last_id().to_string();
  // Clients watching the same things get the same bytes: encode each
  // distinct monitor's updates once (OVS shares its json cache likewise).
  std::unordered_map<std::string, std::string> encoded;  // signature -> updates text
  std::string text;
  for (auto& [id, c] : clients_) {
    for (auto& [key, m] : c->monitors) {
      if (m.db != db) continue;
      auto [it, fresh] = encoded.try_emplace(m.monitor->signature());
      if (fresh) {
        Json upd = m.monitor->updates(changes);
        if (!(upd.is_object() && upd.empty())) it->second = json_to_string(upd);
      }
      if (it->second.empty()) continue;
      text.clear();
      switch (m.monitor->version()) {
        case MonitorVersion::kV1: text += R"({"id":null,"method":"update","params":[)"; break;
        case MonitorVersion::kV2: text += R"({"id":null,"method":"update2","params":[)"; break;
        case MonitorVersion::kV3: text += R"({"id":null,"method":"update3","params":[)"; break;
      }
      append_json(text, m.id);
      if (m.monitor->version() == MonitorVersion::kV3) {
        text += ",\"" + last_id + '"';
      }
      text += ',';
      text += it->second;
      text += "]}";
      send_update_text(*c, text);
    }
  }
}

}  // namespace grebe::ovsdb_server

// Databases, remotes and client sessions of ovsdb-server.
#include "server.h"

#include <algorithm>

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
}

OvsdbServer::~OvsdbServer() {
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

Status OvsdbServer::add_remote(const std::string& name) {
  if (listeners_.count(name)) return ok_status();
  Listener& l = listeners_[name];
  l.name = name;
  auto ps = stream::PassiveStream::open_with_default_port(name, 6640);
  if (!ps.ok()) {
    VLOG_ERR("%s: listen failed: %s", name.c_str(), ps.error().message().c_str());
    return ps.error();
  }
  l.pstream = std::move(*ps);
  l.watch = loop_.watch_fd(l.pstream->fd(), event::kReadable,
                           [this, name](uint32_t) {
                             auto it = listeners_.find(name);
                             if (it != listeners_.end()) accept_all(it->second);
                           });
  return ok_status();
}

bool OvsdbServer::remove_remote(const std::string& name) {
  auto it = listeners_.find(name);
  if (it == listeners_.end()) return false;
  if (it->second.watch) loop_.unwatch_fd(it->second.watch);
  listeners_.erase(it);
  return true;
}

std::vector<std::string> OvsdbServer::remotes() const {
  std::vector<std::string> v;
  for (const auto& [name, l] : listeners_) v.push_back(name);
  return v;
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
  for (uint64_t id : ids) drop_client(id);
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
    jsonrpc::Session::Callbacks cb;
    cb.on_message = [this, id](jsonrpc::Message m) { on_message(id, std::move(m)); };
    cb.on_disconnected = [this, id](const Error&) {
      loop_.post([this, id] { drop_client(id); });
    };
    jsonrpc::Session::Options opts;
    opts.probe_interval_msec = 0;  // OVS: no probes on unix sockets by default
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

void OvsdbServer::send(Client& c, const jsonrpc::Message& msg) {
  if (auto st = c.session->send(msg); !st.ok()) {
    VLOG_DBG("send failed: %s", st.error().message().c_str());
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

Result<void, OvsdbError> OvsdbServer::commit_changes(ServedDb& sdb, const ChangeSet& changes,
                                                      bool durable) {
  if (sdb.file) {
    auto st = sdb.file->write_commit(changes, durable);
    if (!st.ok()) return st;
  }
  sdb.db().apply(changes);
  n_commits_++;
  notify_monitors(sdb.name, changes);
  if (sdb.file && sdb.file->log().grew_lots()) {
    VLOG_INFO("%s: compacting database online", sdb.path.c_str());
    if (auto st = sdb.file->compact("compacting database online"); !st.ok()) {
      VLOG_WARN("%s: compaction failed: %s", sdb.path.c_str(), st.error().to_string().c_str());
    }
  }
  return {};
}

void OvsdbServer::notify_monitors(const std::string& db, const ChangeSet& changes) {
  static const std::string kZeroId = Uuid::zero().to_string();
  for (auto& [id, c] : clients_) {
    for (auto& [key, m] : c->monitors) {
      if (m.db != db) continue;
      Json upd = m.monitor->updates(changes);
      if (upd.is_object() && upd.empty()) continue;
      switch (m.monitor->version()) {
        case MonitorVersion::kV1:
          send(*c, jsonrpc::Message::notify("update", Json::array({m.id, upd})));
          break;
        case MonitorVersion::kV2:
          send(*c, jsonrpc::Message::notify("update2", Json::array({m.id, upd})));
          break;
        case MonitorVersion::kV3:
          send(*c, jsonrpc::Message::notify("update3", Json::array({m.id, kZeroId, upd})));
          break;
      }
    }
  }
}

}  // namespace grebe::ovsdb_server

// ovsdb-server's remotes and SSL settings, including those read from the
// served databases ("db:DB,TABLE,COLUMN", OVS's ovsdb-server.c
// query_db_remotes() / query_db_string()): resolved at startup and again
// after every commit, so a Manager row added, changed or deleted takes
// effect at once.
#include <algorithm>

#include "grebe/stream/ssl.h"
#include "grebe/util/vlog.h"
#include "server.h"

VLOG_DEFINE_THIS_MODULE(ovsdb_server_remotes);

namespace grebe::ovsdb_server {

using namespace grebe::ovsdb;

namespace {

constexpr long long kDefaultProbeMsec = 5000;  // OVS's RECONNECT_DEFAULT_PROBE_INTERVAL

// OVS probes tcp and ssl peers by default, never unix ones.
bool needs_probes(const std::string& target) {
  return target.rfind("unix:", 0) != 0 && target.rfind("punix:", 0) != 0;
}

struct DbColumn {
  const Table* table = nullptr;
  const ColumnSchema* column = nullptr;
};

// The first value of a scalar or optional column, if it has one.
const Atom* first_key(const Row& row, const TableSchema& ts, const char* column, AtomicType type) {
  const ColumnSchema* c = ts.find_column(column);
  if (!c || c->type.key.type != type || c->type.value.type != AtomicType::kVoid) return nullptr;
  const Datum& d = row.fields[c->index];
  return d.keys.empty() ? nullptr : &d.keys[0];
}

}  // namespace

bool OvsdbServer::uses_db_config() const {
  auto is_db = [](const std::string& v) { return v.rfind("db:", 0) == 0; };
  return std::any_of(configured_remotes_.begin(), configured_remotes_.end(), is_db) ||
         std::any_of(ssl_options_.begin(), ssl_options_.end(),
                     [&](const auto& kv) { return is_db(kv.second); });
}

// Parses "db:DB,TABLE,COLUMN" against the served databases, or sets
// 'error' to OVS's text for what is wrong.
static DbColumn parse_db_column(const std::map<std::string, std::unique_ptr<ServedDb>>& dbs,
                                const std::string& name, std::string& error) {
  std::string rest = name.substr(name.find(':') + 1);
  std::vector<std::string> tokens;
  size_t start = 0;
  while (tokens.size() < 3) {
    size_t comma = rest.find(',', start);
    std::string tok = rest.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!tok.empty()) tokens.push_back(tok);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (tokens.size() < 3) {
    error = "\"" + name + "\": invalid syntax";
    return {};
  }
  auto it = dbs.find(tokens[0]);
  if (it == dbs.end()) {
    error = "\"" + name + "\": no database named " + tokens[0];
    return {};
  }
  const Table* table = it->second->db().table(tokens[1]);
  if (!table) {
    error = "\"" + name + "\": no table named " + tokens[1];
    return {};
  }
  const ColumnSchema* column = table->schema->find_column(tokens[2]);
  if (!column) {
    error = "\"" + name + "\": table \"" + tokens[1] + "\" has no column \"" + tokens[2] + "\"";
    return {};
  }
  return {table, column};
}

std::map<std::string, OvsdbServer::RemoteOptions> OvsdbServer::resolve_remotes(
    std::string& errors) const {
  std::map<std::string, RemoteOptions> out;
  auto add = [&](const std::string& target) -> RemoteOptions& {
    auto [it, fresh] = out.try_emplace(target);
    if (fresh) it->second.probe_interval_msec = needs_probes(target) ? kDefaultProbeMsec : 0;
    return it->second;
  };
  for (const std::string& name : configured_remotes_) {
    if (name.rfind("db:", 0) != 0) {
      add(name);
      continue;
    }
    std::string error;
    DbColumn dc = parse_db_column(dbs_, name, error);
    if (!dc.table) {
      errors += error + "\n";
      continue;
    }
    const Type& type = dc.column->type;
    if (type.key.type == AtomicType::kString && type.value.type == AtomicType::kVoid) {
      for (const auto& [uuid, row] : dc.table->rows) {
        for (const Atom& a : row->fields[dc.column->index].keys) add(std::get<std::string>(a));
      }
    } else if (type.key.type == AtomicType::kUuid && !type.key.ref_table.empty() &&
               type.value.type == AtomicType::kVoid) {
      // References to rows that name a target and its options (Manager).
      std::string db_name = name.substr(3, name.find(',') - 3);
      const Table* ref = dbs_.at(db_name)->db().table(type.key.ref_table);
      if (!ref) continue;
      for (const auto& [uuid, row] : dc.table->rows) {
        for (const Atom& a : row->fields[dc.column->index].keys) {
          const Row* r = ref->get(std::get<Uuid>(a));
          if (!r) continue;
          const TableSchema& ts = *ref->schema;
          const Atom* target = first_key(*r, ts, "target", AtomicType::kString);
          if (!target) {
            VLOG_INFO("Table `%s' has missing or invalid `target' column", ts.name.c_str());
            continue;
          }
          RemoteOptions& o = add(std::get<std::string>(*target));
          if (const Atom* v = first_key(*r, ts, "max_backoff", AtomicType::kInteger))
            o.max_backoff_msec = std::get<int64_t>(*v);
          if (const Atom* v = first_key(*r, ts, "inactivity_probe", AtomicType::kInteger))
            o.probe_interval_msec = std::get<int64_t>(*v);
          if (const Atom* v = first_key(*r, ts, "read_only", AtomicType::kBoolean))
            o.read_only = std::get<bool>(*v);
        }
      }
    } else {
      errors += "\"" + name + "\": type of table \"" + dc.table->schema->name + "\" column \"" +
                dc.column->name + "\" is not string or uuid, or set of strings or uuids\n";
    }
  }
  return out;
}

const std::string* OvsdbServer::query_db_string(const std::string& name,
                                                std::string& errors) const {
  std::string error;
  DbColumn dc = parse_db_column(dbs_, name, error);
  if (!dc.table) {
    errors += error + "\n";
    return nullptr;
  }
  const Type& type = dc.column->type;
  if (type.key.type != AtomicType::kString || type.value.type != AtomicType::kVoid) {
    errors += "\"" + name + "\": table \"" + dc.table->schema->name + "\" column \"" +
              dc.column->name + "\" is not string or set of strings\n";
    return nullptr;
  }
  for (const auto& [uuid, row] : dc.table->rows) {
    for (const Atom& a : row->fields[dc.column->index].keys) {
      const std::string& s = std::get<std::string>(a);
      if (!s.empty()) return &s;
    }
  }
  return nullptr;
}

Status OvsdbServer::add_remote(const std::string& name) {
  configured_remotes_.insert(name);
  std::string errors = reconfigure();
  auto it = listeners_.find(name);
  if (it != listeners_.end() && !it->second.pstream) return Error(EADDRNOTAVAIL, name + ": listen failed");
  return ok_status();
}

bool OvsdbServer::remove_remote(const std::string& name) {
  if (!configured_remotes_.erase(name)) return false;
  (void)reconfigure();
  return true;
}

std::vector<std::string> OvsdbServer::remotes() const {
  return {configured_remotes_.begin(), configured_remotes_.end()};
}

void OvsdbServer::set_ssl_option(const std::string& option, const std::string& value) {
  ssl_options_[option] = value;
}

std::string OvsdbServer::reconfigure() {
  std::string errors;
  auto wanted = resolve_remotes(errors);
  reconfigure_ssl(errors);  // first: new pssl: listeners need it
  set_listeners(wanted);
  if (errors != remotes_error_) {
    if (!errors.empty()) VLOG_WARN("%s", errors.substr(0, errors.size() - 1).c_str());
    remotes_error_ = errors;
  }
  return errors;
}

void OvsdbServer::reconfigure_ssl(std::string& errors) {
  std::map<std::string, std::string> resolved;
  for (const auto& [option, value] : ssl_options_) {
    if (value.rfind("db:", 0) != 0) {
      resolved[option] = value;
    } else if (const std::string* v = query_db_string(value, errors)) {
      resolved[option] = *v;
    }
  }
  if (resolved == ssl_applied_) return;
  auto get = [&](const char* o) {
    auto it = resolved.find(o);
    return it == resolved.end() ? std::string() : it->second;
  };
  auto changed = [&](const char* o) {
    auto a = resolved.find(o), b = ssl_applied_.find(o);
    return (a == resolved.end()) != (b == ssl_applied_.end()) ||
           (a != resolved.end() && a->second != b->second);
  };
  if (changed("private-key") || changed("certificate")) {
    std::string key = get("private-key"), cert = get("certificate");
    if (!key.empty() && !cert.empty()) (void)stream::ssl_set_key_and_cert(key, cert);
    else if (!key.empty()) (void)stream::ssl_set_private_key_file(key);
    else if (!cert.empty()) (void)stream::ssl_set_certificate_file(cert);
  }
  if (changed("ca-cert") || changed("bootstrap-ca-cert")) {
    if (std::string ca = get("ca-cert"); !ca.empty()) {
      (void)stream::ssl_set_ca_cert_file(ca, false);
    } else if (std::string boot = get("bootstrap-ca-cert"); !boot.empty()) {
      (void)stream::ssl_set_ca_cert_file(boot, true);
    }
  }
  for (const char* o : {"peer-ca-cert", "ssl-protocols", "ssl-ciphers"}) {
    if (changed(o) && !get(o).empty()) (void)stream::ssl_handle_option(o, get(o));
  }
  ssl_applied_ = std::move(resolved);
}

void OvsdbServer::set_listeners(const std::map<std::string, RemoteOptions>& wanted) {
  // Passive remotes no longer wanted stop listening (their sessions stay,
  // as in OVS); active ones are disconnected.
  for (auto it = listeners_.begin(); it != listeners_.end();) {
    if (wanted.count(it->first)) {
      ++it;
      continue;
    }
    if (it->second.watch) loop_.unwatch_fd(it->second.watch);
    it = listeners_.erase(it);
  }
  for (auto it = active_remotes_.begin(); it != active_remotes_.end();) {
    if (wanted.count(it->first)) {
      ++it;
      continue;
    }
    uint64_t id = it->second;
    it = active_remotes_.erase(it);
    drop_client(id);
  }
  for (const auto& [target, options] : wanted) {
    if (stream::PassiveStream::is_valid_name(target)) {
      auto it = listeners_.find(target);
      if (it == listeners_.end()) {
        (void)open_listener(target, options);
      } else if (!(it->second.options == options)) {
        it->second.options = options;
      } else {
        continue;
      }
    } else if (stream::Stream::is_valid_name(target)) {
      if (!active_remotes_.count(target)) {
        open_active(target, options);
        continue;
      }
    } else {
      VLOG_ERR("%s: unknown remote type", target.c_str());
      continue;
    }
    // New options apply to the sessions already made through this remote.
    for (auto& [id, c] : clients_) {
      if (c->remote != target) continue;
      c->read_only = options.read_only;
      c->session->set_probe_interval(options.probe_interval_msec);
      if (c->active) c->session->set_backoff(1000, std::max(1000LL, options.max_backoff_msec));
    }
  }
}

Status OvsdbServer::open_listener(const std::string& name, const RemoteOptions& options) {
  Listener& l = listeners_[name];
  l.name = name;
  l.options = options;
  auto ps = stream::PassiveStream::open_with_default_port(name, 6640);
  if (!ps.ok()) {
    VLOG_ERR("%s: listen failed: %s", name.c_str(), ps.error().message().c_str());
    return ps.error();
  }
  l.pstream = std::move(*ps);
  l.watch = loop_.watch_fd(l.pstream->fd(), event::kReadable, [this, name](uint32_t) {
    auto it = listeners_.find(name);
    if (it != listeners_.end()) accept_all(it->second);
  });
  return ok_status();
}

void OvsdbServer::open_active(const std::string& target, const RemoteOptions& options) {
  uint64_t id = next_client_id_++;
  auto c = std::make_unique<Client>();
  c->id = id;
  c->remote = target;
  c->active = true;
  c->read_only = options.read_only;
  jsonrpc::Session::Callbacks cb;
  cb.on_message = [this, id](jsonrpc::Message m) { on_message(id, std::move(m)); };
  // A lost connection ends the peer's monitors, locks and waiting
  // transactions; the session reconnects by itself.
  cb.on_disconnected = [this, id](const Error&) {
    auto it = clients_.find(id);
    if (it != clients_.end()) reset_client(*it->second);
  };
  jsonrpc::Session::Options opts;
  opts.probe_interval_msec = options.probe_interval_msec;
  opts.max_backoff_msec = std::max(1000LL, options.max_backoff_msec);
  c->session = std::make_unique<jsonrpc::Session>(loop_, std::vector<std::string>{target}, cb, opts);
  clients_[id] = std::move(c);
  active_remotes_[target] = id;
}

void OvsdbServer::reset_client(Client& c) {
  release_locks(c);
  c.monitors.clear();
  c.outbox.clear();
  c.updates_outbox.clear();
  c.db_change_aware = false;
  for (auto p = pending_.begin(); p != pending_.end();) {
    if (p->client == c.id) {
      loop_.cancel_timer(p->timer);
      p = pending_.erase(p);
    } else {
      ++p;
    }
  }
}

}  // namespace grebe::ovsdb_server

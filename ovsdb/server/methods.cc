// ovsdb-server's JSON-RPC methods (RFC 7047 plus OVS's extensions), with
// the error replies OVS's jsonrpc-server.c gives.
#include <algorithm>

#include "grebe/util/clock.h"
#include "grebe/util/vlog.h"
#include "ovsdb/core/execution.h"
#include "server.h"

VLOG_DEFINE_THIS_MODULE(ovsdb_server_methods);

namespace grebe::ovsdb_server {

using namespace grebe::ovsdb;
using jsonrpc::Message;

namespace {

Message error_msg(const OvsdbError& e, const Json& id) {
  return Message::error_reply(e.to_json(), id);
}

// OVS's ovsdb_parser_is_id(): [A-Za-z_][A-Za-z0-9_]*.
bool is_id(const std::string& s) {
  if (s.empty() || !(isalpha((unsigned char)s[0]) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(), [](char ch) { return isalnum((unsigned char)ch) || ch == '_'; });
}

}  // namespace

void OvsdbServer::handle_request(Client& c, const Message& req) {
  const std::string& m = req.method;
  if (m == "transact") {
    if (ServedDb* sdb = lookup_db(c, req)) do_transact(c, req.id, sdb->name, req.params, time_msec());
  } else if (m == "monitor" || m == "monitor_cond" || m == "monitor_cond_since") {
    do_monitor(c, req);
  } else if (m == "monitor_cond_change") {
    do_monitor_cond_change(c, req);
  } else if (m == "monitor_cancel") {
    do_monitor_cancel(c, req);
  } else if (m == "get_schema") {
    if (ServedDb* sdb = lookup_db(c, req)) {
      send(c, Message::reply(sdb->db().schema().to_json(), req.id));
    }
  } else if (m == "list_dbs") {
    Json names = Json::array();
    for (const std::string& n : db_names()) names.push_back(n);
    send(c, Message::reply(names, req.id));
  } else if (m == "get_server_id") {
    send(c, Message::reply(server_id_.to_string(), req.id));
  } else if (m == "set_db_change_aware") {
    c.db_change_aware = req.params.is_array() && req.params.size() == 1 &&
                        req.params[0].is_boolean() && req.params[0].get<bool>();
    send(c, Message::reply(Json::object(), req.id));
  } else if (m == "lock" || m == "steal") {
    do_lock(c, req, m == "steal");
  } else if (m == "unlock") {
    do_unlock(c, req);
  } else if (m == "echo") {
    send(c, Message::reply(req.params, req.id));
  } else if (m == "convert") {
    send(c, Message::error_reply("unknown method", req.id));
  } else {
    send(c, Message::error_reply("unknown method", req.id));
  }
}

void OvsdbServer::do_transact(Client& c, const Json& id, const std::string& db_name,
                              const Json& params, long long start_msec) {
  ServedDb& sdb = *dbs_[db_name];
  ExecOptions exec;
  exec.elapsed_msec = time_msec() - start_msec;
  exec.can_retry_wait = true;
  exec.read_only = c.read_only;
  uint64_t cid = c.id;
  exec.lock_held = [this, cid](const std::string& lock) { return owns_lock(cid, lock); };
  Composed composed = compose_transaction(sdb.db(), params, exec);
  if (composed.results.is_null()) {
    PendingTxn p{cid, id, db_name, params, start_msec, 0};
    if (composed.retry_timeout_msec) {
      long long when = start_msec + *composed.retry_timeout_msec;
      Json id_copy = id;
      p.timer = loop_.add_timer_at(when, [this, cid, id_copy, db_name] {
        for (auto it = pending_.begin(); it != pending_.end(); ++it) {
          if (it->client == cid && it->id == id_copy) {
            PendingTxn t = std::move(*it);
            pending_.erase(it);
            auto cit = clients_.find(cid);
            if (cit != clients_.end()) do_transact(*cit->second, t.id, t.db, t.params, t.start_msec);
            return;
          }
        }
      });
    }
    pending_.push_back(std::move(p));
    return;
  }
  Json results = std::move(composed.results);
  if (composed.txn) {
    auto changes = composed.txn->precommit();
    if (!changes.ok()) {
      results.push_back(changes.error().to_json());
    } else if (!changes->empty()) {
      auto st = commit_changes(sdb, std::move(*changes), composed.durable);
      if (!st.ok()) results.push_back(st.error().to_json());
    }
  }
  // A bare error object (malformed params) is an error reply, as in OVS.
  if (results.is_object()) {
    send(c, Message::error_reply(results, id));
  } else {
    send(c, Message::reply(results, id));
  }
  if (composed.txn) retry_pending(db_name);
}

void OvsdbServer::retry_pending(const std::string& db) {
  std::deque<PendingTxn> todo;
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (it->db == db) {
      todo.push_back(std::move(*it));
      it = pending_.erase(it);
    } else {
      ++it;
    }
  }
  for (PendingTxn& t : todo) {
    loop_.cancel_timer(t.timer);
    auto cit = clients_.find(t.client);
    if (cit != clients_.end()) do_transact(*cit->second, t.id, t.db, t.params, t.start_msec);
  }
}

void OvsdbServer::do_cancel(Client& c, const Message& req) {
  if (!req.params.is_array() || req.params.size() != 1) return;
  for (auto it = pending_.begin(); it != pending_.end(); ++it) {
    if (it->client == c.id && it->id == req.params[0]) {
      loop_.cancel_timer(it->timer);
      Json id = it->id;
      pending_.erase(it);
      send(c, Message::error_reply("canceled", id));
      return;
    }
  }
}

void OvsdbServer::do_monitor(Client& c, const Message& req) {
  ServedDb* sdb = lookup_db(c, req);
  if (!sdb) return;
  bool since = req.method == "monitor_cond_since";
  MonitorVersion version = req.method == "monitor"        ? MonitorVersion::kV1
                           : req.method == "monitor_cond" ? MonitorVersion::kV2
                                                          : MonitorVersion::kV3;
  if (req.params.size() != (since ? 4u : 3u)) {
    send(c, error_msg(syntax_error(&req.params, nullptr, "invalid parameters"), req.id));
    return;
  }
  const Json& mid = req.params[1];
  std::string key = json_to_string(mid);
  if (c.monitors.count(key)) {
    send(c, error_msg(syntax_error(&mid, nullptr, "duplicate monitor ID"), req.id));
    return;
  }
  if (since) {
    const Json& last = req.params[3];
    if (!last.is_string()) {
      send(c, error_msg(syntax_error(&last, nullptr, "last-txn-id must be string"), req.id));
      return;
    }
    if (!Uuid::from_string(last.get<std::string>())) {
      send(c, error_msg(syntax_error(&last, nullptr, "last-txn-id must be UUID format."), req.id));
      return;
    }
  }
  auto mon = Monitor::from_json(sdb->db().schema(), req.params[2], version);
  if (!mon.ok()) {
    send(c, error_msg(mon.error(), req.id));
    return;
  }
  auto monitor = std::make_unique<Monitor>(std::move(*mon));
  Json initial;
  if (since) {
    // Only the changes since the client's last transaction if the history
    // still has it (see ovsdb/core/history.h), else everything.
    std::optional<ChangeSet> delta;
    Uuid last = *Uuid::from_string(req.params[3].get<std::string>());
    if (!last.is_zero()) delta = sdb->history.changes_after(last);
    initial = Json::array({bool(delta), sdb->history.last_id().to_string(),
                           delta ? monitor->updates(*delta) : monitor->initial(sdb->db())});
  } else {
    initial = monitor->initial(sdb->db());
  }
  c.monitors[key] = MonitorEntry{sdb->name, std::move(monitor), mid};
  send(c, Message::reply(initial, req.id));
}

void OvsdbServer::do_monitor_cond_change(Client& c, const Message& req) {
  if (!req.params.is_array() || req.params.size() != 3) {
    send(c, error_msg(syntax_error(&req.params, nullptr, "invalid parameters"), req.id));
    return;
  }
  auto it = c.monitors.find(json_to_string(req.params[0]));
  if (it == c.monitors.end()) {
    send(c, error_msg(syntax_error(&req.params[0], nullptr, "unknown monitor session"), req.id));
    return;
  }
  std::string new_key = json_to_string(req.params[1]);
  if (new_key != it->first && c.monitors.count(new_key)) {
    send(c, error_msg(syntax_error(&req.params[1], nullptr, "duplicate monitor ID"), req.id));
    return;
  }
  MonitorEntry& m = it->second;
  if (m.monitor->version() == MonitorVersion::kV1) {
    send(c, error_msg(syntax_error(nullptr, nullptr,
                                   "Monitor conditional change is only supported for "
                                   "monitor_cond and monitor_cond_since requests"),
                      req.id));
    return;
  }
  Json updates;
  auto st = m.monitor->change_conditions(req.params[2], dbs_[m.db]->db(), &updates);
  if (!st.ok()) {
    send(c, error_msg(st.error(), req.id));
    return;
  }
  if (new_key != it->first) {
    MonitorEntry moved = std::move(m);
    moved.id = req.params[1];
    c.monitors.erase(it);
    it = c.monitors.emplace(new_key, std::move(moved)).first;
  }
  send(c, Message::reply(Json::object(), req.id));
  if (updates.is_object() && !updates.empty()) {
    const MonitorEntry& e = it->second;
    Json params = e.monitor->version() == MonitorVersion::kV3
                      ? Json::array({e.id, dbs_[e.db]->history.last_id().to_string(), updates})
                      : Json::array({e.id, updates});
    send(c, Message::notify(e.monitor->version() == MonitorVersion::kV3 ? "update3" : "update2",
                            params));
  }
}

void OvsdbServer::do_monitor_cancel(Client& c, const Message& req) {
  if (!req.params.is_array() || req.params.size() != 1) {
    send(c, error_msg(syntax_error(&req.params, nullptr, "invalid parameters"), req.id));
    return;
  }
  auto it = c.monitors.find(json_to_string(req.params[0]));
  if (it == c.monitors.end()) {
    send(c, Message::error_reply("unknown monitor", req.id));
    return;
  }
  c.monitors.erase(it);
  send(c, Message::reply(Json::object(), req.id));
}

bool OvsdbServer::owns_lock(uint64_t client, const std::string& lock) const {
  auto it = locks_.find(lock);
  return it != locks_.end() && !it->second.empty() && it->second.front() == client;
}

void OvsdbServer::do_lock(Client& c, const Message& req, bool steal) {
  if (!req.params.is_array() || req.params.size() != 1 || !req.params[0].is_string() ||
      !is_id(req.params[0].get<std::string>())) {
    send(c, error_msg(syntax_error(&req.params, nullptr, "%s request params must be <id>",
                                   req.method.c_str()),
                      req.id));
    return;
  }
  std::string name = req.params[0].get<std::string>();
  if (c.locks.count(name)) {
    send(c, error_msg(syntax_error(&req.params, nullptr, "must issue \"unlock\" before new \"%s\"",
                                   req.method.c_str()),
                      req.id));
    return;
  }
  auto& waiters = locks_[name];
  c.locks.insert(name);
  if (steal) {
    if (!waiters.empty()) {
      auto victim = clients_.find(waiters.front());
      if (victim != clients_.end()) {
        send(*victim->second, Message::notify("stolen", Json::array({name})));
      }
    }
    waiters.push_front(c.id);
  } else {
    waiters.push_back(c.id);
  }
  send(c, Message::reply({{"locked", waiters.front() == c.id}}, req.id));
}

void OvsdbServer::do_unlock(Client& c, const Message& req) {
  if (!req.params.is_array() || req.params.size() != 1 || !req.params[0].is_string() ||
      !is_id(req.params[0].get<std::string>())) {
    send(c, error_msg(syntax_error(&req.params, nullptr, "%s request params must be <id>",
                                   req.method.c_str()),
                      req.id));
    return;
  }
  std::string name = req.params[0].get<std::string>();
  if (!c.locks.count(name)) {
    send(c, error_msg(syntax_error(&req.params, nullptr, "\"unlock\" without \"lock\" or \"steal\""),
                      req.id));
    return;
  }
  c.locks.erase(name);
  auto& waiters = locks_[name];
  bool was_owner = !waiters.empty() && waiters.front() == c.id;
  waiters.erase(std::remove(waiters.begin(), waiters.end(), c.id), waiters.end());
  if (was_owner && !waiters.empty()) {
    auto next = clients_.find(waiters.front());
    if (next != clients_.end()) send(*next->second, Message::notify("locked", Json::array({name})));
  }
  if (waiters.empty()) locks_.erase(name);
  send(c, Message::reply(Json::object(), req.id));
}

void OvsdbServer::release_locks(Client& c) {
  for (const std::string& name : c.locks) {
    auto& waiters = locks_[name];
    bool was_owner = !waiters.empty() && waiters.front() == c.id;
    waiters.erase(std::remove(waiters.begin(), waiters.end(), c.id), waiters.end());
    if (was_owner && !waiters.empty()) {
      auto next = clients_.find(waiters.front());
      if (next != clients_.end()) send(*next->second, Message::notify("locked", Json::array({name})));
    }
    if (waiters.empty()) locks_.erase(name);
  }
  c.locks.clear();
}

}  // namespace grebe::ovsdb_server

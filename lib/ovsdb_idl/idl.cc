// Idl: OVSDB client protocol (server check, monitor with fallbacks,
// notifications, transactions) over a Replica, without I/O.
#include "grebe/ovsdb_idl/idl.h"

#include "grebe/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(ovsdb_cs);

namespace grebe::ovsdb_idl {

using jsonrpc::Message;

namespace {
const char* const kZeroUuid = "00000000-0000-0000-0000-000000000000";

std::string id_key(const Json& id) { return ovsdb::json_to_string(id); }

bool is_unknown_method(const Message& msg) {
  return msg.type == Message::Type::kError && msg.error.is_string() &&
         msg.error.get<std::string>() == "unknown method";
}
}  // namespace

Idl::Idl(std::shared_ptr<const ovsdb::DatabaseSchema> schema) : replica_(std::move(schema)) {}

void Idl::monitor_only(const std::map<std::string, std::set<std::string>>& tables) {
  monitored_ = tables;
}

void Idl::set_condition(const std::string& table, const Json& clauses) {
  conditions_[table] = clauses;
  if (state_ != State::kMonitoring || method_ == MonitorMethod::kPlain) return;
  Json reqs = Json::object();
  reqs[table] = Json::array({Json{{"where", clauses}}});
  send(Message::request("monitor_cond_change", Json::array({monitor_id_, monitor_id_, reqs})));
}

void Idl::send(Message msg) { output_.push_back(std::move(msg)); }

std::vector<Message> Idl::take_output() {
  std::vector<Message> out;
  out.swap(output_);
  return out;
}

void Idl::on_connected() {
  wants_reconnect_ = false;
  method_ = MonitorMethod::kCondSince;
  if (check_server_) {
    send_server_check();
  } else {
    send_monitor();
  }
}

void Idl::on_disconnected() {
  state_ = State::kIdle;
  epochs_++;
  output_.clear();
  for (auto& [id, txn] : txns_) txn->set_status(TxnStatus::kTryAgain);
  txns_.clear();
}

void Idl::send_server_check() {
  state_ = State::kServerCheck;
  Json select = {{"op", "select"},
                 {"table", "Database"},
                 {"where", Json::array({Json::array({"name", "==", db_name()})})},
                 {"columns", Json::array({"name", "model", "connected", "leader"})}};
  Message req = Message::request("transact", Json::array({"_Server", select}));
  server_id_ = req.id;
  send(std::move(req));
}

Json Idl::monitor_requests() const {
  Json reqs = Json::object();
  for (const auto& [name, ts] : replica_.schema().tables) {
    const std::set<std::string>* only = nullptr;
    if (!monitored_.empty()) {
      auto it = monitored_.find(name);
      if (it == monitored_.end()) continue;
      if (!it->second.empty()) only = &it->second;
    }
    Json columns = Json::array();
    for (const auto& col : ts.columns) {
      if (col.index < ovsdb::kNumStdColumns) continue;
      if (only && !only->count(col.name)) continue;
      columns.push_back(col.name);
    }
    Json req = {{"columns", columns}};
    auto cond = conditions_.find(name);
    if (cond != conditions_.end() && method_ != MonitorMethod::kPlain) req["where"] = cond->second;
    reqs[name] = Json::array({req});
  }
  return reqs;
}

void Idl::send_monitor() {
  state_ = State::kMonitorRequested;
  monitor_id_ = Json::array({"monid", db_name()});
  Message req;
  switch (method_) {
    case MonitorMethod::kCondSince:
      req = Message::request("monitor_cond_since",
                             Json::array({db_name(), monitor_id_, monitor_requests(),
                                          last_id_.empty() ? kZeroUuid : last_id_}));
      break;
    case MonitorMethod::kCond:
      req = Message::request("monitor_cond",
                             Json::array({db_name(), monitor_id_, monitor_requests()}));
      break;
    case MonitorMethod::kPlain:
      req = Message::request("monitor", Json::array({db_name(), monitor_id_, monitor_requests()}));
      break;
  }
  monitor_request_id_ = req.id;
  send(std::move(req));
}

void Idl::fail_protocol(const std::string& what) {
  VLOG_WARN("%s", what.c_str());
  wants_reconnect_ = true;
}

void Idl::receive(const Message& msg) {
  switch (msg.type) {
    case Message::Type::kRequest:
      if (msg.method == "echo") send(Message::reply(msg.params, msg.id));
      return;
    case Message::Type::kNotify:
      handle_notify(msg);
      return;
    case Message::Type::kReply:
    case Message::Type::kError:
      handle_reply(msg);
      return;
  }
}

void Idl::handle_reply(const Message& msg) {
  if (state_ == State::kServerCheck && msg.id == server_id_) {
    handle_server_reply(msg);
    return;
  }
  if (state_ == State::kMonitorRequested && msg.id == monitor_request_id_) {
    handle_monitor_reply(msg);
    return;
  }
  auto it = txns_.find(id_key(msg.id));
  if (it == txns_.end()) return;  // e.g. a monitor_cond_change reply
  Txn* txn = it->second;
  txns_.erase(it);
  if (msg.type == Message::Type::kError) {
    txn->process_error(msg.error);
  } else {
    txn->process_reply(msg.result);
  }
}

void Idl::handle_server_reply(const Message& msg) {
  // Servers without _Server (or errors) are accepted as they are.
  const Json& r = msg.result;
  if (msg.type == Message::Type::kReply && r.is_array() && r.size() == 1 && r[0].is_object() &&
      r[0].contains("rows") && r[0]["rows"].is_array()) {
    const Json& rows = r[0]["rows"];
    if (rows.empty()) {
      // A server that just started may not list its databases in _Server
      // yet, and a clustered one may be joining: try again (as OVS does).
      fail_protocol("server does not have " + db_name() + " database");
      return;
    }
    const Json& row = rows[0];
    if (row.value("model", Json("")) == Json("clustered")) {
      if (row.value("connected", Json(true)) != Json(true)) {
        fail_protocol(db_name() + " database is not connected to its cluster");
        return;
      }
      if (leader_only_ && row.value("leader", Json(true)) != Json(true)) {
        fail_protocol(db_name() + " database is not the cluster leader");
        return;
      }
    }
  }
  send_monitor();
}

void Idl::handle_monitor_reply(const Message& msg) {
  if (msg.type == Message::Type::kError) {
    if (is_unknown_method(msg) && method_ != MonitorMethod::kPlain) {
      method_ = method_ == MonitorMethod::kCondSince ? MonitorMethod::kCond : MonitorMethod::kPlain;
      send_monitor();
      return;
    }
    fatal_ = "monitor request failed: " + ovsdb::json_to_string(msg.error);
    return;
  }
  ovsdb::OStatus st;
  if (method_ == MonitorMethod::kCondSince) {
    const Json& r = msg.result;
    if (!r.is_array() || r.size() != 3 || !r[0].is_boolean() || !r[1].is_string()) {
      fail_protocol("bad monitor_cond_since reply");
      return;
    }
    bool found = r[0].get<bool>();
    last_id_ = r[1].get<std::string>();
    if (found) {
      st = replica_.apply_update2(r[2]);
    } else {
      replica_.begin_resync();
      st = replica_.apply_update2(r[2]);
      replica_.end_resync();
    }
  } else {
    replica_.begin_resync();
    st = method_ == MonitorMethod::kCond ? replica_.apply_update2(msg.result)
                                         : replica_.apply_update(msg.result);
    replica_.end_resync();
  }
  if (!st.ok()) {
    fail_protocol("bad monitor reply: " + st.error().to_string());
    return;
  }
  state_ = State::kMonitoring;
  epochs_++;
}

void Idl::handle_notify(const Message& msg) {
  const Json& p = msg.params;
  if (msg.method == "monitor_canceled") {
    if (state_ == State::kMonitoring) send_monitor();
    return;
  }
  if (state_ != State::kMonitoring || !p.is_array() || p.empty() || p[0] != monitor_id_) return;
  ovsdb::OStatus st;
  if (msg.method == "update" && p.size() == 2) {
    st = replica_.apply_update(p[1]);
  } else if (msg.method == "update2" && p.size() == 2) {
    st = replica_.apply_update2(p[1]);
  } else if (msg.method == "update3" && p.size() == 3 && p[1].is_string()) {
    st = replica_.apply_update2(p[2]);
    last_id_ = p[1].get<std::string>();
  } else {
    return;
  }
  if (!st.ok()) fail_protocol("bad " + msg.method + " notification: " + st.error().to_string());
}

TxnStatus Idl::submit(Txn& txn) {
  std::optional<Json> params = txn.build_request(db_name());
  if (!params) return txn.status();
  if (state_ != State::kMonitoring) {
    txn.set_status(TxnStatus::kTryAgain);
    return TxnStatus::kTryAgain;
  }
  Message req = Message::request("transact", std::move(*params));
  txns_[id_key(req.id)] = &txn;
  send(std::move(req));
  return TxnStatus::kIncomplete;
}

}  // namespace grebe::ovsdb_idl

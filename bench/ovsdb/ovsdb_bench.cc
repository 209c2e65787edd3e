// ovsdb-bench: a load generator for any OVSDB server serving the
// Open_vSwitch schema (ours or Open vSwitch's), over the real JSON-RPC wire.
//
//   ovsdb-bench txn    REMOTE IN_FLIGHT COUNT   transactions per second
//   ovsdb-bench fanout REMOTE CLIENTS COUNT     monitor updates delivered per second
//   ovsdb-bench fill   REMOTE N_BRIDGES         one transaction adding N bridges (+1 port each)
//
// Prints one line "key=value ..." for bench/ovsdb/run.sh to read.  Every
// transaction's reply is checked; any error fails the run (exit 1).
#include <poll.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "grebe/jsonrpc/connection.h"
#include "grebe/stream/stream.h"

using grebe::jsonrpc::Connection;
using grebe::jsonrpc::Json;
using grebe::jsonrpc::Message;

namespace {

double now_sec() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "ovsdb-bench: %s\n", what.c_str());
  std::exit(1);
}

std::unique_ptr<Connection> connect(const std::string& remote) {
  auto s = grebe::stream::Stream::open_block(remote, 10'000);
  if (!s.ok()) die(remote + ": " + s.error().to_string());
  return std::make_unique<Connection>(std::move(*s));
}

// Waits until `conn` has a message and returns it.
Message recv_one(Connection& conn) {
  for (;;) {
    auto m = conn.recv();
    if (!m.ok()) die("receive: " + m.error().to_string());
    if (*m) return std::move(**m);
    pollfd pfd{conn.fd(), static_cast<short>(POLLIN | (conn.backlog() ? POLLOUT : 0)), 0};
    ::poll(&pfd, 1, 1000);
    (void)conn.run();
  }
}

void check_reply(const Message& m) {
  if (m.type != Message::Type::kReply) die("unexpected " + m.to_string());
  for (const auto& op : m.result)
    if (op.is_object() && op.contains("error")) die("transaction failed: " + m.to_string());
}

Json bump_txn(long i) {
  // One committed change per transaction, as a controller or vswitchd makes.
  return Json::array({"Open_vSwitch",
                      {{"op", "update"},
                       {"table", "Open_vSwitch"},
                       {"where", Json::array()},
                       {"row", {{"external_ids", Json::array({"map", Json::array({Json::array(
                                                   {"bench", std::to_string(i)})})})}}}}});
}

void init_db(Connection& conn) {
  // Ensure the Open_vSwitch root row exists (ovs-vsctl init).
  Json select = Json::array({"Open_vSwitch", {{"op", "select"}, {"table", "Open_vSwitch"},
                                              {"where", Json::array()}}});
  auto r = conn.transact_block(Message::request("transact", select), 10'000);
  if (!r.ok()) die("select: " + r.error().to_string());
  if (!r->result.empty() && r->result[0].contains("rows") && !r->result[0]["rows"].empty()) return;
  Json insert = Json::array({"Open_vSwitch", {{"op", "insert"}, {"table", "Open_vSwitch"},
                                              {"row", Json::object()}}});
  auto ins = conn.transact_block(Message::request("transact", insert), 10'000);
  if (!ins.ok()) die("insert: " + ins.error().to_string());
  check_reply(*ins);
}

int run_txn(const std::string& remote, long in_flight, long count) {
  auto conn = connect(remote);
  init_db(*conn);
  long sent = 0, done = 0;
  double start = now_sec();
  while (done < count) {
    while (sent < count && sent - done < in_flight) {
      if (!conn->send(Message::request("transact", bump_txn(sent))).ok()) die("send failed");
      sent++;
    }
    Message m = recv_one(*conn);
    if (m.type == Message::Type::kRequest && m.method == "echo") {
      (void)conn->send(Message::reply(m.params, m.id));
      continue;
    }
    check_reply(m);
    done++;
  }
  double secs = now_sec() - start;
  std::printf("mode=txn in_flight=%ld count=%ld seconds=%.3f per_sec=%.0f\n", in_flight, count,
              secs, count / secs);
  return 0;
}

int run_fanout(const std::string& remote, long n_clients, long count) {
  auto writer = connect(remote);
  init_db(*writer);
  std::vector<std::unique_ptr<Connection>> clients;
  Json monitor_req = {{"Open_vSwitch", {{"columns", Json::array({"external_ids"})}}}};
  for (long i = 0; i < n_clients; i++) {
    clients.push_back(connect(remote));
    auto r = clients.back()->transact_block(
        Message::request("monitor", Json::array({"Open_vSwitch", nullptr, monitor_req})), 10'000);
    if (!r.ok() || r->type != Message::Type::kReply) die("monitor failed");
  }
  // Clients read as updates arrive (a server may hold back updates for a
  // client that does not read), so drain them after every transaction.
  std::vector<long> seen(clients.size(), 0);
  auto drain = [&](size_t k, bool block) {
    Connection& c = *clients[k];
    for (;;) {
      auto m = c.recv();
      if (!m.ok()) die("receive: " + m.error().to_string());
      if (!*m) {
        if (!block || seen[k] >= count) return;
        pollfd pfd{c.fd(), POLLIN, 0};
        ::poll(&pfd, 1, 1000);
        continue;
      }
      if ((*m)->type == Message::Type::kNotify && (*m)->method == "update") seen[k]++;
      else if ((*m)->type == Message::Type::kRequest && (*m)->method == "echo")
        (void)c.send(Message::reply((*m)->params, (*m)->id));
      if (block && seen[k] >= count) return;
    }
  };
  double start = now_sec();
  for (long i = 0; i < count; i++) {
    auto r = writer->transact_block(Message::request("transact", bump_txn(1'000'000 + i)), 10'000);
    if (!r.ok()) die("transact: " + r.error().to_string());
    check_reply(*r);
    for (size_t k = 0; k < clients.size(); k++) drain(k, false);
  }
  long delivered = 0;
  for (size_t k = 0; k < clients.size(); k++) {
    drain(k, true);
    delivered += seen[k];
  }
  double secs = now_sec() - start;
  std::printf("mode=fanout clients=%ld count=%ld seconds=%.3f updates_per_sec=%.0f\n", n_clients,
              count, secs, delivered / secs);
  return 0;
}

int run_fill(const std::string& remote, long n_bridges) {
  auto conn = connect(remote);
  init_db(*conn);
  Json ops = Json::array({"Open_vSwitch"});
  Json bridge_refs = Json::array();
  for (long i = 0; i < n_bridges; i++) {
    std::string b = "br" + std::to_string(i), p = "p" + std::to_string(i);
    std::string ib = "iface" + std::to_string(i), pb = "port" + std::to_string(i),
                bb = "bridge" + std::to_string(i);
    ops.push_back({{"op", "insert"}, {"table", "Interface"}, {"uuid-name", ib},
                   {"row", {{"name", p}, {"type", "internal"}}}});
    ops.push_back({{"op", "insert"}, {"table", "Port"}, {"uuid-name", pb},
                   {"row", {{"name", p}, {"interfaces", Json::array({"named-uuid", ib})}}}});
    ops.push_back({{"op", "insert"}, {"table", "Bridge"}, {"uuid-name", bb},
                   {"row", {{"name", b}, {"ports", Json::array({"named-uuid", pb})}}}});
    bridge_refs.push_back(Json::array({"named-uuid", bb}));
  }
  ops.push_back({{"op", "mutate"}, {"table", "Open_vSwitch"}, {"where", Json::array()},
                 {"mutations", Json::array({Json::array(
                                   {"bridges", "insert", Json::array({"set", bridge_refs})})})}});
  double start = now_sec();
  auto r = conn->transact_block(Message::request("transact", ops), 120'000);
  if (!r.ok()) die("fill: " + r.error().to_string());
  check_reply(*r);
  std::printf("mode=fill bridges=%ld seconds=%.3f\n", n_bridges, now_sec() - start);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr,
                 "usage: ovsdb-bench txn REMOTE IN_FLIGHT COUNT\n"
                 "       ovsdb-bench fanout REMOTE CLIENTS COUNT\n"
                 "       ovsdb-bench fill REMOTE N_BRIDGES\n");
    return 2;
  }
  std::string mode = argv[1], remote = argv[2];
  long a = std::atol(argv[3]);
  long b = argc > 4 ? std::atol(argv[4]) : 0;
  if (mode == "txn" && a > 0 && b > 0) return run_txn(remote, a, b);
  if (mode == "fanout" && a > 0 && b > 0) return run_fanout(remote, a, b);
  if (mode == "fill" && a > 0) return run_fill(remote, a);
  std::fprintf(stderr, "ovsdb-bench: bad arguments\n");
  return 2;
}

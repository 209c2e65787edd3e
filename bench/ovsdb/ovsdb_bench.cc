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

// A lean JSON-RPC peer for the hot loops: requests are preformatted text and
// replies are framed by brace counting and checked by substring, so the
// load generator costs far less per transaction than the server under test
// (with a full JSON library on this side the client, not the server, would
// set the rate).  Anything unexpected is parsed properly and reported.
class RawConn {
 public:
  explicit RawConn(std::unique_ptr<grebe::stream::Stream> s) : s_(std::move(s)) {}

  void send(const std::string& text) {
    size_t off = 0;
    while (off < text.size()) {
      auto n = s_->send(text.data() + off, text.size() - off);
      if (n.ok()) {
        off += *n;
      } else if (n.error().would_block()) {
        pollfd pfd{s_->fd(), POLLOUT, 0};
        ::poll(&pfd, 1, 1000);
      } else {
        die("send: " + n.error().to_string());
      }
    }
  }
  // Reads what is available (waiting up to 'timeout_msec' for the first
  // byte) and calls fn(message_text) for each complete message.
  template <typename Fn>
  void receive(int timeout_msec, Fn&& fn) {
    char buf[65536];
    auto n = s_->recv(buf, sizeof buf);
    if (!n.ok() && n.error().would_block()) {
      if (timeout_msec == 0) return;
      pollfd pfd{s_->fd(), POLLIN, 0};
      ::poll(&pfd, 1, timeout_msec);
      n = s_->recv(buf, sizeof buf);
      if (!n.ok() && n.error().would_block()) return;
    }
    if (!n.ok()) die("receive: " + n.error().to_string());
    if (*n == 0) die("receive: connection closed by server");
    for (size_t i = 0; i < *n; i++) {
      char c = buf[i];
      if (depth_ > 0) msg_ += c;
      if (in_string_) {
        if (escape_) escape_ = false;
        else if (c == '\\') escape_ = true;
        else if (c == '"') in_string_ = false;
      } else if (c == '"') {
        in_string_ = true;
      } else if (c == '{' || c == '[') {
        if (depth_++ == 0) msg_.assign(1, c);
      } else if ((c == '}' || c == ']') && --depth_ == 0) {
        fn(std::string_view(msg_));
        msg_.clear();
      }
    }
  }
  // Answers an "echo" request in 'text'; true if it was one.
  bool answer_echo(std::string_view text) {
    if (text.find(R"("method":"echo")") == std::string_view::npos) return false;
    Json j = Json::parse(text);
    send(Json{{"id", j["id"]}, {"result", j["params"]}, {"error", nullptr}}.dump());
    return true;
  }

 private:
  std::unique_ptr<grebe::stream::Stream> s_;
  std::string msg_;
  int depth_ = 0;
  bool in_string_ = false, escape_ = false;
};

std::unique_ptr<RawConn> connect_raw(const std::string& remote) {
  auto s = grebe::stream::Stream::open_block(remote, 10'000);
  if (!s.ok()) die(remote + ": " + s.error().to_string());
  return std::make_unique<RawConn>(std::move(*s));
}

// One committed change per transaction, as a controller or vswitchd makes:
// external_ids:bench=i in the root row, request id 'i'.
std::string bump_txn_text(long i) {
  return R"({"id":)" + std::to_string(i) +
         R"(,"method":"transact","params":["Open_vSwitch",{"op":"update","table":"Open_vSwitch",)"
         R"("where":[],"row":{"external_ids":["map",[["bench",")" +
         std::to_string(i) + R"("]]]}}]})";
}

// A successful reply to one bump_txn (both servers write it this way).
bool is_bump_success(std::string_view reply) {
  return reply.find(R"("result":[{"count":1}])") != std::string_view::npos;
}

std::unique_ptr<Connection> connect(const std::string& remote) {
  auto s = grebe::stream::Stream::open_block(remote, 10'000);
  if (!s.ok()) die(remote + ": " + s.error().to_string());
  return std::make_unique<Connection>(std::move(*s));
}

void check_reply(const Message& m) {
  if (m.type != Message::Type::kReply) die("unexpected " + m.to_string());
  for (const auto& op : m.result)
    if (op.is_object() && op.contains("error")) die("transaction failed: " + m.to_string());
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
  {
    auto setup = connect(remote);
    init_db(*setup);
  }
  auto conn = connect_raw(remote);
  long sent = 0, done = 0;
  std::string batch;
  double start = now_sec();
  while (done < count) {
    batch.clear();
    while (sent < count && sent - done < in_flight) batch += bump_txn_text(sent++);
    if (!batch.empty()) conn->send(batch);
    conn->receive(1000, [&](std::string_view m) {
      if (conn->answer_echo(m)) return;
      if (!is_bump_success(m)) die("transaction failed: " + std::string(m));
      done++;
    });
  }
  double secs = now_sec() - start;
  std::printf("mode=txn in_flight=%ld count=%ld seconds=%.3f per_sec=%.0f\n", in_flight, count,
              secs, count / secs);
  return 0;
}

int run_fanout(const std::string& remote, long n_clients, long count) {
  auto writer = connect(remote);
  init_db(*writer);
  std::vector<std::unique_ptr<RawConn>> clients;
  Json monitor_req = {{"Open_vSwitch", {{"columns", Json::array({"external_ids"})}}}};
  for (long i = 0; i < n_clients; i++) {
    clients.push_back(connect_raw(remote));
    clients.back()->send(
        Message::request("monitor", Json::array({"Open_vSwitch", nullptr, monitor_req}), Json(0))
            .to_string());
    bool replied = false;
    while (!replied) {
      clients.back()->receive(10'000, [&](std::string_view m) {
        if (m.find(R"("result")") == std::string_view::npos) die("monitor failed: " + std::string(m));
        replied = true;
      });
    }
  }
  auto raw_writer = connect_raw(remote);
  // Clients read as updates arrive (a server may hold back updates for a
  // client that does not read), so drain them after every transaction.
  std::vector<long> seen(clients.size(), 0);
  auto drain = [&](size_t k, bool block) {
    RawConn& c = *clients[k];
    if (block && seen[k] >= count) return;
    do {
      c.receive(block ? 1000 : 0, [&](std::string_view m) {
        if (m.find(R"("method":"update")") != std::string_view::npos) seen[k]++;
        else c.answer_echo(m);
      });
    } while (block && seen[k] < count);
  };
  double start = now_sec();
  for (long i = 0; i < count; i++) {
    raw_writer->send(bump_txn_text(1'000'000 + i));
    bool replied = false;
    while (!replied) {
      raw_writer->receive(10'000, [&](std::string_view m) {
        if (raw_writer->answer_echo(m)) return;
        if (!is_bump_success(m)) die("transaction failed: " + std::string(m));
        replied = true;
      });
    }
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

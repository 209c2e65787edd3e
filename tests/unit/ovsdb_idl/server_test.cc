// The IDL against a real ovsdb-server (ours, from this build, by default;
// GREBE_OVSDB_SERVER and GREBE_OVSDB_TOOL select another, e.g. stock's): replica consistency under
// concurrent writers, verify failure and retry, reconnect after restart.
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "grebe/ovsdb_idl/blocking.h"

namespace grebe::ovsdb_idl {
namespace {

std::string env_or(const char* name, const char* fallback) {
  const char* v = getenv(name);
  return v && *v ? v : fallback;
}

class Server {
 public:
  Server() {
    char tmpl[] = "/tmp/grebe-idl-test.XXXXXX";
    dir_ = mkdtemp(tmpl);
    db_ = dir_ + "/conf.db";
    std::string cmd = env_or("GREBE_OVSDB_TOOL", GREBE_BIN_DIR "/ovsdb-tool") + " create " + db_ + " " +
                      GREBE_SRC_DIR "/vswitchd/vswitch.ovsschema";
    ok_ = system(cmd.c_str()) == 0;
    if (ok_) start();
  }
  ~Server() {
    stop();
    std::filesystem::remove_all(dir_);
  }
  bool ok() const { return ok_; }
  std::string remote() const { return "unix:" + dir_ + "/db.sock"; }
  const std::string& db() const { return db_; }

  void start() {
    std::string server = env_or("GREBE_OVSDB_SERVER", GREBE_BIN_DIR "/ovsdb-server");
    pid_ = fork();
    if (pid_ == 0) {
      int null = open("/dev/null", O_WRONLY);
      dup2(null, 1);
      dup2(null, 2);
      std::string remote = "--remote=punix:" + dir_ + "/db.sock";
      std::string ctl = "--unixctl=" + dir_ + "/ovsdb-server.ctl";
      std::string log = "--log-file=" + dir_ + "/ovsdb-server.log";
      execl(server.c_str(), server.c_str(), db_.c_str(), remote.c_str(), ctl.c_str(), log.c_str(),
            "--no-chdir", static_cast<char*>(nullptr));
      _exit(127);
    }
    for (int i = 0; i < 500; i++) {  // until it accepts connections
      int fd = socket(AF_UNIX, SOCK_STREAM, 0);
      sockaddr_un sun{};
      sun.sun_family = AF_UNIX;
      snprintf(sun.sun_path, sizeof sun.sun_path, "%s/db.sock", dir_.c_str());
      bool up = connect(fd, reinterpret_cast<sockaddr*>(&sun), sizeof sun) == 0;
      close(fd);
      if (up) return;
      usleep(10000);
    }
    ok_ = false;
  }
  void stop() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }

 private:
  std::string dir_, db_;
  pid_t pid_ = -1;
  bool ok_ = false;
};

#define REQUIRE_SERVER(s)                                          \
  if (!(s).ok()) GTEST_SKIP() << "ovsdb-server/ovsdb-tool not available"

std::unique_ptr<BlockingIdl> open_idl(const Server& s) {
  auto idl = BlockingIdl::open(s.remote(), "Open_vSwitch", nullptr, false);
  EXPECT_TRUE(idl.ok());
  if (!idl.ok()) return nullptr;
  EXPECT_TRUE((*idl)->wait_for_snapshot().ok());
  return std::move(*idl);
}

const ovsdb::ColumnSchema& column(const Replica& r, const char* table, const char* col) {
  return *r.schema().find_table(table)->find_column(col);
}

// Read-modify-write of Open_vSwitch.external_ids with verify, retried until
// it commits: the pattern every OVS client uses.
void add_external_id(BlockingIdl& idl, const std::string& key) {
  for (;;) {
    uint64_t seqno = idl.idl().change_seqno();
    Txn txn(idl.replica());
    std::vector<Uuid> rows = txn.rows("Open_vSwitch");
    Uuid ovs = rows.empty() ? txn.insert("Open_vSwitch") : rows[0];
    Datum ids = *txn.get("Open_vSwitch", ovs, "external_ids");
    ids.keys.push_back(key);
    ids.values.push_back(std::string("v"));
    ids.sort_unique(column(idl.replica(), "Open_vSwitch", "external_ids").type);
    txn.verify("Open_vSwitch", ovs, "external_ids");
    txn.write("Open_vSwitch", ovs, "external_ids", ids);
    TxnStatus s = idl.commit(txn);
    if (s == TxnStatus::kSuccess) return;
    ASSERT_EQ(s, TxnStatus::kTryAgain) << txn.error();
    ASSERT_TRUE(idl.run_until([&] { return idl.idl().change_seqno() != seqno; }).ok());
  }
}

size_t n_external_ids(const Replica& r) {
  const auto& rows = r.rows("Open_vSwitch");
  if (rows.empty()) return 0;
  return rows.begin()->second.fields[column(r, "Open_vSwitch", "external_ids").index].size();
}

TEST(IdlServer, ConcurrentWritersLoseNothing) {
  Server server;
  REQUIRE_SERVER(server);
  auto init = open_idl(server);
  ASSERT_TRUE(init);
  add_external_id(*init, "init");
  constexpr int kPerWriter = 40;
  auto writer = [&server](const char* prefix) {
    auto idl = open_idl(server);
    ASSERT_TRUE(idl);
    for (int i = 0; i < kPerWriter; i++) add_external_id(*idl, prefix + std::to_string(i));
  };
  std::thread a(writer, "a"), b(writer, "b");
  a.join();
  b.join();
  // Every replica converges on all 2 * kPerWriter + 1 keys.
  ASSERT_TRUE(init->run_until([&] { return n_external_ids(init->replica()) == 2 * kPerWriter + 1; })
                  .ok());
  auto fresh = open_idl(server);
  EXPECT_EQ(n_external_ids(fresh->replica()), 2u * kPerWriter + 1);
}

TEST(IdlServer, VerifyFailureThenRetry) {
  Server server;
  REQUIRE_SERVER(server);
  auto a = open_idl(server);
  auto b = open_idl(server);
  ASSERT_TRUE(a && b);
  add_external_id(*a, "x");
  ASSERT_TRUE(b->run_until([&] { return n_external_ids(b->replica()) == 1; }).ok());

  // b reads external_ids, then a changes it, then b commits: stale.
  Txn stale(b->replica());
  Uuid ovs = stale.rows("Open_vSwitch")[0];
  stale.verify("Open_vSwitch", ovs, "external_ids");
  stale.write("Open_vSwitch", ovs, "external_ids", Datum());
  add_external_id(*a, "y");
  EXPECT_EQ(b->commit(stale), TxnStatus::kTryAgain);
  // After the update arrives, a fresh attempt succeeds and sees both keys.
  ASSERT_TRUE(b->run_until([&] { return n_external_ids(b->replica()) == 2; }).ok());
  add_external_id(*b, "z");
  ASSERT_TRUE(a->run_until([&] { return n_external_ids(a->replica()) == 3; }).ok());
}

TEST(IdlServer, IncrementAndInsertedUuid) {
  Server server;
  REQUIRE_SERVER(server);
  auto idl = open_idl(server);
  Txn first(idl->replica());
  Uuid row = first.insert("Open_vSwitch");
  ASSERT_EQ(idl->commit(first), TxnStatus::kSuccess);
  auto real = first.inserted_uuid(row);
  ASSERT_TRUE(real.has_value());
  ASSERT_TRUE(idl->run_until([&] { return idl->replica().find("Open_vSwitch", *real); }).ok());
  for (int expect = 1; expect <= 3; expect++) {
    Txn inc(idl->replica());
    inc.increment("Open_vSwitch", *real, "next_cfg", true);
    ASSERT_EQ(idl->commit(inc), TxnStatus::kSuccess);
    EXPECT_EQ(inc.increment_new_value(), expect);
  }
}

TEST(IdlServer, ReconnectAfterRestartResyncs) {
  Server server;
  REQUIRE_SERVER(server);
  auto opened = BlockingIdl::open(server.remote(), "Open_vSwitch", nullptr, true);  // retry
  ASSERT_TRUE(opened.ok());
  auto idl = std::move(*opened);
  ASSERT_TRUE(idl->wait_for_snapshot().ok());
  add_external_id(*idl, "before");
  server.stop();
  // While the server is down, change the database behind the client's back.
  std::string cmd = env_or("GREBE_OVSDB_TOOL", GREBE_BIN_DIR "/ovsdb-tool") + " transact " +
                    server.db() +
                    " '[\"Open_vSwitch\",{\"op\":\"update\",\"table\":\"Open_vSwitch\","
                    "\"where\":[],\"row\":{\"external_ids\":[\"map\",[[\"after\",\"1\"]]]}}]'"
                    " >/dev/null";
  ASSERT_EQ(system(cmd.c_str()), 0);
  server.start();
  ASSERT_TRUE(server.ok());
  const auto& col = column(idl->replica(), "Open_vSwitch", "external_ids");
  ASSERT_TRUE(idl->run_until([&] {
                   const auto& rows = idl->replica().rows("Open_vSwitch");
                   if (rows.empty()) return false;
                   const Datum& d = rows.begin()->second.fields[col.index];
                   return d.size() == 1 && d.contains(std::string("after"));
                 }).ok());
  // And the connection works for transactions again.
  add_external_id(*idl, "again");
  EXPECT_EQ(n_external_ids(idl->replica()), 2u);
}

// Adds bridges named 'names' (each with one Port, as the schema's
// references require nothing more) in one transaction, inserting into
// Open_vSwitch.bridges with a partial update: no verify, no read of the
// current set.
TxnStatus add_bridges(BlockingIdl& idl, const std::vector<std::string>& names) {
  Txn txn(idl.replica());
  std::vector<Uuid> rows = txn.rows("Open_vSwitch");
  if (rows.empty()) return TxnStatus::kError;
  for (const std::string& name : names) {
    Uuid br = txn.insert("Bridge");
    txn.write("Bridge", br, "name", Datum::scalar(name));
    txn.insert_into_set("Open_vSwitch", rows[0], "bridges", Datum::scalar(br));
  }
  return idl.commit(txn);
}

std::set<std::string> bridge_names(const Replica& r) {
  std::set<std::string> names;
  const auto& col = column(r, "Bridge", "name");
  for (const auto& [uuid, row] : r.rows("Bridge")) {
    names.insert(std::get<std::string>(row.fields[col.index].keys[0]));
  }
  return names;
}

// Two writers inserting into one set column with "mutate" and no verify
// never conflict and never lose an element.
TEST(IdlServer, ConcurrentSetInsertsNeedNoRetry) {
  Server server;
  REQUIRE_SERVER(server);
  auto init = open_idl(server);
  ASSERT_TRUE(init);
  add_external_id(*init, "init");
  constexpr int kPerWriter = 30;
  auto writer = [&server](const char* prefix) {
    auto idl = open_idl(server);
    ASSERT_TRUE(idl);
    for (int i = 0; i < kPerWriter; i++) {
      ASSERT_EQ(add_bridges(*idl, {prefix + std::to_string(i)}), TxnStatus::kSuccess);
    }
  };
  std::thread a(writer, "a"), b(writer, "b");
  a.join();
  b.join();
  auto fresh = open_idl(server);
  const auto& rows = fresh->replica().rows("Open_vSwitch");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows.begin()->second.fields[column(fresh->replica(), "Open_vSwitch", "bridges").index]
                .size(),
            2u * kPerWriter);
  EXPECT_EQ(bridge_names(fresh->replica()).size(), 2u * kPerWriter);
}

// monitor_cond: only matching rows arrive; changing the condition while
// monitoring (monitor_cond_change) swaps them, and change tracking reports
// exactly the rows that came, went or changed.
TEST(IdlServer, ConditionalMonitoringAndChangeTracking) {
  Server server;
  REQUIRE_SERVER(server);
  auto writer = open_idl(server);
  ASSERT_TRUE(writer);
  add_external_id(*writer, "init");
  ASSERT_EQ(add_bridges(*writer, {"br0", "br1", "br2"}), TxnStatus::kSuccess);

  auto opened = BlockingIdl::open(server.remote(), "Open_vSwitch", nullptr, false, [](Idl& idl) {
    idl.set_condition("Bridge", Json::array({Json::array({"name", "==", "br1"})}));
  });
  ASSERT_TRUE(opened.ok());
  BlockingIdl& reader = **opened;
  ASSERT_TRUE(reader.wait_for_snapshot().ok());
  EXPECT_EQ(reader.idl().monitor_method(), Idl::MonitorMethod::kCondSince);
  EXPECT_EQ(bridge_names(reader.replica()), std::set<std::string>{"br1"});

  // A change to a matching row is tracked with its column; rows outside
  // the condition never show up.
  reader.idl().replica().clear_tracked();
  {
    Txn txn(writer->replica());
    for (const auto& [uuid, row] : writer->replica().rows("Bridge")) {
      txn.write("Bridge", uuid, "fail_mode", Datum::scalar(std::string("secure")));
    }
    ASSERT_EQ(writer->commit(txn), TxnStatus::kSuccess);
  }
  const auto& fail_mode = column(reader.replica(), "Bridge", "fail_mode");
  ASSERT_TRUE(reader.run_until([&] { return !reader.replica().tracked().empty(); }).ok());
  const auto& tracked = reader.replica().tracked();
  ASSERT_EQ(tracked.size(), 1u);
  ASSERT_EQ(tracked.begin()->second.size(), 1u);
  const RowChange& change = tracked.begin()->second.begin()->second;
  EXPECT_EQ(change.kind, RowChange::Kind::kModified);
  EXPECT_TRUE(change.columns[fail_mode.index]);
  EXPECT_FALSE(change.columns[column(reader.replica(), "Bridge", "name").index]);
  EXPECT_EQ(bridge_names(reader.replica()), std::set<std::string>{"br1"});

  // New condition: br0 or br2.
  reader.idl().replica().clear_tracked();
  reader.idl().set_condition("Bridge", Json::array({Json::array({"name", "==", "br0"}),
                                                    Json::array({"name", "==", "br2"})}));
  ASSERT_TRUE(reader
                  .run_until([&] {
                    return bridge_names(reader.replica()) == std::set<std::string>{"br0", "br2"};
                  })
                  .ok());
  size_t inserted = 0, deleted = 0;
  for (const auto& [uuid, c] : reader.replica().tracked().at("Bridge")) {
    if (c.kind == RowChange::Kind::kInserted) inserted++;
    if (c.kind == RowChange::Kind::kDeleted) deleted++;
  }
  EXPECT_EQ(inserted, 2u);
  EXPECT_EQ(deleted, 1u);
}

// Without retry, a dropped connection ends run_until() with OVS's words
// instead of reconnecting forever (a tool must not outlive its server).
TEST(IdlServer, NoRetryMeansOneConnection) {
  Server server;
  REQUIRE_SERVER(server);
  auto idl = open_idl(server);
  ASSERT_TRUE(idl);
  server.stop();
  Status st = idl->run_until([] { return false; });
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().message().rfind("database connection failed (", 0), 0u)
      << st.error().message();
}

TEST(IdlServer, ConnectionFailureIsReported) {
  auto idl = BlockingIdl::open("unix:/nonexistent/db.sock", "Open_vSwitch", nullptr, false);
  ASSERT_FALSE(idl.ok());
  EXPECT_EQ(idl.error().code(), ENOENT);
}

}  // namespace
}  // namespace grebe::ovsdb_idl

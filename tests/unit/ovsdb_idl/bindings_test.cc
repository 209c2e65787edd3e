// Generated typed bindings (ovsrec::*) and SessionIdl on an EventLoop.
#include <unistd.h>

#include <gtest/gtest.h>

#include "grebe/event/event_loop.h"
#include "grebe/ovsdb_idl/session_idl.h"
#include "grebe/ovsdb_idl/vswitch_idl.h"

namespace grebe::ovsdb_idl {
namespace {

TEST(Bindings, TypedAccessThroughTxn) {
  Replica replica(ovsrec::schema());
  Txn txn(replica);
  ovsrec::Interface iface = ovsrec::Interface::insert(txn);
  iface.set_name(txn, "eth0");
  iface.set_type(txn, "internal");
  iface.set_ofport_request(txn, std::optional<int64_t>(5));
  iface.set_external_ids(txn, {{"b", "2"}, {"a", "1"}});
  ovsrec::Port port = ovsrec::Port::insert(txn);
  port.set_name(txn, "eth0");
  port.set_interfaces(txn, {iface.uuid()});
  port.set_trunks(txn, {3, 1, 2});
  port.set_protected_(txn, true);
  EXPECT_EQ(iface.name(), "eth0");
  EXPECT_EQ(iface.ofport_request(), std::optional<int64_t>(5));
  EXPECT_EQ(iface.external_ids().at("a"), "1");
  EXPECT_EQ(port.trunks(), (std::vector<int64_t>{1, 2, 3}));  // canonical order
  EXPECT_TRUE(port.protected_());
  EXPECT_EQ(port.tag(), std::nullopt);
  ASSERT_EQ(ovsrec::Port::all(txn).size(), 1u);
  EXPECT_EQ(ovsrec::Port::all(txn)[0].interfaces()[0], iface.uuid());
  EXPECT_TRUE(ovsrec::Bridge::all(replica).empty());
  std::string db = ovsrec::kDbName;
  EXPECT_EQ(db, "Open_vSwitch");
  auto req = txn.build_request(db);
  ASSERT_TRUE(req.has_value());
  EXPECT_EQ((*req)[1]["op"], "insert");
}

TEST(Bindings, ReadsReplicaDefaults) {
  Replica replica(ovsrec::schema());
  ovsrec::Bridge missing(replica, Uuid::generate());
  EXPECT_FALSE(missing.exists());
  EXPECT_EQ(missing.name(), "");
  EXPECT_TRUE(missing.ports().empty());
  EXPECT_FALSE(missing.stp_enable());
}

TEST(SessionIdl, ConnectsAndCommitsOnEventLoop) {
  const char* server = getenv("GREBE_OVSDB_SERVER");
  std::string server_bin = server && *server ? server : "/usr/sbin/ovsdb-server";
  if (access(server_bin.c_str(), X_OK) != 0) GTEST_SKIP() << "no ovsdb-server";
  char tmpl[] = "/tmp/grebe-session-idl.XXXXXX";
  std::string dir = mkdtemp(tmpl);
  const char* tool_env = getenv("GREBE_OVSDB_TOOL");
  std::string tool = tool_env && *tool_env ? tool_env : "/usr/bin/ovsdb-tool";
  std::string cmd = tool + " create " + dir + "/db " GREBE_SRC_DIR "/vswitchd/vswitch.ovsschema && " +
                    server_bin + " " + dir + "/db --remote=punix:" + dir + "/sock --unixctl=" +
                    dir + "/ctl --pidfile=" + dir + "/pid --detach --no-chdir --log-file=" + dir +
                    "/log";
  ASSERT_EQ(system(cmd.c_str()), 0);
  {
    event::EventLoop loop;
    int changes = 0;
    SessionIdl idl(loop, {"unix:" + dir + "/sock"}, ovsrec::schema(), [&] { changes++; });
    for (int i = 0; i < 200 && !idl.idl().has_snapshot(); i++) loop.run_once(50);
    ASSERT_TRUE(idl.idl().has_snapshot());
    Txn txn(idl.replica());
    ovsrec::Open_vSwitch ovs = ovsrec::Open_vSwitch::insert(txn);
    ovs.set_external_ids(txn, {{"system-id", "x"}});
    EXPECT_EQ(idl.submit(txn), TxnStatus::kIncomplete);
    for (int i = 0; i < 200 && txn.status() == TxnStatus::kIncomplete; i++) loop.run_once(50);
    EXPECT_EQ(txn.status(), TxnStatus::kSuccess);
    for (int i = 0; i < 200 && ovsrec::Open_vSwitch::all(idl.replica()).empty(); i++) {
      loop.run_once(50);
    }
    auto rows = ovsrec::Open_vSwitch::all(idl.replica());
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].external_ids().at("system-id"), "x");
    EXPECT_GT(changes, 0);
  }
  std::string stop = "kill $(cat " + dir + "/pid); rm -rf " + dir;
  EXPECT_EQ(system(stop.c_str()), 0);
}

}  // namespace
}  // namespace grebe::ovsdb_idl

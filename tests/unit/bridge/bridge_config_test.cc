// Bridge configuration: database content (a Replica fed RFC 7047 updates,
// including garbage) -> SwitchConfig snapshot -> the delta to apply; and
// Bridges applying deltas to real ofprotos on the dummy datapath.
#include "bridge/bridge_config.h"

#include <gtest/gtest.h>

#include "bridge/bridge.h"
#include "grebe/ovsdb_idl/replica.h"
#include "grebe/ovsdb_idl/vswitch_idl.h"

namespace grebe::bridge {
namespace {

using Json = ovsdb::Json;

// Builds database content row by row with readable names for UUIDs.
class FakeDb {
 public:
  FakeDb() : replica_(ovsrec::schema()) {}
  std::string uuid(const std::string& name) {
    auto it = uuids_.find(name);
    if (it != uuids_.end()) return it->second;
    char buf[64];
    std::snprintf(buf, sizeof buf, "00000000-0000-4000-8000-%012zx", uuids_.size() + 1);
    return uuids_[name] = buf;
  }
  Json ref(const std::string& name) { return Json::array({"uuid", uuid(name)}); }
  Json refs(const std::vector<std::string>& names) {
    Json a = Json::array();
    for (const auto& n : names) a.push_back(ref(n));
    return Json::array({"set", a});
  }
  void row(const std::string& table, const std::string& name, Json fields) {
    updates_[table][uuid(name)] = Json{{"new", fields}};
  }
  void remove(const std::string& table, const std::string& name) {
    updates_[table][uuid(name)] = Json{{"old", Json::object()}};
  }
  const ovsdb_idl::Replica& commit() {
    auto st = replica_.apply_update(updates_);
    EXPECT_TRUE(st.ok()) << st.error().to_string();
    updates_ = Json::object();
    return replica_;
  }
  // A bridge with ports named `ports` (each with one interface of the
  // same name) plus its local port.
  void bridge(const std::string& br, const std::vector<std::string>& ports, Json extra = {}) {
    std::vector<std::string> all = ports;
    all.push_back(br);
    for (const auto& p : all) {
      row("Interface", "i-" + p, {{"name", p}, {"type", p == br ? "internal" : "dummy"}});
      row("Port", "p-" + p, {{"name", p}, {"interfaces", refs({"i-" + p})}});
    }
    std::vector<std::string> prefs;
    for (const auto& p : all) prefs.push_back("p-" + p);
    Json fields = {{"name", br}, {"ports", refs(prefs)}};
    if (extra.is_object()) fields.update(extra);
    row("Bridge", "b-" + br, fields);
  }
  void root(const std::vector<std::string>& bridges, int next_cfg = 1) {
    std::vector<std::string> b;
    for (const auto& n : bridges) b.push_back("b-" + n);
    row("Open_vSwitch", "root", {{"bridges", refs(b)}, {"next_cfg", next_cfg}});
  }

 private:
  ovsdb_idl::Replica replica_;
  std::map<std::string, std::string> uuids_;
  Json updates_ = Json::object();
};

std::vector<std::string> op_strings(const std::vector<ConfigOp>& ops) {
  std::vector<std::string> out;
  for (const auto& op : ops) out.push_back(to_string(op));
  return out;
}

TEST(BridgeConfig, BuildsBridgesPortsInterfaces) {
  FakeDb db;
  db.bridge("br0", {"p1", "p2"},
            {{"fail_mode", "secure"},
             {"other_config", Json::array({"map", Json::array({Json::array(
                                                       {"datapath-id", "00000000000000ab"})})})}});
  db.root({"br0"}, 7);
  std::vector<std::string> warnings;
  SwitchConfig cfg = build_config(db.commit(), &warnings);
  EXPECT_TRUE(warnings.empty());
  EXPECT_EQ(cfg.next_cfg, 7);
  ASSERT_EQ(cfg.bridges.size(), 1u);
  const BridgeConfig& br = cfg.bridges.at("br0");
  EXPECT_EQ(br.datapath_type, "system");
  EXPECT_EQ(br.fail_mode, "secure");
  EXPECT_EQ(br.datapath_id, 0xabu);
  EXPECT_EQ(br.ports.size(), 3u);
  EXPECT_EQ(br.ports.at("p1").ifaces.at(0).type, "dummy");
}

TEST(BridgeConfig, GarbageIsSkippedWithWarnings) {
  FakeDb db;
  db.bridge("br0", {"p1"});
  // br1 reuses interface name p1 and has a port without interfaces and a
  // port with a nameless interface; br0 is listed twice under another row.
  db.row("Interface", "dup", {{"name", "p1"}, {"type", "dummy"}});
  db.row("Port", "p-dup", {{"name", "x1"}, {"interfaces", db.refs({"dup"})}});
  db.row("Port", "p-empty", {{"name", "x2"}, {"interfaces", db.refs({})}});
  db.row("Interface", "i-x3", {{"name", "x3"}, {"ofport_request", 3}});
  db.row("Interface", "i-noname", {{"name", ""}});
  db.row("Port", "p-x3", {{"name", "x3"}, {"interfaces", db.refs({"i-x3", "i-noname"})}});
  db.row("Bridge", "b-br1", {{"name", "br1"}, {"ports", db.refs({"p-dup", "p-empty", "p-x3"})}});
  db.row("Bridge", "b-br0-again", {{"name", "br0"}});
  db.root({"br0", "br1", "br0-again"});
  std::vector<std::string> warnings;
  SwitchConfig cfg = build_config(db.commit(), &warnings);
  ASSERT_EQ(cfg.bridges.size(), 2u);
  const BridgeConfig& br1 = cfg.bridges.at("br1");
  EXPECT_EQ(br1.ports.size(), 1u);  // only x3 survives
  ASSERT_EQ(br1.ports.at("x3").ifaces.size(), 1u);
  EXPECT_EQ(br1.ports.at("x3").ifaces.at(0).ofport_request, 3);
  EXPECT_GE(warnings.size(), 4u);
}

TEST(BridgeConfig, NoRootRowMeansNothing) {
  FakeDb db;
  db.bridge("br0", {"p1"});
  std::vector<std::string> warnings;
  SwitchConfig cfg = build_config(db.commit(), &warnings);
  EXPECT_FALSE(cfg.have_root);
  EXPECT_TRUE(cfg.bridges.empty());
}

TEST(ConfigDiff, AddChangeRemove) {
  FakeDb db;
  db.bridge("br0", {"p1", "p2"});
  db.root({"br0"});
  std::vector<std::string> w;
  SwitchConfig a = build_config(db.commit(), &w);
  EXPECT_EQ(op_strings(diff_config(SwitchConfig{}, a)),
            (std::vector<std::string>{"add-bridge br0", "add-iface br0 br0/br0",
                                      "add-iface br0 p1/p1", "add-iface br0 p2/p2",
                                      "mod-port br0 br0", "mod-port br0 p1", "mod-port br0 p2"}));
  EXPECT_TRUE(diff_config(a, a).empty());

  // p2 goes away, p3 arrives, p1 gets a new ofport_request, a tag on br0's port.
  db.bridge("br0", {"p1", "p3"});
  db.row("Interface", "i-p1", {{"name", "p1"}, {"type", "dummy"}, {"ofport_request", 9}});
  db.row("Port", "p-br0", {{"name", "br0"}, {"interfaces", db.refs({"i-br0"})}, {"tag", 10}});
  db.remove("Port", "p-p2");
  db.remove("Interface", "i-p2");
  SwitchConfig b = build_config(db.commit(), &w);
  EXPECT_EQ(op_strings(diff_config(a, b)),
            (std::vector<std::string>{"del-iface br0 p1/p1", "del-iface br0 p2/p2",
                                      "add-iface br0 p1/p1", "add-iface br0 p3/p3",
                                      "mod-port br0 br0", "mod-port br0 p3"}));

  // Options change: reconfigure in place.  Datapath type: re-create.
  SwitchConfig c = b;
  c.bridges.at("br0").ports.at("p3").ifaces[0].options["pcap"] = "x.pcap";
  EXPECT_EQ(op_strings(diff_config(b, c)), (std::vector<std::string>{"mod-iface br0 p3/p3"}));
  SwitchConfig d = b;
  d.bridges.at("br0").datapath_type = "netdev";
  auto ops = op_strings(diff_config(b, d));
  ASSERT_GE(ops.size(), 2u);
  EXPECT_EQ(ops[0], "del-bridge br0");
  EXPECT_EQ(ops[1], "add-bridge br0");
  EXPECT_EQ(op_strings(diff_config(b, SwitchConfig{})),
            (std::vector<std::string>{"del-bridge br0"}));
}

TEST(ConfigDiff, InterfaceMovingBetweenBridges) {
  FakeDb db;
  db.bridge("br0", {"p1"});
  db.bridge("br1", {});
  db.root({"br0", "br1"});
  std::vector<std::string> w;
  SwitchConfig a = build_config(db.commit(), &w);
  db.row("Bridge", "b-br0", {{"name", "br0"}, {"ports", db.refs({"p-br0"})}});
  db.row("Bridge", "b-br1", {{"name", "br1"}, {"ports", db.refs({"p-br1", "p-p1"})}});
  SwitchConfig b = build_config(db.commit(), &w);
  EXPECT_EQ(op_strings(diff_config(a, b)),
            (std::vector<std::string>{"del-iface br0 p1/p1", "add-iface br1 p1/p1",
                                      "mod-port br1 p1"}));
}

// Applying snapshots to real bridges on the dummy datapath.
TEST(Bridges, ApplyCreatesPortsAndReportsFailures) {
  FakeDb db;
  db.bridge("brt0", {"t1", "t2"}, {{"datapath_type", "dummy"}});
  db.row("Interface", "i-t2", {{"name", "t2"}, {"type", "gre"}});
  db.root({"brt0"});
  Bridges bridges(DummyMode::kAdd);
  bridges.reconfigure(db.commit());
  ofproto_dpif::Ofproto* o = bridges.find("brt0");
  ASSERT_NE(o, nullptr);
  ASSERT_NE(o->find_port("t1"), nullptr);
  EXPECT_EQ(o->find_port("t1")->ofp_port, 1u);
  ASSERT_NE(o->find_port("brt0"), nullptr);
  EXPECT_EQ(o->find_port("brt0")->ofp_port, kOfppLocal);
  EXPECT_EQ(o->find_port("t2"), nullptr);  // gre on a dummy datapath: refused

  // Removing the bridge removes its ports from the datapath.
  db.root({});
  bridges.reconfigure(db.commit());
  EXPECT_EQ(bridges.find("brt0"), nullptr);
  EXPECT_TRUE(ofproto_dpif::Backer::all().empty());
}

}  // namespace
}  // namespace grebe::bridge

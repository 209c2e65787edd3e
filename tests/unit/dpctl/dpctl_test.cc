// lib/dpctl over the dummy datapath: the command texts of OVS's
// tests/dpctl.at, plus packets fed through DummyNetdev.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "grebe/dpctl/dpctl.h"
#include "grebe/dpif/dpif.h"
#include "grebe/dpif/netdev_dummy.h"
#include "grebe/util/dirs.h"

namespace grebe::dpctl {
namespace {

struct Out {
  int error = 0;
  std::string out, err;
};

class DpctlTest : public ::testing::Test {
 protected:
  void SetUp() override { set_program_name("ovs-vswitchd"); }
  void TearDown() override {
    // Leave no datapath behind for the next test.
    for (const char* dp : {"dummy@br0", "dummy@br1", "dummy@ovs-system"}) (void)run({"del-dp", dp});
  }

  // Runs one command as appctl would (options given as leading words).
  Out run(std::vector<std::string> argv, bool appctl = true) {
    Out r;
    Params p;
    p.is_appctl = appctl;
    while (!argv.empty() && argv[0].size() > 1 && argv[0][0] == '-') {
      if (argv[0] == "-s") p.print_statistics = true;
      if (argv[0] == "-m") p.verbosity++;
      if (argv[0] == "--names") p.names = true;
      if (argv[0] == "--clear") p.zero_statistics = true;
      if (argv[0] == "--may-create") p.may_create = true;
      if (argv[0] == "--read-only") p.read_only = true;
      argv.erase(argv.begin());
    }
    if (!p.names) p.names = p.verbosity > 0;
    p.output = [&r](bool error, std::string_view s) { (error ? r.err : r.out) += s; };
    r.error = run_command(host_, argv, p);
    return r;
  }
  // Replaces every "(...)" with "(...)", as dpctl.at's sed does.
  // (No <regex>: GCC 12's regex trips -Wmaybe-uninitialized under ASan.)
  static std::string elide(const std::string& s) {
    size_t open = s.find('('), close = s.rfind(')');
    if (open == std::string::npos || close == std::string::npos || close < open) return s;
    return s.substr(0, open) + "(...)" + s.substr(close + 1);
  }

  DatapathHost host_;
};

const char* kShowEmpty =
    "dummy@br0:\n"
    "  lookups: hit:0 missed:0 lost:0\n"
    "  flows: 0\n"
    "  port 0: br0 (dummy-internal)\n";

TEST_F(DpctlTest, AddDpDelDp) {
  EXPECT_EQ(run({"add-dp", "dummy@br0"}).error, 0);
  Out r = run({"add-dp", "dummy@br0"});
  EXPECT_EQ(r.error, EEXIST);
  EXPECT_EQ(r.err, "ovs-vswitchd: add_dp (File exists)\n");
  EXPECT_EQ(run({"dump-dps"}).out, "dummy@br0\n");
  EXPECT_EQ(run({"del-dp", "dummy@br0"}).error, 0);
  r = run({"del-dp", "dummy@br0"});
  EXPECT_NE(r.error, 0);
  EXPECT_EQ(elide(r.err), "ovs-vswitchd: opening datapath (...)\n");
  EXPECT_EQ(run({"dump-dps"}).out, "");
}

TEST_F(DpctlTest, AddIfSetIfDelIf) {
  ASSERT_EQ(run({"add-dp", "dummy@br0"}).error, 0);
  EXPECT_EQ(run({"show", "dummy@br0"}).out, kShowEmpty);
  EXPECT_EQ(run({"add-if", "dummy@br0", "vif1.0,type=dummy,port_no=5"}).error, 0);
  EXPECT_EQ(run({"show", "dummy@br0"}).out,
            std::string(kShowEmpty) + "  port 5: vif1.0 (dummy)\n");
  Out r = run({"add-if", "dummy@br0", "vif1.0,type=dummy"});
  EXPECT_NE(r.error, 0);
  EXPECT_EQ(elide(r.err), "ovs-vswitchd: adding vif1.0 to dummy@br0 failed (...)\n");
  EXPECT_EQ(run({"set-if", "dummy@br0", "vif1.0,port_no=5"}).error, 0);
  r = run({"set-if", "dummy@br0", "vif1.0,type=system"});
  EXPECT_EQ(r.error, EINVAL);
  EXPECT_EQ(r.err, "ovs-vswitchd: vif1.0: can't change type from dummy to system\n");
  EXPECT_EQ(run({"set-if", "dummy@br0", "br0,type=dummy-internal"}).error, 0);
  r = run({"set-if", "dummy@br0", "br0,type=internal"});
  EXPECT_EQ(r.err, "ovs-vswitchd: br0: can't change type from dummy-internal to internal\n");
  r = run({"set-if", "dummy@br0", "vif1.0,port_no=6"});
  EXPECT_EQ(r.err, "ovs-vswitchd: vif1.0: can't change port number from 5 to 6\n");
  // Dummy devices report only some options back (ifindex, stream
  // settings), sorted; an empty value removes one.
  EXPECT_EQ(run({"set-if", "dummy@br0", "vif1.0,zeta=1,stream=unix:x,ifindex=7"}).error, 0);
  EXPECT_EQ(run({"show", "dummy@br0"}).out,
            std::string(kShowEmpty) + "  port 5: vif1.0 (dummy: ifindex=7, stream=unix:x)\n");
  EXPECT_EQ(run({"set-if", "dummy@br0", "vif1.0,stream="}).error, 0);
  EXPECT_EQ(run({"show", "dummy@br0"}).out,
            std::string(kShowEmpty) + "  port 5: vif1.0 (dummy: ifindex=7)\n");

  EXPECT_EQ(run({"del-if", "dummy@br0", "vif1.0"}).error, 0);
  EXPECT_EQ(run({"show", "dummy@br0"}).out, kShowEmpty);
  r = run({"del-if", "dummy@br0", "vif1.0"});
  EXPECT_EQ(r.err, "ovs-vswitchd: no port named vif1.0\n");
  r = run({"del-if", "dummy@br0", "nonexistent"});
  EXPECT_EQ(r.err, "ovs-vswitchd: no port named nonexistent\n");
  r = run({"del-if", "dummy@br0", "br0"});
  EXPECT_NE(r.error, 0);
  EXPECT_EQ(elide(r.err), "ovs-vswitchd: deleting port br0 from dummy@br0 failed (...)\n");
  EXPECT_EQ(run({"del-dp", "dummy@br0"}).error, 0);
  r = run({"del-if", "dummy@br0", "br0"});
  EXPECT_EQ(elide(r.err), "ovs-vswitchd: opening datapath (...)\n");
}

const char* kFlow2 = "in_port(1),eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:02),eth_type(0x1234)";

std::string write_file(const std::string& text) {
  char name[] = "/tmp/dpctl-flows-XXXXXX";
  int fd = mkstemp(name);
  EXPECT_GE(fd, 0);
  close(fd);
  std::ofstream(name) << text;
  return name;
}

TEST_F(DpctlTest, AddModDelFlows) {
  ASSERT_EQ(run({"add-dp", "dummy@br0"}).error, 0);
  std::string f = write_file(std::string(kFlow2) + " 2\n");
  EXPECT_EQ(run({"add-flows", "dummy@br0", f}).out, "");
  const std::string header = "flow-dump from the main thread:\n";
  const std::string line = std::string("recirc_id(0),") + kFlow2 +
                           ", packets:0, bytes:0, used:never, actions:";
  EXPECT_EQ(run({"dump-flows", "dummy@br0"}).out, header + line + "2\n");
  f = write_file(std::string(kFlow2) + " 3\n");
  EXPECT_EQ(run({"mod-flows", "dummy@br0", f}).error, 0);
  EXPECT_EQ(run({"dump-flows", "dummy@br0"}).out, header + line + "3\n");
  f = write_file(std::string(kFlow2) + "\n");
  EXPECT_EQ(run({"del-flows", "dummy@br0", f}).error, 0);
  EXPECT_EQ(run({"dump-flows", "dummy@br0"}).out, "");

  f = write_file(
      "add in_port(1),eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:02),eth_type(0x1234) 2\n"
      "add in_port(1),eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:03),eth_type(0x1234) 2\n"
      "# a comment line\n"
      "add in_port(1),eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:04),eth_type(0x1234) 2\n"
      "modify in_port(1),eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:02),eth_type(0x1234) 1\n"
      "delete in_port(1),eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:03),eth_type(0x1234)\n"
      "delete in_port(1) 7\n");
  Out r = run({"add-flows", "dummy@br0", f});
  EXPECT_EQ(r.err, "ovs-vswitchd: Failed parsing line number 7, skipped!\n");
  std::string out = run({"dump-flows", "dummy@br0"}).out;
  EXPECT_NE(out.find("dst=00:00:00:00:00:02),eth_type(0x1234), packets:0, bytes:0, used:never, "
                     "actions:1\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("dst=00:00:00:00:00:04),eth_type(0x1234), packets:0, bytes:0, used:never, "
                     "actions:2\n"),
            std::string::npos)
      << out;
  EXPECT_EQ(out.find("dst=00:00:00:00:00:03"), std::string::npos) << out;
  EXPECT_EQ(run({"del-flows", "dummy@br0"}).error, 0);
  EXPECT_EQ(run({"dump-flows", "dummy@br0"}).out, "");
}

TEST_F(DpctlTest, FlowsByKeyAndUfid) {
  ASSERT_EQ(run({"add-dp", "dummy@br0"}).error, 0);
  ASSERT_EQ(run({"add-if", "dummy@br0", "p1,type=dummy", "p2,type=dummy"}).error, 0);
  const std::string ufid = "ufid:12345678-1234-4234-8234-123456789abc";
  EXPECT_EQ(run({"add-flow", ufid + "," + "in_port(1),eth_type(0x0800),ipv4(src=10.0.0.1)",
                 "2"}).error,
            0);
  Out r = run({"add-flow", ufid + "," + "in_port(1),eth_type(0x0800),ipv4(src=10.0.0.1)", "2"});
  EXPECT_EQ(r.err, "ovs-vswitchd: updating flow table (File exists)\n");
  // The only datapath is the default; -m shows UFIDs and dp:ovs; --names.
  r = run({"-m", "get-flow", ufid});
  EXPECT_EQ(r.error, 0) << r.err;
  // Verbose keys are rebuilt from the megaflow with every field, as OVS's.
  EXPECT_EQ(r.out.rfind(ufid + ", skb_priority(0/0),", 0), 0u) << r.out;
  EXPECT_NE(r.out.find(",recirc_id(0),dp_hash(0/0),in_port(p1),"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(", dp:ovs, actions:p2\n"), std::string::npos) << r.out;
  r = run({"--names", "dump-flows"});
  EXPECT_NE(r.out.find("in_port(p1)"), std::string::npos) << r.out;
  r = run({"get-flow", "ufid:00000000-0000-0000-0000-000000000001"});
  EXPECT_EQ(r.err, "ovs-vswitchd: getting flow (No such file or directory)\n");
  // mod-flow: -s reports the old stats; without --may-create it needs a flow.
  r = run({"-s", "mod-flow", "in_port(1),eth_type(0x0800),ipv4(src=10.0.0.1)", "1"});
  EXPECT_EQ(r.out, "packets:0, bytes:0, used:never\n");
  r = run({"mod-flow", "in_port(2),eth_type(0x0800)", "1"});
  EXPECT_EQ(r.err, "ovs-vswitchd: updating flow table (No such file or directory)\n");
  EXPECT_EQ(run({"--may-create", "mod-flow", "in_port(2),eth_type(0x0800)", "1"}).error, 0);
  // Errors in the key and the actions.
  r = run({"add-flow", "in_port(1),bogus(7)", "1"});
  EXPECT_EQ(r.err.rfind("ovs-vswitchd: parsing flow key (syntax error at bogus(7))", 0), 0u)
      << r.err;
  r = run({"add-flow", "in_port(1)", "frobnicate"});
  EXPECT_EQ(r.err, "ovs-vswitchd: parsing actions (Invalid argument)\n");
  // del-flow by key (appctl generates the same UFID as add-flow did).
  EXPECT_EQ(run({"del-flow", "in_port(2),eth_type(0x0800)"}).error, 0);
  r = run({"del-flow", "in_port(2),eth_type(0x0800)"});
  EXPECT_EQ(r.err, "ovs-vswitchd: deleting flow (No such file or directory)\n");
  EXPECT_EQ(r.out, "Perhaps you need to specify a UFID?\n");
  EXPECT_EQ(run({"del-flow", ufid}).error, 0);
}

TEST_F(DpctlTest, PacketsHitFlowsAndPortStats) {
  ASSERT_EQ(run({"add-dp", "dummy@br0"}).error, 0);
  ASSERT_EQ(run({"add-if", "dummy@br0", "p1,type=dummy", "p2,type=dummy"}).error, 0);
  ASSERT_EQ(run({"add-flow", "in_port(1),eth_type(0x0800),ipv4(proto=17)", "2"}).error, 0);
  auto frame = netdev::DummyNetdev::parse_packet(
      "in_port(1),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x0800),"
      "ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,tos=0,ttl=64,frag=no),udp(src=1,dst=2)");
  ASSERT_TRUE(frame.ok());
  netdev::DummyNetdev* p1 = netdev::DummyNetdev::lookup("p1");
  ASSERT_NE(p1, nullptr);
  ASSERT_TRUE(p1->receive(*frame).ok());
  ASSERT_TRUE(p1->receive(*frame).ok());
  auto dp = dpif::Dpif::open("dummy", "br0", false);
  ASSERT_TRUE(dp.ok());
  while ((*dp)->run() > 0) {
  }
  std::string bytes = std::to_string(2 * frame->size());
  Out r = run({"dump-flows", "filter=udp"});
  EXPECT_NE(r.out.find("packets:2, bytes:" + bytes + ", used:"), std::string::npos) << r.out;
  EXPECT_EQ(run({"dump-flows", "filter=tcp"}).out, "");
  r = run({"dump-flows", "filter=bogus_field=1"});
  EXPECT_EQ(r.err.rfind("ovs-vswitchd: Failed to parse filter (", 0), 0u) << r.err;
  EXPECT_EQ(run({"dump-flows", "type=tc"}).out, "");
  r = run({"dump-flows", "type=frob"});
  EXPECT_EQ(r.err, "ovs-vswitchd: Failed to parse type (frob) (Invalid argument)\n");
  r = run({"dump-flows", "type=ovs"}, false);
  EXPECT_EQ(r.err,
            "ovs-vswitchd: Invalid argument 'type'. Use 'ovs-appctl dpctl/dump-flows' "
            "instead.\n");

  r = run({"-s", "show"});
  EXPECT_NE(r.out.find("  lookups: hit:2 missed:0 lost:0\n  flows: 1\n"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("  port 1: p1 (dummy)\n"
                       "    RX packets:2 errors:? dropped:? overruns:? frame:?\n"
                       "    TX packets:0 errors:? dropped:? aborted:? carrier:?\n"
                       "    collisions:?\n"
                       "    RX bytes:" + bytes + "  TX bytes:0\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("  port 2: p2 (dummy)\n    RX packets:0"), std::string::npos) << r.out;
  EXPECT_EQ(p1->n_sent(), 0u);
  EXPECT_EQ(netdev::DummyNetdev::lookup("p2")->take_sent().size(), 2u);
}

TEST_F(DpctlTest, DefaultDatapathAndDispatch) {
  Out r = run({"dump-flows"});
  EXPECT_EQ(r.err, "ovs-vswitchd: no datapaths exist\n"
                   "ovs-vswitchd: datapath not found (Invalid argument)\n");
  ASSERT_EQ(run({"add-dp", "dummy@br0"}).error, 0);
  ASSERT_EQ(run({"add-dp", "dummy@br1"}).error, 0);
  r = run({"del-flows"});
  EXPECT_EQ(r.err, "ovs-vswitchd: multiple datapaths, specify one\n"
                   "ovs-vswitchd: datapath not found (Invalid argument)\n");
  // A first argument that names no datapath, with the maximum number of
  // arguments, is an error rather than the default datapath.
  r = run({"dump-flows", "dummy@nope"});
  EXPECT_EQ(r.err, "ovs-vswitchd: datapath not found (Invalid argument)\n");
  EXPECT_EQ(run({"dump-dps"}).out, "dummy@br0\ndummy@br1\n");
  r = run({"show", "dummy@nope"});
  EXPECT_EQ(r.err, "ovs-vswitchd: opening datapath dummy@nope failed (No such device)\n");
  r = run({"show", "frob@x"});
  EXPECT_EQ(r.err,
            "ovs-vswitchd: opening datapath frob@x failed (Address family not supported by "
            "protocol)\n");
  r = run({"bogus"});
  EXPECT_EQ(r.err, "ovs-vswitchd: unknown command 'bogus'; use --help for help\n");
  r = run({"add-if", "x"});
  EXPECT_EQ(r.err, "ovs-vswitchd: 'add-if' command requires at least 2 arguments\n");
  r = run({"del-dp", "a", "b"});
  EXPECT_EQ(r.err, "ovs-vswitchd: 'del-dp' command takes at most 1 arguments\n");
  r = run({"--read-only", "add-dp", "dummy@x"});
  EXPECT_EQ(r.err, "ovs-vswitchd: 'add-dp' command does not work in read only mode\n");
  r = run({"list-commands"});
  EXPECT_NE(r.out.find("  dpctl/add-dp                  dp [iface...]\n"), std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("dpctl/help"), std::string::npos);
  r = run({"add-if", "dummy@br0", ",,"});
  EXPECT_EQ(r.err, "ovs-vswitchd: ,, is not a valid network device name\n");
}

// ovs-vswitchd --enable-dummy=override serves "system" datapaths with the
// dummy provider; dpctl names them "system@..." and prints them as the
// userspace datapaths they are.
TEST_F(DpctlTest, AliasedType) {
  host_.alias_type("system", "dummy");
  ASSERT_EQ(run({"add-dp", "ovs-system"}).error, 0);
  EXPECT_EQ(run({"dump-dps"}).out, "system@ovs-system\n");
  EXPECT_EQ(run({"show"}).out,
            "system@ovs-system:\n"
            "  lookups: hit:0 missed:0 lost:0\n"
            "  flows: 0\n"
            "  port 0: ovs-system (dummy-internal)\n");
  ASSERT_EQ(run({"add-flow", kFlow2, "0"}).error, 0);
  EXPECT_EQ(run({"dump-flows"}).out,
            std::string("flow-dump from the main thread:\nrecirc_id(0),") + kFlow2 +
                ", packets:0, bytes:0, used:never, actions:0\n");
  EXPECT_EQ(run({"del-dp", "system@ovs-system"}).error, 0);
  EXPECT_EQ(run({"dump-dps"}).out, "");
}

}  // namespace
}  // namespace grebe::dpctl

// Connmgr over real unix-socket vconns with a FakeSwitch: every message
// goes through the management socket (or a controller connection) and the
// test reads the switch's answers like a controller would.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <functional>

#include "connmgr/connmgr.h"
#include "fake_switch.h"
#include "grebe/event/event_loop.h"
#include "grebe/openflow/flow_stats.h"
#include "grebe/openflow/group_meter.h"
#include "grebe/openflow/ofp_codec.h"
#include "grebe/openflow/ofp_errors.h"
#include "grebe/openflow/ofp_msgs.h"
#include "grebe/openflow/packet_msgs.h"
#include "grebe/openflow/port_msgs.h"
#include "grebe/util/byteorder.h"
#include "grebe/util/clock.h"
#include "grebe/vconn/vconn.h"

namespace grebe::connmgr {
namespace {

using namespace openflow;
using vconn::OfpMsg;
using vconn::Vconn;

constexpr long long kTimeoutMsec = 20000;  // generous: the machine is shared

// A controller-side connection pumped together with the switch's loop.
class Client {
 public:
  Client(event::EventLoop& loop, std::unique_ptr<Vconn> v) : loop_(loop), v_(std::move(v)) {}

  bool connect() {
    long long deadline = time_msec() + kTimeoutMsec;
    while (time_msec() < deadline) {
      auto st = v_->connect();
      if (st.ok()) return true;
      if (!st.error().would_block()) return false;
      loop_.run_once(5);
    }
    return false;
  }
  uint8_t version() const { return static_cast<uint8_t>(v_->version()); }
  uint32_t xid() { return next_xid_++; }

  void send(OfpMsg msg) {
    auto st = v_->send(std::move(msg));
    ASSERT_TRUE(st.ok()) << st.error().to_string();
  }
  // The next message satisfying `pred` (others are dropped); nullopt on
  // timeout or connection error.
  std::optional<OfpMsg> recv_until(const std::function<bool(const OfpMsg&)>& pred) {
    long long deadline = time_msec() + kTimeoutMsec;
    while (time_msec() < deadline) {
      v_->run();
      auto r = v_->recv();
      if (r.ok()) {
        if (pred(*r)) return std::move(*r);
        continue;
      }
      if (!r.error().would_block()) return std::nullopt;
      loop_.run_once(5);
    }
    return std::nullopt;
  }
  std::optional<OfpMsg> recv_xid(uint32_t xid) {
    return recv_until([xid](const OfpMsg& m) { return load_be32(&m[4]) == xid; });
  }
  std::optional<OfpMsg> transact(OfpMsg msg) {
    uint32_t x = load_be32(&msg[4]);
    send(std::move(msg));
    return recv_xid(x);
  }
  // Sends `msg` then a barrier; returns the error reply to `msg` if any
  // ("" when the barrier came first).
  std::string error_of(OfpMsg msg) {
    uint32_t x = load_be32(&msg[4]);
    send(std::move(msg));
    uint32_t bx = xid();
    send(encode_barrier(false, version(), bx));
    auto r = recv_until([&](const OfpMsg& m) {
      uint32_t mx = load_be32(&m[4]);
      return mx == bx || (mx == x && m[1] == kOfptError);
    });
    if (!r) return "timeout";
    if ((*r)[1] != kOfptError) return "";
    return name_of_error(*r);
  }
  static std::string name_of_error(const OfpMsg& m) {
    const char* n = ofperr_decode(m[0], load_be16(&m[8]), load_be16(&m[10]));
    return n ? n : "?";
  }
  // Pumps the loop until the connection is seen closed.
  bool wait_closed() {
    long long deadline = time_msec() + kTimeoutMsec;
    while (time_msec() < deadline) {
      v_->run();
      auto r = v_->recv();
      if (!r.ok() && !r.error().would_block()) return true;
      if (!r.ok()) loop_.run_once(5);
    }
    return false;
  }

 private:
  event::EventLoop& loop_;
  std::unique_ptr<Vconn> v_;
  uint32_t next_xid_ = 100;
};

class ConnmgrTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/connmgr-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    cm_ = std::make_unique<Connmgr>(loop_, sw_, "br0", dir_);
    auto st = cm_->start();
    ASSERT_TRUE(st.ok()) << st.error().to_string();
  }
  void TearDown() override {
    clients_.clear();
    cm_.reset();
    std::filesystem::remove_all(dir_);
  }
  Client& mgmt(uint32_t versions = 1u << kOfp13) {
    auto v = Vconn::open("unix:" + dir_ + "/br0.mgmt", versions);
    EXPECT_TRUE(v.ok());
    clients_.push_back(std::make_unique<Client>(loop_, std::move(*v)));
    EXPECT_TRUE(clients_.back()->connect());
    return *clients_.back();
  }
  OfpMsg flow_mod(Client& c, std::string_view text, FlowModCommand cmd = FlowModCommand::kAdd) {
    auto p = parse_flow_mod(text, cmd);
    EXPECT_TRUE(p.ok()) << text;
    Protocols proto = c.version() == kOfp10 ? kPOf10Std : kPOf13Oxm;
    if (c.version() == kOfp14) proto = kPOf14Oxm;
    auto m = encode_flow_mod(p->fm, proto, c.xid());
    EXPECT_TRUE(m.ok());
    return *m;
  }
  OfpMsg multipart(Client& c, uint16_t type, std::vector<uint8_t> body = {}) {
    uint8_t v = c.version();
    OfpBuf b(v, v == kOfp10 ? 16 : 18, c.xid());
    b.put16(type);
    b.put16(0);
    if (v != kOfp10) b.put_zeros(4);
    b.put_bytes(body.data(), body.size());
    return b.finish();
  }
  std::vector<FlowStats> dump(Client& c) {
    FlowStatsRequest r;
    auto req = encode_flow_stats_request(r, c.version(), c.xid());
    auto reply = c.transact(*req);
    EXPECT_TRUE(reply.has_value());
    auto fs = decode_flow_stats_reply(reply->data(), reply->size());
    EXPECT_TRUE(fs.ok());
    return fs.ok() ? *fs : std::vector<FlowStats>{};
  }

  event::EventLoop loop_;
  test::FakeSwitch sw_;
  std::string dir_;
  std::unique_ptr<Connmgr> cm_;
  std::vector<std::unique_ptr<Client>> clients_;
};

TEST_F(ConnmgrTest, FeaturesAndConfigOf10) {
  Client& c = mgmt(1u << kOfp10);
  ASSERT_EQ(c.version(), kOfp10);
  auto reply = c.transact(encode_features_request(kOfp10, c.xid()));
  ASSERT_TRUE(reply);
  auto f = decode_features_reply(reply->data(), reply->size());
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->datapath_id, sw_.dpid);
  EXPECT_EQ(f->n_tables, 254);
  EXPECT_EQ(f->n_buffers, 0u);
  // OF1.0 features carry the ports: 32-byte header + 48 bytes per port.
  EXPECT_EQ(reply->size(), 32u + 48u * sw_.port_list.size());

  // Service connections start with miss_send_len 0, as OVS.
  EXPECT_EQ(c.error_of(encode_set_config(kOfp10, c.xid(), {}, false)), "");
  OfpBuf get(kOfp10, kOfptGetConfigRequest, c.xid());
  c.send(encode_set_config(kOfp10, c.xid(), SwitchConfig{1, 256}));
  auto got = c.transact(get.finish());
  ASSERT_TRUE(got);
  auto sc = decode_switch_config(got->data(), got->size());
  ASSERT_TRUE(sc.ok());
  EXPECT_EQ(sc->miss_send_len, 256);
  EXPECT_EQ(sc->flags, 1);
}

TEST_F(ConnmgrTest, FlowModAndStatsOf13) {
  Client& c = mgmt();
  ASSERT_EQ(c.version(), kOfp13);
  EXPECT_EQ(c.error_of(flow_mod(c, "table=1,priority=5,ip,actions=output:2")), "");
  EXPECT_EQ(c.error_of(flow_mod(c, "in_port=1,actions=output:3")), "");
  EXPECT_EQ(sw_.tables().n_rules(0), 1u);
  EXPECT_EQ(sw_.tables().n_rules(1), 1u);
  EXPECT_GE(sw_.n_flows_changed, 2);
  auto flows = dump(c);
  ASSERT_EQ(flows.size(), 2u);
  EXPECT_EQ(flows[1].table_id, 1);
  EXPECT_EQ(flows[1].priority, 5);

  // Aggregate: same request body, type 2.
  FlowStatsRequest r;
  auto req = encode_flow_stats_request(r, kOfp13, c.xid());
  store_be16(&(*req)[8], 2);
  auto agg = c.transact(*req);
  ASSERT_TRUE(agg);
  ASSERT_EQ(agg->size(), 16u + 24u);
  EXPECT_EQ(load_be32(&(*agg)[32]), 2u);

  // Delete strict in table 1.
  EXPECT_EQ(c.error_of(flow_mod(c, "table=1,priority=5,ip", FlowModCommand::kDeleteStrict)), "");
  EXPECT_EQ(sw_.tables().n_rules(1), 0u);
  // Overlap check.
  EXPECT_EQ(c.error_of(flow_mod(c, "in_port=1,actions=drop")), "");
  auto p = parse_flow_mod("ip,actions=drop", FlowModCommand::kAdd);
  p->fm.flags = kFfCheckOverlap;
  auto m = encode_flow_mod(p->fm, kPOf13Oxm, c.xid());
  EXPECT_EQ(c.error_of(*m), "OFPFMFC_OVERLAP");
}

TEST_F(ConnmgrTest, DescTablePortStats) {
  Client& c = mgmt();
  auto desc = c.transact(multipart(c, 0));
  ASSERT_TRUE(desc);
  ASSERT_EQ(desc->size(), 16u + 1056u);
  EXPECT_STREQ(reinterpret_cast<const char*>(&(*desc)[16]), "Nicira, Inc.");
  EXPECT_STREQ(reinterpret_cast<const char*>(&(*desc)[16 + 256]), "Open vSwitch");
  EXPECT_STREQ(reinterpret_cast<const char*>(&(*desc)[16 + 768 + 32]), "None");

  auto tables = c.transact(multipart(c, 3));
  ASSERT_TRUE(tables);
  EXPECT_EQ(tables->size(), 16u + 24u * 254);

  std::vector<uint8_t> all_ports = {0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0};
  auto ports = c.transact(multipart(c, 4, all_ports));
  ASSERT_TRUE(ports);
  EXPECT_EQ(ports->size(), 16u + 112u * sw_.port_list.size());
  std::vector<uint8_t> port2 = {0, 0, 0, 2, 0, 0, 0, 0};
  ports = c.transact(multipart(c, 4, port2));
  ASSERT_TRUE(ports);
  ASSERT_EQ(ports->size(), 16u + 112u);
  EXPECT_EQ(load_be64(&(*ports)[16 + 8]), 20u);  // rx_packets of port 2

  auto pd = c.transact(multipart(c, 13));
  ASSERT_TRUE(pd);
  auto parsed = decode_port_desc_reply(pd->data(), pd->size());
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->size(), sw_.port_list.size());

  auto queues = c.transact(multipart(c, 5, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}));
  ASSERT_TRUE(queues);
  EXPECT_EQ(queues->size(), 16u);
  EXPECT_EQ(c.error_of(multipart(c, 77)), "OFPBRC_BAD_STAT");
}

TEST_F(ConnmgrTest, MalformedMessagesGetErrors) {
  Client& c = mgmt();
  Client& other = mgmt();
  // Unknown message type, with the offending bytes echoed back.
  OfpBuf unknown(kOfp13, 99, c.xid());
  unknown.put32(0xdeadbeef);
  OfpMsg u = unknown.finish();
  auto r = c.transact(u);
  ASSERT_TRUE(r);
  ASSERT_EQ((*r)[1], kOfptError);
  EXPECT_EQ(Client::name_of_error(*r), "OFPBRC_BAD_TYPE");
  ASSERT_EQ(r->size(), 12u + u.size());
  EXPECT_TRUE(std::equal(u.begin(), u.end(), r->begin() + 12));
  // Truncated flow_mod.
  OfpBuf shortfm(kOfp13, kOfptFlowMod, c.xid());
  shortfm.put_zeros(8);
  EXPECT_EQ(c.error_of(shortfm.finish()), "OFPBRC_BAD_LEN");
  // Unknown vendor / NX subtype.
  OfpBuf vendor(kOfp13, kOfptVendor, c.xid());
  vendor.put32(0x12345678);
  vendor.put32(1);
  EXPECT_EQ(c.error_of(vendor.finish()), "OFPBRC_BAD_VENDOR");
  OfpBuf nx(kOfp13, kOfptVendor, c.xid());
  nx.put32(kNxVendorId);
  nx.put32(9999);
  EXPECT_EQ(c.error_of(nx.finish()), "OFPBRC_BAD_SUBTYPE");
  // A flood of garbage on one connection leaves the other one working.
  for (int i = 0; i < 200; ++i) {
    OfpBuf g(kOfp13, static_cast<uint8_t>(40 + i % 50), c.xid());
    g.put_zeros(static_cast<size_t>(i % 17));
    c.send(g.finish());
  }
  EXPECT_EQ(other.error_of(flow_mod(other, "in_port=2,actions=output:1")), "");
  EXPECT_EQ(sw_.tables().n_rules(0), 1u);
  EXPECT_EQ(c.error_of(flow_mod(c, "in_port=3,actions=output:1")), "");
}

TEST_F(ConnmgrTest, RolesAndGenerationId) {
  Client& a = mgmt();
  Client& b = mgmt();
  auto role = [](Client& c, ControllerRole r, uint64_t gen) {
    return encode_role(false, c.version(), c.xid(), RoleMessage{r, gen});
  };
  auto ra = a.transact(role(a, ControllerRole::kPrimary, 5));
  ASSERT_TRUE(ra);
  auto da = decode_role(ra->data(), ra->size());
  ASSERT_TRUE(da.ok());
  EXPECT_EQ(da->role, ControllerRole::kPrimary);
  EXPECT_EQ(da->generation_id, 5u);
  // A stale generation id is refused.
  EXPECT_EQ(b.error_of(role(b, ControllerRole::kPrimary, 4)), "OFPRRFC_STALE");
  // b takes over; a becomes secondary and may not modify the switch.
  auto rb = b.transact(role(b, ControllerRole::kPrimary, 6));
  ASSERT_TRUE(rb);
  auto nochange = a.transact(role(a, ControllerRole::kNoChange, 0));
  ASSERT_TRUE(nochange);
  EXPECT_EQ(decode_role(nochange->data(), nochange->size())->role, ControllerRole::kSecondary);
  EXPECT_EQ(a.error_of(flow_mod(a, "actions=drop")), "OFPBRC_IS_SECONDARY");
  PacketOut po;
  po.in_port = 0xfffd;
  po.packet.assign(60, 0);
  EXPECT_EQ(a.error_of(*encode_packet_out(po, kOfp13, a.xid())), "OFPBRC_IS_SECONDARY");
  EXPECT_EQ(b.error_of(flow_mod(b, "actions=drop")), "");
  // Reads still work for the secondary.
  EXPECT_EQ(dump(a).size(), 1u);
}

TEST_F(ConnmgrTest, PacketOut) {
  Client& c = mgmt();
  PacketOut po;
  po.in_port = 1;
  po.packet.assign(64, 0xab);
  auto parsed = parse_actions("output:2");
  po.actions = parsed->actions;
  EXPECT_EQ(c.error_of(*encode_packet_out(po, kOfp13, c.xid())), "");
  ASSERT_EQ(sw_.packet_outs.size(), 1u);
  EXPECT_EQ(sw_.packet_outs[0].in_port, 1u);
  EXPECT_EQ(sw_.packet_outs[0].packet.size(), 64u);
  po.in_port = 77;
  EXPECT_EQ(c.error_of(*encode_packet_out(po, kOfp13, c.xid())), "OFPBRC_BAD_PORT");
  po.in_port = 1;
  po.actions = parse_actions("group:9")->actions;
  EXPECT_EQ(c.error_of(*encode_packet_out(po, kOfp13, c.xid())), "OFPBAC_BAD_OUT_GROUP");
}

TEST_F(ConnmgrTest, PortMod) {
  Client& c = mgmt();
  OfpBuf b(kOfp13, 16, c.xid());
  b.put32(2);
  b.put_zeros(4);
  const uint8_t mac[6] = {0x02, 0, 0, 0, 0, 2};
  b.put_bytes(mac, 6);
  b.put_zeros(2);
  b.put32(kPcPortDown);
  b.put32(kPcPortDown);
  b.put32(0);
  b.put_zeros(4);
  EXPECT_EQ(c.error_of(b.finish()), "");
  ASSERT_EQ(sw_.port_mods.size(), 1u);
  EXPECT_EQ(sw_.port_list[1].config & kPcPortDown, kPcPortDown);
  OfpBuf bad(kOfp13, 16, c.xid());
  bad.put32(9);
  bad.put_zeros(36);
  EXPECT_EQ(c.error_of(bad.finish()), "OFPPMFC_BAD_PORT");
}

TEST_F(ConnmgrTest, GroupsAndFlowsUsingThem) {
  Client& c = mgmt();
  auto gm = parse_group_mod("group_id=1,type=all,bucket=output:1,bucket=output:2",
                            GroupCommand::kAdd);
  ASSERT_TRUE(gm.ok());
  EXPECT_EQ(c.error_of(*encode_group_mod(gm->gm, kOfp13, c.xid())), "");
  EXPECT_EQ(c.error_of(*encode_group_mod(gm->gm, kOfp13, c.xid())), "OFPGMFC_GROUP_EXISTS");
  EXPECT_EQ(sw_.n_groups_changed, 1);
  // Flows may only use existing groups.
  EXPECT_EQ(c.error_of(flow_mod(c, "ip,actions=group:2")), "OFPBAC_BAD_OUT_GROUP");
  EXPECT_EQ(c.error_of(flow_mod(c, "ip,actions=group:1")), "");
  EXPECT_EQ(c.error_of(flow_mod(c, "arp,actions=output:1")), "");

  auto desc = c.transact(multipart(c, 7));
  ASSERT_TRUE(desc);
  // One group: 8-byte header + two 16-byte buckets with one 16-byte output.
  EXPECT_EQ(desc->size(), 16u + 8u + 2 * 32u);
  auto stats = c.transact(multipart(c, 6, {0xff, 0xff, 0xff, 0xfc, 0, 0, 0, 0}));
  ASSERT_TRUE(stats);
  ASSERT_EQ(stats->size(), 16u + 40u + 2 * 16u);
  EXPECT_EQ(load_be32(&(*stats)[16 + 4]), 1u);  // group_id
  EXPECT_EQ(load_be32(&(*stats)[16 + 8]), 1u);  // ref_count: one flow
  auto features = c.transact(multipart(c, 8));
  ASSERT_TRUE(features);
  EXPECT_EQ(features->size(), 16u + 40u);

  // Deleting the group deletes the flow that used it.
  auto del = parse_group_mod("group_id=1", GroupCommand::kDelete);
  EXPECT_EQ(c.error_of(*encode_group_mod(del->gm, kOfp13, c.xid())), "");
  EXPECT_EQ(sw_.groups().size(), 0u);
  auto flows = dump(c);
  ASSERT_EQ(flows.size(), 1u);
  EXPECT_EQ(flows[0].match.flow.dl_type, 0x0806);
}

TEST_F(ConnmgrTest, MetersAndFlowsUsingThem) {
  Client& c = mgmt();
  auto mm = parse_meter_mod("meter=1,kbps,band=type=drop,rate=5000", MeterCommand::kAdd);
  ASSERT_TRUE(mm.ok());
  EXPECT_EQ(c.error_of(*encode_meter_mod(*mm, kOfp13, c.xid())), "");
  EXPECT_EQ(sw_.meters_set, std::vector<uint32_t>{1});
  EXPECT_EQ(c.error_of(*encode_meter_mod(*mm, kOfp13, c.xid())), "OFPMMFC_METER_EXISTS");
  EXPECT_EQ(c.error_of(flow_mod(c, "ip,actions=meter:2,output:1")), "OFPMMFC_INVALID_METER");
  EXPECT_EQ(c.error_of(flow_mod(c, "ip,actions=meter:1,output:1")), "");

  auto cfg = c.transact(multipart(c, 10, {0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0}));
  ASSERT_TRUE(cfg);
  ASSERT_EQ(cfg->size(), 16u + 8u + 16u);
  EXPECT_EQ(load_be32(&(*cfg)[16 + 4]), 1u);
  EXPECT_EQ(load_be32(&(*cfg)[16 + 12]), 5000u);
  auto st = c.transact(multipart(c, 9, {0, 0, 0, 1, 0, 0, 0, 0}));
  ASSERT_TRUE(st);
  ASSERT_EQ(st->size(), 16u + 40u + 16u);
  EXPECT_EQ(load_be32(&(*st)[16 + 12]), 1u);  // flow_count
  auto feat = c.transact(multipart(c, 11));
  ASSERT_TRUE(feat);
  EXPECT_EQ(load_be32(&(*feat)[16]), 65536u);

  // A datapath refusal is reported and leaves no meter behind.
  sw_.fail_meter_set = true;
  auto mm2 = parse_meter_mod("meter=2,pktps,band=type=drop,rate=10", MeterCommand::kAdd);
  EXPECT_EQ(c.error_of(*encode_meter_mod(*mm2, kOfp13, c.xid())), "OFPMMFC_OUT_OF_METERS");
  EXPECT_EQ(sw_.meters().find(2), nullptr);
  sw_.fail_meter_set = false;

  auto del = parse_meter_mod("meter=1", MeterCommand::kDelete);
  ASSERT_TRUE(del.ok());
  EXPECT_EQ(c.error_of(*encode_meter_mod(*del, kOfp13, c.xid())), "");
  EXPECT_EQ(sw_.meters_deleted, std::vector<uint32_t>{1});
  EXPECT_TRUE(dump(c).empty());
}

OfpMsg bundle_ctrl(Client& c, uint32_t id, uint16_t type, uint16_t flags = 1) {
  OfpBuf b(kOfp14, 33, c.xid());
  b.put32(id);
  b.put16(type);
  b.put16(flags);
  return b.finish();
}

OfpMsg bundle_add(Client& c, uint32_t id, const OfpMsg& inner) {
  OfpBuf b(kOfp14, 34, load_be32(&inner[4]));
  b.put32(id);
  b.put16(0);
  b.put16(1);
  b.put_bytes(inner.data(), inner.size());
  (void)c;
  return b.finish();
}

TEST_F(ConnmgrTest, BundlesCommitAtomically) {
  Client& c = mgmt(1u << kOfp14);
  ASSERT_EQ(c.version(), kOfp14);
  auto open = c.transact(bundle_ctrl(c, 7, 0));
  ASSERT_TRUE(open);
  EXPECT_EQ((*open)[1], 33);
  EXPECT_EQ(load_be16(&(*open)[12]), 1);  // OPEN_REPLY
  EXPECT_EQ(c.error_of(bundle_add(c, 7, flow_mod(c, "in_port=1,actions=output:2"))), "");
  EXPECT_EQ(c.error_of(bundle_add(c, 7, flow_mod(c, "in_port=2,actions=output:1"))), "");
  EXPECT_EQ(sw_.tables().n_rules(0), 0u);  // nothing visible before commit
  auto commit = c.transact(bundle_ctrl(c, 7, 4));
  ASSERT_TRUE(commit);
  EXPECT_EQ(load_be16(&(*commit)[12]), 5);  // COMMIT_REPLY
  EXPECT_EQ(sw_.tables().n_rules(0), 2u);

  // A failing message makes the whole bundle fail.
  EXPECT_EQ(c.error_of(bundle_add(c, 8, flow_mod(c, "in_port=3,actions=output:1"))), "");
  auto p = parse_flow_mod("ip,actions=drop", FlowModCommand::kAdd);
  p->fm.flags = kFfCheckOverlap;
  auto overlap = encode_flow_mod(p->fm, kPOf14Oxm, c.xid());
  EXPECT_EQ(c.error_of(bundle_add(c, 8, *overlap)), "");
  EXPECT_EQ(c.error_of(bundle_ctrl(c, 8, 4)), "OFPBFC_MSG_FAILED");
  EXPECT_EQ(sw_.tables().n_rules(0), 2u);

  // Protocol errors.
  EXPECT_EQ(c.error_of(bundle_ctrl(c, 99, 4)), "OFPBFC_BAD_ID");
  EXPECT_EQ(c.error_of(bundle_ctrl(c, 9, 0)), "");
  EXPECT_EQ(c.error_of(bundle_ctrl(c, 9, 0)), "OFPBFC_BAD_ID");
  EXPECT_EQ(c.error_of(bundle_ctrl(c, 9, 2)), "");
  EXPECT_EQ(c.error_of(bundle_add(c, 9, flow_mod(c, "actions=drop"))), "OFPBFC_BUNDLE_CLOSED");
  EXPECT_EQ(c.error_of(bundle_ctrl(c, 9, 6)), "");
  EXPECT_EQ(c.error_of(bundle_ctrl(c, 9, 6)), "OFPBFC_BAD_ID");
  EXPECT_EQ(c.error_of(bundle_ctrl(c, 10, 0, 0x80)), "OFPBFC_BAD_FLAGS");
  auto inner = flow_mod(c, "actions=drop");
  auto wrong_xid = bundle_add(c, 11, inner);
  store_be32(&wrong_xid[4], 12345);
  EXPECT_EQ(c.error_of(wrong_xid), "OFPBFC_MSG_BAD_XID");
  EXPECT_EQ(c.error_of(bundle_add(c, 11, encode_barrier(false, kOfp14, c.xid()))),
            "OFPBFC_MSG_UNSUP");
}

TEST_F(ConnmgrTest, ControllerGetsAsyncMessages) {
  // The "controller" listens; the Connmgr connects to it.
  auto pv = vconn::PVconn::open("punix:" + dir_ + "/ctl.sock", 1u << kOfp13);
  ASSERT_TRUE(pv.ok());
  ControllerConfig cc;
  cc.target = "unix:" + dir_ + "/ctl.sock";
  cm_->set_controllers({cc});
  std::unique_ptr<Vconn> accepted;
  long long deadline = time_msec() + kTimeoutMsec;
  while (!accepted && time_msec() < deadline) {
    auto a = (*pv)->accept();
    if (a.ok()) accepted = std::move(*a);
    else loop_.run_once(5);
  }
  ASSERT_TRUE(accepted);
  Client ctl(loop_, std::move(accepted));
  ASSERT_TRUE(ctl.connect());
  // Handshake done on our side; make sure the switch saw it too.
  ASSERT_TRUE(ctl.transact(encode_features_request(kOfp13, ctl.xid())));
  EXPECT_TRUE(cm_->is_connected());
  auto st = cm_->controller_status();
  ASSERT_EQ(st.size(), 1u);
  EXPECT_TRUE(st[0].is_connected);
  EXPECT_EQ(st[0].role, "other");
  EXPECT_EQ(st[0].status["state"], "ACTIVE");

  Client& service = mgmt();
  PacketInRequest pin;
  pin.reason = kPinNoMatch;
  pin.packet.assign(300, 0x5a);
  pin.flow.in_port = 3;
  cm_->send_packet_in(pin);
  auto got = ctl.recv_until([](const OfpMsg& m) { return m[1] == kOfptPacketIn; });
  ASSERT_TRUE(got);
  auto decoded = decode_packet_in(got->data(), got->size());
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->packet.size(), 128u);  // miss_send_len default
  EXPECT_EQ(decoded->total_len, 300);
  EXPECT_EQ(decoded->flow_metadata.flow.in_port, 3u);

  // Port status and flow removed reach the controller too.
  cm_->send_port_status(kPortModify, sw_.port_list[0]);
  EXPECT_TRUE(ctl.recv_until([](const OfpMsg& m) { return m[1] == kOfptPortStatus; }));
  EXPECT_EQ(service.error_of(flow_mod(service, "priority=9,in_port=1,actions=drop")), "");
  auto p = parse_flow_mod("priority=10,in_port=2,actions=drop", FlowModCommand::kAdd);
  p->fm.flags = kFfSendFlowRem;
  EXPECT_EQ(service.error_of(*encode_flow_mod(p->fm, kPOf13Oxm, service.xid())), "");
  EXPECT_EQ(service.error_of(flow_mod(service, "in_port=2", FlowModCommand::kDelete)), "");
  auto fr = ctl.recv_until([](const OfpMsg& m) { return m[1] == kOfptFlowRemoved; });
  ASSERT_TRUE(fr);
  EXPECT_EQ(load_be16(&(*fr)[16]), 10);  // priority

  // The service connection got none of that packet-in: it never set a
  // miss_send_len.  After it does, it gets the next one.
  service.send(encode_set_config(kOfp13, service.xid(), SwitchConfig{0, 0xffff}));
  ASSERT_TRUE(service.transact(encode_barrier(false, kOfp13, service.xid())));
  cm_->send_packet_in(pin);
  auto spin = service.recv_until([](const OfpMsg& m) { return m[1] == kOfptPacketIn; });
  ASSERT_TRUE(spin);
  // No-match packet-ins honor miss_send_len: 0xffff = whole packet.
  EXPECT_EQ(decode_packet_in(spin->data(), spin->size())->packet.size(), 300u);

  // Secondaries get no packet-ins; controller(id=N) goes to id N only.
  pin.controller_id = 5;
  cm_->send_packet_in(pin);
  pin.controller_id = 0;
  pin.reason = kPinAction;
  pin.max_len = 64;
  pin.userdata = {1, 2};
  cm_->send_packet_in(pin);
  auto next = ctl.recv_until([](const OfpMsg& m) {
    return m[1] == kOfptPacketIn && decode_packet_in(m.data(), m.size())->reason == kPinAction;
  });
  ASSERT_TRUE(next);
  auto d2 = decode_packet_in(next->data(), next->size());
  EXPECT_EQ(d2->reason, kPinAction);
  EXPECT_EQ(d2->packet.size(), 64u);

  cm_->set_controllers({});
  EXPECT_FALSE(cm_->has_controllers());
  EXPECT_TRUE(ctl.wait_closed());
}

TEST_F(ConnmgrTest, PacketInRateLimit) {
  auto pv = vconn::PVconn::open("punix:" + dir_ + "/ctl.sock", 1u << kOfp13);
  ASSERT_TRUE(pv.ok());
  ControllerConfig cc;
  cc.target = "unix:" + dir_ + "/ctl.sock";
  cc.rate_limit = 100;
  cc.burst_limit = 25;
  cm_->set_controllers({cc});
  std::unique_ptr<Vconn> accepted;
  long long deadline = time_msec() + kTimeoutMsec;
  while (!accepted && time_msec() < deadline) {
    auto a = (*pv)->accept();
    if (a.ok()) accepted = std::move(*a);
    else loop_.run_once(5);
  }
  ASSERT_TRUE(accepted);
  Client ctl(loop_, std::move(accepted));
  ASSERT_TRUE(ctl.connect());
  ASSERT_TRUE(ctl.transact(encode_features_request(kOfp13, ctl.xid())));
  FakeClock clock(time_msec());
  set_clock(&clock);  // frozen: no tokens come back during the burst
  PacketInRequest pin;
  pin.reason = kPinAction;
  pin.packet.assign(60, 1);
  for (int i = 0; i < 80; ++i) cm_->send_packet_in(pin);
  set_clock(nullptr);
  int n = 0;
  uint32_t bx = ctl.xid();
  ctl.send(encode_barrier(false, kOfp13, bx));
  ctl.recv_until([&](const OfpMsg& m) {
    if (m[1] == kOfptPacketIn) ++n;
    return load_be32(&m[4]) == bx;
  });
  EXPECT_EQ(n, 25);  // the burst, nothing more
  EXPECT_NE(cm_->describe().find("rate_limited=55"), std::string::npos) << cm_->describe();
}

// Random bodies under every message type of every version: each gets a
// reply or an error and the switch keeps answering (no crash, no hang).
TEST_F(ConnmgrTest, RandomMessagesNeverCrash) {
  uint32_t seed = 12345;
  auto rnd = [&seed] {
    seed = seed * 1103515245 + 12345;
    return (seed >> 16) & 0x7fff;
  };
  for (uint8_t v : {kOfp10, kOfp13, kOfp14, kOfp15}) {
    Client& c = mgmt(1u << v);
    ASSERT_EQ(c.version(), v);
    for (int type = 0; type < 40; ++type) {
      for (int round = 0; round < 6; ++round) {
        if (type == kOfptHello || type == kOfptEchoReply || type == kOfptError) continue;
        OfpBuf b(v, static_cast<uint8_t>(type), c.xid());
        size_t len = rnd() % 120;
        if (type == kOfptVendor && len >= 8) {
          b.put32(round % 2 ? kNxVendorId : 0x4f4e4600);
          b.put32(round % 2 ? rnd() % 34 : 2300 + rnd() % 2);
          len -= 8;
        }
        for (size_t i = 0; i < len; ++i) b.put8(static_cast<uint8_t>(rnd()));
        c.send(b.finish());
      }
    }
    // Still alive and answering on this connection.
    auto r = c.transact(encode_features_request(v, c.xid()));
    ASSERT_TRUE(r.has_value()) << "version " << int(v);
    EXPECT_EQ((*r)[1], kOfptFeaturesReply);
  }
}

TEST(ConnmgrFailOpenTest, StandaloneFailsOpenSecureNever) {
  FakeClock clock;
  set_clock(&clock);
  {
    event::EventLoop loop;
    test::FakeSwitch sw;
    Connmgr cm(loop, sw, "br0", "/nonexistent");
    ControllerConfig cc;
    cc.target = "unix:/nonexistent/ctl.sock";
    cc.inactivity_probe = 5;
    cm.set_controllers({cc});
    cm.set_fail_mode(FailMode::kSecure);
    clock.advance(60000);
    cm.run();
    EXPECT_FALSE(cm.fail_open_active());
    EXPECT_FALSE(sw.fail_open);
    cm.set_fail_mode(FailMode::kStandalone);
    EXPECT_TRUE(cm.fail_open_active());
    EXPECT_TRUE(sw.fail_open);
    // Removing the controllers ends fail-open.
    cm.set_controllers({});
    EXPECT_FALSE(sw.fail_open);
    // Not before three probe intervals.
    cm.set_controllers({cc});
    clock.advance(10000);
    cm.run();
    EXPECT_FALSE(sw.fail_open);
    clock.advance(6000);
    cm.run();
    EXPECT_TRUE(sw.fail_open);
  }
  set_clock(nullptr);
}

TEST(ConnmgrApiTest, BadTargetsAndListeners) {
  event::EventLoop loop;
  test::FakeSwitch sw;
  Connmgr cm(loop, sw, "br0", "/nonexistent-dir");
  EXPECT_FALSE(cm.start().ok());
  cm.set_controllers({ControllerConfig{.target = "bogus:1"}});
  EXPECT_FALSE(cm.has_controllers());
  EXPECT_FALSE(cm.set_extra_listeners({"punix:/nonexistent-dir/x"}).ok());
  EXPECT_TRUE(cm.set_extra_listeners({"ptcp:0:127.0.0.1"}).ok());
  EXPECT_EQ(cm.n_connections(), 0u);
}

}  // namespace
}  // namespace grebe::connmgr

// Action/flow text: print -> parse -> print is a fixed point, and parsed
// structures are what the text says.
#include <gtest/gtest.h>

#include <fstream>

#include "grebe/openflow/flow_mod.h"

namespace grebe::openflow {
namespace {

// The flow in add-flow syntax, as dump-flows style text.
std::string flow_text(const FlowMod& fm) {
  std::string s;
  if (fm.table_id != 0xff) s += "table=" + std::to_string(fm.table_id) + ",";
  if (fm.idle_timeout) s += "idle_timeout=" + std::to_string(fm.idle_timeout) + ",";
  if (fm.hard_timeout) s += "hard_timeout=" + std::to_string(fm.hard_timeout) + ",";
  std::string m = format_match(fm.match, fm.priority);
  if (!m.empty()) s += m + ",";
  return s + "actions=" + format_actions(fm.actions);
}

std::vector<std::string> corpus(const char* name) {
  std::ifstream in(std::string(GREBE_OPENFLOW_GOLDEN_DIR) + "/" + name);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) lines.push_back(line);
  return lines;
}

TEST(FlowText, PrintParsePrintIsFixedPoint) {
  int checked = 0;
  for (const char* name : {"seed-flows.txt", "extra-flows.txt"}) {
    for (const std::string& line : corpus(name)) {
      auto first = parse_flow_mod(line, FlowModCommand::kAdd);
      if (!first.ok()) continue;  // rejected flows are covered by the golden test
      std::string text1 = flow_text(first->fm);
      auto second = parse_flow_mod(text1, FlowModCommand::kAdd);
      ASSERT_TRUE(second.ok()) << text1 << ": " << second.error().message();
      EXPECT_EQ(flow_text(second->fm), text1) << line;
      EXPECT_EQ(second->fm.actions, first->fm.actions) << line;
      EXPECT_EQ(second->fm.match, first->fm.match) << line;
      ++checked;
    }
  }
  EXPECT_GT(checked, 150);
}

TEST(Actions, ParsesIntoStructures) {
  auto r = parse_actions("output:2,mod_vlan_vid:5,resubmit(,3),ct(commit,zone=7)");
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->actions.size(), 4u);
  EXPECT_EQ(std::get<ActOutput>(r->actions[0].v).port, 2u);
  EXPECT_EQ(std::get<ActSetVlanVid>(r->actions[1].v).vid, 5);
  EXPECT_TRUE(std::get<ActSetVlanVid>(r->actions[1].v).push_vlan_if_needed);
  EXPECT_EQ(std::get<ActResubmit>(r->actions[2].v).table_id, 3);
  EXPECT_EQ(std::get<ActResubmit>(r->actions[2].v).in_port, kOfppInPort);
  const auto& ct = std::get<ActCt>(r->actions[3].v);
  EXPECT_TRUE(ct.commit);
  EXPECT_EQ(ct.zone_imm, 7);
}

TEST(Actions, BarePortsAndDrop) {
  auto r = parse_actions("1,LOCAL,NORMAL,in_port");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(format_actions(r->actions), "output:1,LOCAL,NORMAL,IN_PORT");
  auto d = parse_actions("drop");
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->actions.empty());
  EXPECT_EQ(format_actions(d->actions), "drop");
}

TEST(Actions, LoadBecomesMaskedSetField) {
  auto r = parse_actions("load:0x5->NXM_NX_REG0[4..7]");
  ASSERT_TRUE(r.ok());
  const auto& sf = std::get<ActSetField>(r->actions[0].v);
  EXPECT_EQ(sf.field->id, MfId::kReg0);
  EXPECT_EQ(sf.value.to_u64(*sf.field), 0x50u);
  EXPECT_EQ(sf.mask.to_u64(*sf.field), 0xf0u);
  EXPECT_EQ(format_actions(r->actions), "load:0x5->NXM_NX_REG0[4..7]");
}

TEST(Actions, ErrorsNameTheToken) {
  EXPECT_EQ(parse_actions("frobnicate").error().message(), "unknown action frobnicate");
  EXPECT_EQ(parse_actions("output:nowhere").error().message(), "nowhere: output to unknown port");
  EXPECT_EQ(parse_actions("set_field:1->bogus").error().message(),
            "bogus is not a valid OXM field name");
}

TEST(FlowMod, CommandsAndKeywords) {
  auto del = parse_flow_mod("delete_strict priority=5,in_port=1,out_port=2",
                            FlowModCommand::kAdd, nullptr, true);
  ASSERT_TRUE(del.ok()) << del.error().message();
  EXPECT_EQ(del->fm.command, FlowModCommand::kDeleteStrict);
  EXPECT_EQ(del->fm.priority, 5);
  EXPECT_EQ(del->fm.out_port, 2u);
  EXPECT_EQ(parse_flow_mod("in_port=1", FlowModCommand::kAdd).error().message(),
            "must specify an action");
  auto mod = parse_flow_mod("cookie=0x5/-1,actions=drop", FlowModCommand::kModify);
  ASSERT_TRUE(mod.ok()) << mod.error().message();
  EXPECT_EQ(mod->fm.cookie_mask, ~0ull);
}

TEST(FlowMod, UsableProtocols) {
  auto p = [](const char* s) { return parse_flow_mod(s, FlowModCommand::kAdd)->usable; };
  EXPECT_EQ(p("in_port=1,actions=drop"), kPAny);
  EXPECT_EQ(p("table=1,actions=drop") & kPOf10Std, 0u);
  EXPECT_EQ(p("reg0=1,actions=drop"), kPNxmOxmAny);
  EXPECT_EQ(p("actions=meter:1"), kPOf13Up);
  EXPECT_EQ(protocols_to_string(p("ip,nw_src=1.0.3.0/255.0.255.0,actions=drop")),
            "NXM,OXM,OpenFlow11");
}

}  // namespace
}  // namespace grebe::openflow

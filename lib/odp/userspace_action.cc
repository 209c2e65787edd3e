// userspace(pid=..,<cookie>,actions,tunnel_out_port=..) action.
#include <linux/openvswitch.h>

#include <cstring>

#include "action_private.h"
#include "grebe/odp/odp_actions.h"
#include "grebe/util/byteorder.h"
#include "odp_private.h"
#include "text.h"

namespace grebe::odp {

using namespace text;

namespace {

constexpr uint32_t kSlowPathReasonMask = 0x7f;

template <typename T>
T get(const uint8_t* c, size_t off) {
  T v;
  std::memcpy(&v, c + off, sizeof v);
  return v;
}
template <typename T>
void put(uint8_t* c, size_t off, T v) {
  std::memcpy(c + off, &v, sizeof v);
}

// Appends ",<cookie>" for a recognised 48-byte cookie; false if unknown.
bool format_cookie(std::string& out, const uint8_t* c) {
  const size_t u = kCookieUnion;
  switch (static_cast<UserActionCookieType>(get<uint16_t>(c, kCookieType))) {
    case UserActionCookieType::kSflow: {
      uint16_t tci = load_be16(c + u);
      appendf(out, ",sFlow(vid=%u,pcp=%u,output=%u)", tci & 0xfff, tci >> 13,
              get<uint32_t>(c, u + 4));
      return true;
    }
    case UserActionCookieType::kSlowPath:
      out += ",slow_path(";
      format_flags(out, slow_path_reason_to_string, get<uint32_t>(c, u + 4), ',');
      out += ')';
      return true;
    case UserActionCookieType::kFlowSample: {
      appendf(out,
              ",flow_sample(probability=%u,collector_set_id=%u,obs_domain_id=%u,"
              "obs_point_id=%u,output_port=",
              get<uint16_t>(c, u), get<uint32_t>(c, u + 4), get<uint32_t>(c, u + 8),
              get<uint32_t>(c, u + 12));
      format_odp_port(out, get<uint32_t>(c, u + 16));
      int32_t dir = get<int32_t>(c, u + 20);
      if (dir == 1) out += ",ingress";
      if (dir == 2) out += ",egress";
      out += ')';
      return true;
    }
    case UserActionCookieType::kIpfix:
      out += ",ipfix(output_port=";
      format_odp_port(out, get<uint32_t>(c, u));
      out += ')';
      return true;
    case UserActionCookieType::kController:
      appendf(out,
              ",controller(reason=%u,dont_send=%d,continuation=%d,recirc_id=%u,"
              "rule_cookie=%#llx,controller_id=%u,max_len=%u)",
              get<uint16_t>(c, u + 2), c[u] ? 1 : 0, c[u + 1] ? 1 : 0, get<uint32_t>(c, u + 4),
              static_cast<unsigned long long>(load_be64(c + u + 8)), get<uint16_t>(c, u + 16),
              get<uint16_t>(c, u + 18));
      return true;
    default:
      return false;
  }
}

constexpr nl::AttrPolicyTable<OVS_USERSPACE_ATTR_ACTIONS + 1> kUserspacePolicy = [] {
  nl::AttrPolicyTable<OVS_USERSPACE_ATTR_ACTIONS + 1> t{};
  t[OVS_USERSPACE_ATTR_PID] = {nl::AttrKind::kU32, false, 0, 0, "pid"};
  t[OVS_USERSPACE_ATTR_USERDATA] = {nl::AttrKind::kUnspec, true, 0, 0, "userdata"};
  t[OVS_USERSPACE_ATTR_EGRESS_TUN_PORT] = {nl::AttrKind::kU32, true, 0, 0, "tunnel_out_port"};
  t[OVS_USERSPACE_ATTR_ACTIONS] = {nl::AttrKind::kUnspec, true, 0, 0, "actions"};
  return t;
}();

}  // namespace

const char* slow_path_reason_to_string(uint32_t reason) {
  switch (reason) {
    case kSlowCfm:
      return "cfm";
    case kSlowBfd:
      return "bfd";
    case kSlowLacp:
      return "lacp";
    case kSlowStp:
      return "stp";
    case kSlowLldp:
      return "lldp";
    case kSlowAction:
      return "action";
    case kSlowMatch:
      return "match";
    default:
      return nullptr;
  }
}

void format_userspace_action(std::string& out, nl::Attr attr) {
  auto a = nl::parse_attrs(attr.payload(), kUserspacePolicy);
  if (!a.ok()) {
    out += "userspace(error)";
    return;
  }
  appendf(out, "userspace(pid=%u", (*a)[OVS_USERSPACE_ATTR_PID].get_u32());
  nl::Attr ud = (*a)[OVS_USERSPACE_ATTR_USERDATA];
  if (ud.valid()) {
    bool known = ud.size() == kUserActionCookieLen && format_cookie(out, ud.data());
    if (!known) {
      out += ",userdata(";
      for (size_t i = 0; i < ud.size(); i++) appendf(out, "%02x", ud.data()[i]);
      out += ')';
    }
  }
  if ((*a)[OVS_USERSPACE_ATTR_ACTIONS].valid()) out += ",actions";
  nl::Attr tun = (*a)[OVS_USERSPACE_ATTR_EGRESS_TUN_PORT];
  if (tun.valid()) {
    out += ",tunnel_out_port=";
    format_odp_port(out, tun.get_u32());
  }
  out += ')';
}

namespace {

// Each cookie scanner fills a zeroed 48-byte cookie and returns characters
// consumed, 0 if the text is not its kind, or kScanFail.
using Cookie = uint8_t[kUserActionCookieLen];

void set_cookie_type(Cookie c, UserActionCookieType t) {
  put<uint16_t>(c, kCookieType, static_cast<uint16_t>(t));
  put<uint16_t>(c, kCookieInPort, kOfppNone);
}

size_t scan_sflow(const char* s, Cookie c) {
  uint32_t vid, pcp, output;
  Scan sc(s);
  sc.lit(",sFlow(vid=").num(&vid).lit(",pcp=").num(&pcp).lit(",output=").num(&output).lit(")");
  if (!sc.ok()) return 0;
  uint16_t tci = static_cast<uint16_t>(vid | pcp << 13);
  if (tci) tci |= 0x1000;
  set_cookie_type(c, UserActionCookieType::kSflow);
  store_be16(c + kCookieUnion, tci);
  put<uint32_t>(c, kCookieUnion + 4, output);
  return sc.consumed();
}

size_t scan_slow_path(const char* s, Cookie c) {
  size_t n = match(s, ",slow_path(");
  if (!n) return 0;
  uint32_t reason = 0;
  int r =
      parse_flags(s + n, slow_path_reason_to_string, ')', kSlowPathReasonMask, &reason, nullptr);
  if (r < 0 || s[n + r] != ')') return kScanFail;
  set_cookie_type(c, UserActionCookieType::kSlowPath);
  put<uint32_t>(c, kCookieUnion + 4, reason);
  return n + r + 1;
}

size_t scan_flow_sample(const char* s, Cookie c) {
  uint32_t prob, cset, dom, point, output;
  Scan fs(s);
  fs.lit(",flow_sample(probability=").num(&prob).lit(",collector_set_id=").num(&cset);
  fs.lit(",obs_domain_id=").num(&dom).lit(",obs_point_id=").num(&point);
  fs.lit(",output_port=").num(&output);
  if (!fs.ok()) return 0;
  const char* p = fs.pos();
  int32_t dir = 0;  // NX_ACTION_SAMPLE_DEFAULT / INGRESS / EGRESS
  if (size_t n = match(p, ",ingress")) {
    dir = 1;
    p += n;
  } else if ((n = match(p, ",egress"))) {
    dir = 2;
    p += n;
  }
  if (*p != ')') return kScanFail;
  const size_t u = kCookieUnion;
  set_cookie_type(c, UserActionCookieType::kFlowSample);
  put<uint16_t>(c, u, static_cast<uint16_t>(prob));
  put<uint32_t>(c, u + 4, cset);
  put<uint32_t>(c, u + 8, dom);
  put<uint32_t>(c, u + 12, point);
  put<uint32_t>(c, u + 16, output);
  put<int32_t>(c, u + 20, dir);
  return p + 1 - s;
}

size_t scan_ipfix(const char* s, Cookie c) {
  uint32_t output;
  Scan ip(s);
  ip.lit(",ipfix(output_port=").num(&output).lit(")");
  if (!ip.ok()) return 0;
  set_cookie_type(c, UserActionCookieType::kIpfix);
  put<uint32_t>(c, kCookieUnion, output);
  return ip.consumed();
}

size_t scan_controller(const char* s, Cookie c) {
  uint16_t reason, ctl_id, max_len;
  uint8_t dont_send, cont;
  uint32_t recirc;
  uint64_t rule_cookie;
  Scan ct(s);
  ct.lit(",controller(reason=").num(&reason, 10).lit(",dont_send=").num(&dont_send, 10);
  ct.lit(",continuation=").num(&cont, 10).lit(",recirc_id=").num(&recirc, 10);
  ct.lit(",rule_cookie=").num(&rule_cookie, 16).lit(",controller_id=").num(&ctl_id, 10);
  ct.lit(",max_len=").num(&max_len, 10).lit(")");
  if (!ct.ok()) return 0;
  const size_t u = kCookieUnion;
  set_cookie_type(c, UserActionCookieType::kController);
  c[u] = dont_send ? 1 : 0;
  c[u + 1] = cont ? 1 : 0;
  put<uint16_t>(c, u + 2, reason);
  put<uint32_t>(c, u + 4, recirc);
  store_be64(c + u + 8, rule_cookie);
  put<uint16_t>(c, u + 16, ctl_id);
  put<uint16_t>(c, u + 18, max_len);
  return ct.consumed();
}

// ",userdata(<hex>)": arbitrary bytes instead of a cookie.
size_t scan_userdata(const char* s, std::vector<uint8_t>* userdata) {
  size_t n = match(s, ",userdata(");
  if (!n) return 0;
  auto hex = [](char ch) {
    return ch >= '0' && ch <= '9'   ? ch - '0'
           : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
           : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                    : -1;
  };
  const char* p = s + n;
  userdata->clear();
  for (;;) {
    p += std::strspn(p, " \t\r\n");
    int hi = hex(p[0]);
    int lo = hi < 0 ? -1 : hex(p[1]);
    if (hi < 0 || lo < 0) break;
    userdata->push_back(static_cast<uint8_t>(hi << 4 | lo));
    p += 2;
  }
  return *p == ')' ? static_cast<size_t>(p + 1 - s) : kScanFail;
}

// Scans the optional ",<cookie>" part into `userdata`; returns characters
// consumed (0 if none) or kScanFail.
size_t scan_cookie(const char* s, std::vector<uint8_t>* userdata) {
  Cookie c = {};
  for (auto scan : {scan_sflow, scan_slow_path, scan_flow_sample, scan_ipfix, scan_controller}) {
    size_t n = scan(s, c);
    if (n == kScanFail) return kScanFail;
    if (n) {
      userdata->assign(c, c + sizeof c);
      return n;
    }
  }
  if (size_t n = scan_userdata(s, userdata)) return n;
  // No cookie: OVS still sends an all-zero one.
  userdata->assign(c, c + sizeof c);
  return 0;
}

}  // namespace

Result<size_t> parse_userspace_action(const char* s, nl::AttrBuilder& actions) {
  uint32_t pid;
  Scan sc(s);
  sc.lit("userspace(pid=").num(&pid);
  if (!sc.ok()) return action_syntax_error();
  size_t n = sc.consumed();
  std::vector<uint8_t> userdata;
  size_t c = scan_cookie(s + n, &userdata);
  if (c == kScanFail) return action_syntax_error();
  n += c;
  bool include_actions = false;
  if (size_t m = match(s + n, ",actions")) {
    include_actions = true;
    n += m;
  }
  bool has_tun_port = false;
  uint32_t tun_port = 0;
  Scan tp(s + n);
  tp.lit(",tunnel_out_port=").num(&tun_port).lit(")");
  if (tp.ok()) {
    has_tun_port = true;
    n += tp.consumed();
  } else if (s[n] == ')') {
    n++;
  } else {
    return action_syntax_error();
  }
  if (userdata.size() > nl::kAttrMaxLen - nl::kAttrHdrLen) return Error(E2BIG, "too big");
  size_t nest = actions.start_nested(OVS_ACTION_ATTR_USERSPACE);
  actions.put_u32(OVS_USERSPACE_ATTR_PID, pid);
  // At least 8 bytes: old kernels required exactly 8.
  size_t off =
      actions.put_uninit(OVS_USERSPACE_ATTR_USERDATA, std::max<size_t>(8, userdata.size()));
  if (!userdata.empty())
    std::memcpy(actions.mutable_data().data() + off, userdata.data(), userdata.size());
  if (has_tun_port) actions.put_u32(OVS_USERSPACE_ATTR_EGRESS_TUN_PORT, tun_port);
  if (include_actions) actions.put_flag(OVS_USERSPACE_ATTR_ACTIONS);
  if (actions.size() - nest - nl::kAttrHdrLen > nl::kAttrMaxLen - nl::kAttrHdrLen) {
    return Error(E2BIG, "too big");
  }
  actions.end_nested(nest);
  return n;
}

}  // namespace grebe::odp

// tnl_push(tnl_port(N),header(...),out_port(M)): the userspace datapath's
// tunnel encapsulation action.  Its argument is OVS's struct
// ovs_action_push_tnl: u32 tnl_port, u32 out_port, u32 header_len,
// u32 tnl_type, then header_len bytes of prebuilt Ethernet + IP + tunnel
// headers.
#include <algorithm>
#include <cstring>
#include <vector>

#include "action_private.h"
#include "grebe/odp/odp_actions.h"
#include "grebe/packet/csum.h"
#include "grebe/util/byteorder.h"
#include "odp_private.h"
#include "text.h"

namespace grebe::odp {

using namespace text;

namespace {

// OVS vport types as OVS numbers them (the kernel header stops at GENEVE).
constexpr uint32_t kVportGre = 3, kVportVxlan = 4, kVportGeneve = 5, kVportErspan = 107,
                   kVportIp6Erspan = 108, kVportIp6Gre = 109, kVportGtpu = 110;
constexpr size_t kPushTnlFixed = 16;  // the four u32s before the header
constexpr size_t kHeaderMax = 512;    // TNL_PUSH_HEADER_SIZE
constexpr size_t kEthLen = 14, kIpv4Len = 20, kIpv6Len = 40, kUdpLen = 8;
constexpr uint16_t kGreCsum = 0x8000, kGreKey = 0x2000, kGreSeq = 0x1000;
constexpr uint16_t kEthTypeTeb = 0x6558;

// Formats the L4 / tunnel part at `l4`.
void format_tunnel_header(std::string& out, uint32_t type, const uint8_t* l4) {
  if (type == kVportVxlan || type == kVportGeneve || type == kVportGtpu) {
    appendf(out, "udp(src=%u,dst=%u,csum=0x%x),", load_be16(l4), load_be16(l4 + 2),
            load_be16(l4 + 6));
    const uint8_t* t = l4 + kUdpLen;
    if (type == kVportVxlan) {
      appendf(out, "vxlan(flags=0x%x,vni=0x%x)", load_be32(t), load_be32(t + 4) >> 8);
    } else if (type == kVportGeneve) {
      appendf(out, "geneve(%s%svni=0x%x", (t[1] & 0x80) ? "oam," : "", (t[1] & 0x40) ? "crit," : "",
              load_be32(t + 4) >> 8);
      size_t opt_len = (t[0] & 0x3f) * 4u;
      if (opt_len) {
        out += ",options(";
        format_geneve_opts(out, t + 8, nullptr, opt_len, false);
        out += ')';
      }
      out += ')';
    } else {
      appendf(out, "gtpu(flags=0x%x,msgtype=%u,teid=0x%x)", t[0], t[1], load_be32(t + 4));
    }
  } else if (type == kVportGre || type == kVportIp6Gre) {
    uint16_t flags = load_be16(l4);
    appendf(out, "gre((flags=0x%x,proto=0x%x)", flags, load_be16(l4 + 2));
    const uint8_t* opt = l4 + 4;
    if (flags & kGreCsum) {
      appendf(out, ",csum=0x%x", load_be16(opt));
      opt += 4;
    }
    if (flags & kGreKey) {
      appendf(out, ",key=0x%x", load_be32(opt));
      opt += 4;
    }
    if (flags & kGreSeq) appendf(out, ",seq=0x%x", load_be32(opt));
    out += ')';
  } else if (type == kVportErspan || type == kVportIp6Erspan) {
    // GRE base header + sequence number (8 bytes), then the ERSPAN header.
    const uint8_t* ersh = l4 + 8;
    uint8_t ver = ersh[0] >> 4;
    uint16_t sid = load_be16(ersh + 2) & 0x3ff;
    if (ver == 1) {
      appendf(out, "erspan(ver=1,sid=0x%x,idx=0x%x)", sid, load_be32(ersh + 4));
    } else if (ver == 2) {
      const uint8_t* md2 = ersh + 4;  // after the 4-byte ERSPAN base header
      uint8_t hwid = static_cast<uint8_t>((md2[6] & 3) << 4 | md2[7] >> 4);
      appendf(out, "erspan(ver=2,sid=0x%x,dir=%u,hwid=0x%x)", sid, (md2[7] >> 3) & 1, hwid);
    }
  }
}

}  // namespace

void format_tnl_push_action(std::string& out, nl::Attr a) {
  // Work on a zero-padded copy so a short attribute never causes an
  // out-of-bounds read, whatever header_len claims.
  std::vector<uint8_t> d(kPushTnlFixed + kHeaderMax + 64, 0);
  std::memcpy(d.data(), a.data(), std::min(a.size(), kPushTnlFixed + kHeaderMax));
  uint32_t tnl_port, out_port, header_len, type;
  std::memcpy(&tnl_port, d.data(), 4);
  std::memcpy(&out_port, d.data() + 4, 4);
  std::memcpy(&header_len, d.data() + 8, 4);
  std::memcpy(&type, d.data() + 12, 4);
  const uint8_t* eth = d.data() + kPushTnlFixed;
  out += "tnl_push(tnl_port(";
  format_odp_port(out, tnl_port);
  appendf(out, "),header(size=%u,type=%u,eth(dst=%s,src=%s,dl_type=0x%04x),", header_len, type,
          eth_to_string(eth).c_str(), eth_to_string(eth + 6).c_str(), load_be16(eth + 12));
  const uint8_t* l3 = eth + kEthLen;
  const uint8_t* l4;
  if (load_be16(eth + 12) == 0x0800) {
    appendf(out, "ipv4(src=%s,dst=%s,proto=%u,tos=%#x,ttl=%u,frag=0x%x),",
            ipv4_to_string(l3 + 12).c_str(), ipv4_to_string(l3 + 16).c_str(), l3[9], l3[1], l3[8],
            load_be16(l3 + 6));
    l4 = l3 + kIpv4Len;
  } else {
    uint32_t flow = load_be32(l3);
    appendf(out, "ipv6(src=%s,dst=%s,label=%u,proto=%u,tclass=0x%x,hlimit=%u),",
            ipv6_to_string(l3 + 8).c_str(), ipv6_to_string(l3 + 24).c_str(), flow & 0xfffff, l3[6],
            (flow >> 20) & 0xff, l3[7]);
    l4 = l3 + kIpv6Len;
  }
  format_tunnel_header(out, type, l4);
  out += "),out_port(";
  format_odp_port(out, out_port);
  out += "))";
}

namespace {

// Scans "ipv4(...)," or "ipv6(...)," into l3; returns chars or 0.
size_t scan_tnl_l3(const char* s, uint16_t dl_type, uint8_t* l3, size_t* l3_len) {
  if (dl_type == 0x0800) {
    uint8_t src[4], dst[4];
    uint32_t proto, tos, ttl, frag;
    size_t n = match(s, "ipv4(src=");
    size_t a = n ? scan_ipv4_addr(s + n, src) : 0;
    if (!a) return 0;
    Scan sc(s + n + a);
    sc.lit(",dst=");
    size_t b = sc.ok() ? scan_ipv4_addr(sc.pos(), dst) : 0;
    if (!b) return 0;
    Scan rest(sc.pos() + b);
    rest.lit(",proto=").num(&proto).lit(",tos=").num(&tos).lit(",ttl=").num(&ttl);
    rest.lit(",frag=0x").num(&frag, 16).lit("),");
    if (!rest.ok()) return 0;
    std::memset(l3, 0, kIpv4Len);
    l3[0] = 0x45;
    l3[1] = static_cast<uint8_t>(tos);
    store_be16(l3 + 6, static_cast<uint16_t>(frag));
    l3[8] = static_cast<uint8_t>(ttl);
    l3[9] = static_cast<uint8_t>(proto);
    std::memcpy(l3 + 12, src, 4);
    std::memcpy(l3 + 16, dst, 4);
    store_be16(l3 + 10, csum(l3, kIpv4Len));
    *l3_len = kIpv4Len;
    return rest.pos() - s;
  }
  size_t n = match(s, "ipv6(src=");
  size_t a = n ? scan_ipv6_addr(s + n, l3 + 8) : 0;
  if (!a || !match(s + n + a, ",dst=")) return 0;
  const char* p = s + n + a + 5;
  size_t b = scan_ipv6_addr(p, l3 + 24);
  if (!b) return 0;
  uint32_t label, proto, tclass, hlim;
  Scan rest(p + b);
  rest.lit(",label=").num(&label).lit(",proto=").num(&proto).lit(",tclass=0x").num(&tclass, 16);
  rest.lit(",hlimit=").num(&hlim).lit("),");
  if (!rest.ok() || (label & ~0xfffffu)) return 0;
  store_be32(l3, 6u << 28 | (tclass & 0xff) << 20 | label);
  store_be16(l3 + 4, 0);
  l3[6] = static_cast<uint8_t>(proto);
  l3[7] = static_cast<uint8_t>(hlim);
  *l3_len = kIpv6Len;
  return rest.pos() - s;
}

// Scans the UDP-based tunnel header; returns chars or 0, sets type/len.
size_t scan_tnl_udp(const char* s, uint8_t* l4, uint32_t* type, size_t* len) {
  uint32_t src, dst, csum16;
  Scan sc(s);
  sc.lit("udp(src=").num(&src).lit(",dst=").num(&dst).lit(",csum=0x").num(&csum16, 16).lit("),");
  if (!sc.ok()) return 0;
  store_be16(l4, static_cast<uint16_t>(src));
  store_be16(l4 + 2, static_cast<uint16_t>(dst));
  store_be16(l4 + 6, static_cast<uint16_t>(csum16));
  uint8_t* t = l4 + kUdpLen;
  uint32_t flags, vni;
  Scan vx(sc.pos());
  vx.lit("vxlan(flags=0x").num(&flags, 16).lit(",vni=0x").num(&vni, 16).lit("))");
  if (vx.ok()) {
    store_be32(t, flags);
    store_be32(t + 4, vni << 8);
    *type = kVportVxlan;
    *len = kUdpLen + 8;
    return sc.consumed() + vx.consumed();
  }
  const char* p = sc.pos();
  size_t n = match(p, "geneve(");
  if (!n) return 0;
  p += n;
  std::memset(t, 0, 8);
  if ((n = match(p, "oam,"))) {
    t[1] |= 0x80;
    p += n;
  }
  if ((n = match(p, "crit,"))) {
    t[1] |= 0x40;
    p += n;
  }
  Scan vn(p);
  vn.lit("vni=").num(&vni);
  if (!vn.ok()) return 0;
  p = vn.pos();
  size_t opt_len = 0;
  if ((n = match(p, ",options("))) {
    std::vector<uint8_t> opts, mask;
    size_t m = scan_geneve_opts(p + n, &opts, &mask);
    if (!m || opts.size() > kHeaderMax - 128) return 0;
    std::memcpy(t + 8, opts.data(), opts.size());
    opt_len = opts.size();
    t[0] = static_cast<uint8_t>(opt_len / 4);
    p += n + m;
  }
  if (!match(p, "))")) return 0;
  store_be16(t + 2, kEthTypeTeb);
  store_be32(t + 4, vni << 8);
  *type = kVportGeneve;
  *len = kUdpLen + 8 + opt_len;
  return p + 2 - s;
}

size_t scan_tnl_gre(const char* s, uint8_t* l4, size_t* len) {
  uint32_t flags, proto;
  Scan sc(s);
  sc.lit("gre((flags=0x").num(&flags, 16).lit(",proto=0x").num(&proto, 16).lit(")");
  if (!sc.ok()) return 0;
  store_be16(l4, static_cast<uint16_t>(flags));
  store_be16(l4 + 2, static_cast<uint16_t>(proto));
  uint8_t* opt = l4 + 4;
  const char* p = sc.pos();
  static constexpr struct {
    uint16_t bit;
    const char* name;
  } kOpts[] = {{kGreCsum, ",csum=0x"}, {kGreKey, ",key=0x"}, {kGreSeq, ",seq=0x"}};
  for (const auto& o : kOpts) {
    if (!(flags & o.bit)) continue;
    uint32_t v;
    Scan ov(p);
    ov.lit(o.name).num(&v, 16);
    if (!ov.ok()) return 0;
    if (o.bit == kGreCsum) {
      std::memset(opt, 0, 4);
      store_be16(opt, static_cast<uint16_t>(v));
    } else {
      store_be32(opt, v);
    }
    opt += 4;
    p = ov.pos();
  }
  if (!match(p, "))")) return 0;
  *len = opt - l4;
  return p + 2 - s;
}

}  // namespace

Result<size_t> parse_tnl_push_action(const char* s, nl::AttrBuilder& actions) {
  uint32_t tnl_port = 0, header_len = 0, type = 0, dl_type = 0, out_port = 0;
  std::vector<uint8_t> d(kPushTnlFixed + kHeaderMax, 0);
  uint8_t* eth = d.data() + kPushTnlFixed;
  Scan sc(s);
  sc.lit("tnl_push(tnl_port(").num(&tnl_port).lit("),header(size=").num(&header_len);
  sc.lit(",type=").num(&type).lit(",eth(dst=");
  size_t n = sc.ok() ? scan_eth_addr(sc.pos(), eth) : 0;
  if (!n) return action_syntax_error();
  const char* p = sc.pos() + n;
  size_t m = match(p, ",src=");
  size_t k = m ? scan_eth_addr(p + m, eth + 6) : 0;
  if (!k) return action_syntax_error();
  Scan dt(p + m + k);
  dt.lit(",dl_type=0x").num(&dl_type, 16).lit("),");
  if (!dt.ok()) return action_syntax_error();
  store_be16(eth + 12, static_cast<uint16_t>(dl_type));
  p = dt.pos();
  size_t l3_len = 0;
  if (!(n = scan_tnl_l3(p, static_cast<uint16_t>(dl_type), eth + kEthLen, &l3_len))) {
    return action_syntax_error();
  }
  p += n;
  uint8_t* l4 = eth + kEthLen + l3_len;
  uint32_t want_type = 0;
  size_t l4_len = 0;
  if ((n = scan_tnl_udp(p, l4, &want_type, &l4_len))) {
    p += n;
  } else if ((n = scan_tnl_gre(p, l4, &l4_len))) {
    want_type = dl_type == 0x0800 ? kVportGre : kVportIp6Gre;
    p += n;
  } else {
    return action_syntax_error();
  }
  if (type != want_type || header_len != kEthLen + l3_len + l4_len) return action_syntax_error();
  Scan op(p);
  op.lit(",out_port(").num(&out_port).lit("))");
  if (!op.ok()) return action_syntax_error();
  std::memcpy(d.data(), &tnl_port, 4);
  std::memcpy(d.data() + 4, &out_port, 4);
  std::memcpy(d.data() + 8, &header_len, 4);
  std::memcpy(d.data() + 12, &type, 4);
  actions.put_unspec(kActionTunnelPush, d.data(), kPushTnlFixed + header_len);
  return static_cast<size_t>(op.pos() - s);
}

}  // namespace grebe::odp

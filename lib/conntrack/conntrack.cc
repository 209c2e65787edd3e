// Connection tracking.  See grebe/conntrack/conntrack.h.
#include "grebe/conntrack/conntrack.h"

#include <linux/openvswitch.h>

#include <algorithm>
#include <cstring>

#include "grebe/packet/csum.h"
#include "grebe/packet/flow_extract.h"
#include "packet_nat.h"

namespace grebe::conntrack {

namespace {

constexpr uint16_t kEthIp = 0x0800, kEthIpv6 = 0x86dd;
constexpr uint8_t kTcp = 6, kUdp = 17, kIcmp = 1, kIcmpv6 = 58;
constexpr uint16_t kTcpFin = 0x01, kTcpSyn = 0x02, kTcpRst = 0x04, kTcpAck = 0x10;

// Expiry times, ms.
constexpr long long kSec = 1000;
long long timeout_of(uint8_t proto, TcpState st, bool replied) {
  switch (proto) {
    case kTcp:
      switch (st) {
        case TcpState::kEstablished:
          return 24 * 3600 * kSec;
        default:
          return 30 * kSec;
      }
    case kUdp:
      return replied ? 180 * kSec : 30 * kSec;
    case kIcmp:
    case kIcmpv6:
      return 30 * kSec;
    default:
      return replied ? 60 * kSec : 30 * kSec;
  }
}

Tuple reverse(const Tuple& t) {
  Tuple r = t;
  std::swap(r.src, r.dst);
  if (t.proto == kIcmp || t.proto == kIcmpv6) {
    // Echo request <-> reply: same id, the answering type.
    uint8_t type = static_cast<uint8_t>(t.dport >> 8);
    uint8_t rtype = t.proto == kIcmp ? (type == 8 ? 0 : type == 13 ? 14 : type == 15 ? 16 : 17)
                                     : (type == 128 ? 129 : type);
    r.dport = static_cast<uint16_t>(rtype << 8);
  } else {
    std::swap(r.sport, r.dport);
  }
  return r;
}

bool icmp_is_request(uint8_t proto, uint8_t type) {
  return proto == kIcmp ? (type == 8 || type == 13 || type == 15 || type == 17) : type == 128;
}
bool icmp_is_reply(uint8_t proto, uint8_t type) {
  return proto == kIcmp ? (type == 0 || type == 14 || type == 16 || type == 18) : type == 129;
}
bool icmp_is_error(uint8_t proto, uint8_t type) {
  return proto == kIcmp ? (type == 3 || type == 4 || type == 5 || type == 11 || type == 12)
                        : (type >= 1 && type <= 4);
}

void put_v4(std::array<uint8_t, 16>& a, uint32_t host) {
  a = {};
  a[0] = uint8_t(host >> 24);
  a[1] = uint8_t(host >> 16);
  a[2] = uint8_t(host >> 8);
  a[3] = uint8_t(host);
}
uint32_t get_v4(const std::array<uint8_t, 16>& a) {
  return (uint32_t(a[0]) << 24) | (uint32_t(a[1]) << 16) | (uint32_t(a[2]) << 8) | a[3];
}

// The tuple of a packet's headers; false when it cannot be tracked.
bool tuple_of(const Flow& f, const uint8_t* l4, size_t l4_len, uint16_t zone, Tuple* t) {
  *t = Tuple{};
  t->zone = zone;
  t->dl_type = f.dl_type;
  if (f.dl_type == kEthIp) {
    put_v4(t->src, f.nw_src);
    put_v4(t->dst, f.nw_dst);
  } else if (f.dl_type == kEthIpv6) {
    std::memcpy(t->src.data(), f.ipv6_src.b, 16);
    std::memcpy(t->dst.data(), f.ipv6_dst.b, 16);
  } else {
    return false;
  }
  t->proto = f.nw_proto;
  if (f.nw_proto == kTcp || f.nw_proto == kUdp || f.nw_proto == 132) {
    t->sport = f.tp_src;
    t->dport = f.tp_dst;
  } else if (f.nw_proto == kIcmp || f.nw_proto == kIcmpv6) {
    if (!l4 || l4_len < 8) return false;
    uint8_t type = static_cast<uint8_t>(f.tp_src);
    t->sport = static_cast<uint16_t>((l4[4] << 8) | l4[5]);  // echo id
    t->dport = static_cast<uint16_t>(type << 8);
  }
  return true;
}

void fill_md(Flow& md, const Tuple& orig) {
  md.ct_nw_proto = orig.proto;
  md.ct_tp_src = orig.sport;
  md.ct_tp_dst = orig.dport;
  if (orig.proto == kIcmp || orig.proto == kIcmpv6) {
    // ovs-fields(7): ct_tp_src/dst hold the ICMP type and code.
    md.ct_tp_src = static_cast<uint16_t>(orig.dport >> 8);
    md.ct_tp_dst = 0;
  }
  if (orig.dl_type == kEthIp) {
    md.ct_nw_src = get_v4(orig.src);
    md.ct_nw_dst = get_v4(orig.dst);
  } else {
    std::memcpy(md.ct_ipv6_src.b, orig.src.data(), 16);
    std::memcpy(md.ct_ipv6_dst.b, orig.dst.data(), 16);
  }
}

}  // namespace

size_t TupleHash::operator()(const Tuple& t) const {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](const void* p, size_t n) {
    const uint8_t* b = static_cast<const uint8_t*>(p);
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 1099511628211ull;
  };
  mix(t.src.data(), 16);
  mix(t.dst.data(), 16);
  mix(&t.sport, 2);
  mix(&t.dport, 2);
  mix(&t.proto, 1);
  mix(&t.zone, 2);
  mix(&t.dl_type, 2);
  return h;
}

const char* tcp_state_name(TcpState s) {
  switch (s) {
    case TcpState::kSynSent: return "SYN_SENT";
    case TcpState::kSynRecv: return "SYN_RECV";
    case TcpState::kEstablished: return "ESTABLISHED";
    case TcpState::kFinWait: return "FIN_WAIT_1";
    case TcpState::kCloseWait: return "CLOSE_WAIT";
    case TcpState::kTimeWait: return "TIME_WAIT";
    case TcpState::kClose: return "CLOSED";
    default: return "NONE";
  }
}

struct Conntrack::Conn {
  Tuple orig, reply;
  uint32_t mark = 0;
  U128 label{0, 0};
  TcpState tcp = TcpState::kNone;
  bool seen_reply = false;
  bool snat = false, dnat = false;
  long long expiration = 0;
  uint32_t id = 0;
};

// The parsed OVS_CT_ATTR_* of one ct action.
struct CtArgs {
  bool commit = false, force = false;
  uint16_t zone = 0;
  bool set_mark = false;
  uint32_t mark = 0, mark_mask = 0;
  bool set_label = false;
  U128 label{0, 0}, label_mask{0, 0};
  bool nat = false;  // nat attribute present: translate established connections
  bool snat = false, dnat = false;
  std::array<uint8_t, 16> ip_min{}, ip_max{};
  bool have_ip = false;
  uint16_t port_min = 0, port_max = 0;
};

namespace {

// OVS passes labels as ovs_u128 in host order: the low half first.
U128 get_u128(const uint8_t* p) {
  U128 v{0, 0};
  std::memcpy(&v.lo, p, 8);
  std::memcpy(&v.hi, p + 8, 8);
  return v;
}

}  // namespace

Conntrack::Conntrack() = default;
Conntrack::~Conntrack() = default;

namespace {
Status parse_args(nl::Bytes attrs, uint16_t dl_type, CtArgs& a) {
  nl::AttrIterator it(attrs);
  for (; it.ok(); it.next()) {
    nl::Attr x = it.attr();
    switch (x.type()) {
      case OVS_CT_ATTR_COMMIT:
        a.commit = true;
        break;
      case OVS_CT_ATTR_FORCE_COMMIT:
        a.commit = a.force = true;
        break;
      case OVS_CT_ATTR_ZONE:
        if (x.size() != 2) return Error(EINVAL, "ct: bad zone attribute");
        a.zone = x.get_u16();
        break;
      case OVS_CT_ATTR_MARK: {
        if (x.size() != 8) return Error(EINVAL, "ct: bad mark attribute");
        uint32_t v[2];
        std::memcpy(v, x.data(), 8);
        a.set_mark = true;
        a.mark = v[0];
        a.mark_mask = v[1];
        break;
      }
      case OVS_CT_ATTR_LABELS:
        if (x.size() != 32) return Error(EINVAL, "ct: bad labels attribute");
        a.set_label = true;
        a.label = get_u128(x.data());
        a.label_mask = get_u128(x.data() + 16);
        break;
      case OVS_CT_ATTR_NAT: {
        a.nat = true;
        size_t alen = dl_type == kEthIpv6 ? 16 : 4;
        for (nl::AttrIterator n(x.payload()); n.ok(); n.next()) {
          nl::Attr y = n.attr();
          switch (y.type()) {
            case OVS_NAT_ATTR_SRC: a.snat = true; break;
            case OVS_NAT_ATTR_DST: a.dnat = true; break;
            case OVS_NAT_ATTR_IP_MIN:
            case OVS_NAT_ATTR_IP_MAX: {
              if (y.size() != 4 && y.size() != 16) return Error(EINVAL, "ct: bad nat address");
              if (y.size() != alen) break;  // the other address family: not for this packet
              auto& dst = y.type() == OVS_NAT_ATTR_IP_MIN ? a.ip_min : a.ip_max;
              dst = {};
              std::memcpy(dst.data(), y.data(), y.size());
              if (y.type() == OVS_NAT_ATTR_IP_MIN) {
                if (!a.have_ip) a.ip_max = a.ip_min;
                a.have_ip = true;
              }
              break;
            }
            case OVS_NAT_ATTR_PROTO_MIN:
              if (y.size() != 2) return Error(EINVAL, "ct: bad nat port");
              a.port_min = y.get_u16();
              if (!a.port_max) a.port_max = a.port_min;
              break;
            case OVS_NAT_ATTR_PROTO_MAX:
              if (y.size() != 2) return Error(EINVAL, "ct: bad nat port");
              a.port_max = y.get_u16();
              break;
            default:
              break;  // persistent / hash / random: hints only
          }
        }
        if (a.snat && a.dnat) return Error(EINVAL, "ct: nat cannot be both src and dst");
        if (a.port_max < a.port_min) return Error(EINVAL, "ct: nat port range reversed");
        break;
      }
      default:
        break;  // helper, eventmask, timeout: accepted, not used
    }
  }
  if (it.malformed()) return Error(EINVAL, "ct: malformed attributes");
  return ok_status();
}
}  // namespace

Conntrack::ConnPtr Conntrack::lookup_locked(const Tuple& t, long long now, bool* reply) {
  auto it = table_.find(t);
  if (it == table_.end()) return nullptr;
  ConnPtr c = it->second;
  if (c->expiration <= now) {
    remove_locked(c);
    return nullptr;
  }
  *reply = !(c->orig == t);
  return c;
}

void Conntrack::remove_locked(const ConnPtr& c) {
  table_.erase(c->orig);
  table_.erase(c->reply);
  n_conns_--;
  auto zc = zone_counts_.find(c->orig.zone);
  if (zc != zone_counts_.end() && --zc->second == 0) zone_counts_.erase(zc);
}

// Chooses the translated reply tuple within the NAT range so that it is
// unused; false when the range is exhausted.
bool Conntrack::pick_nat_locked(Conn& c, const CtArgs& a) {
  Tuple base = reverse(c.orig);
  bool v4 = c.orig.dl_type == kEthIp;
  bool has_ports = c.orig.proto == kTcp || c.orig.proto == kUdp || c.orig.proto == 132;
  // Address candidates: ip_min..ip_max (the low 32 bits vary for IPv6).
  auto low32 = [v4](const std::array<uint8_t, 16>& x) {
    size_t o = v4 ? 0 : 12;
    return (uint32_t(x[o]) << 24) | (uint32_t(x[o + 1]) << 16) | (uint32_t(x[o + 2]) << 8) |
           x[o + 3];
  };
  uint32_t lo = a.have_ip ? low32(a.ip_min) : 0, hi = a.have_ip ? low32(a.ip_max) : 0;
  if (hi < lo) hi = lo;
  uint64_t n_addrs = uint64_t(hi) - lo + 1;
  uint16_t orig_port = a.snat ? c.orig.sport : c.orig.dport;
  uint16_t plo = a.port_min ? a.port_min : orig_port, phi = a.port_min ? a.port_max : orig_port;
  if (!has_ports) plo = phi = 0;
  uint64_t n_ports = uint64_t(phi) - plo + 1;
  size_t seed = TupleHash{}(c.orig);
  // Bounded search: enough for any range a test or a small site uses.
  const uint64_t kMaxTries = 1 << 20;
  for (int widen = 0; widen < 2; widen++) {
    uint64_t total = n_addrs * n_ports;
    for (uint64_t i = 0; i < total && i < kMaxTries; i++) {
      uint64_t k = (seed + i) % total;
      uint32_t addr = static_cast<uint32_t>(lo + k / n_ports);
      uint16_t port = static_cast<uint16_t>(plo + k % n_ports);
      Tuple r = base;
      std::array<uint8_t, 16>& field = a.snat ? r.dst : r.src;
      if (a.have_ip) {
        field = a.ip_min;
        size_t o = v4 ? 0 : 12;
        field[o] = uint8_t(addr >> 24);
        field[o + 1] = uint8_t(addr >> 16);
        field[o + 2] = uint8_t(addr >> 8);
        field[o + 3] = uint8_t(addr);
      }
      if (has_ports) (a.snat ? r.dport : r.sport) = port;
      if (!table_.count(r)) {
        c.reply = r;
        return true;
      }
    }
    // Addresses alone collide: fall back to any unprivileged port, as
    // OVS does when no port range was given.
    if (!has_ports || a.port_min) break;
    plo = 1024;
    phi = 65535;
    n_ports = uint64_t(phi) - plo + 1;
  }
  return false;
}

Conntrack::ConnPtr Conntrack::commit_locked(const Tuple& t, const CtArgs& a, long long now,
                                            Status* err) {
  if (n_conns_ >= max_conns_) {
    *err = Error(ENOSPC, "conntrack table full");
    return nullptr;
  }
  auto zl = zone_limits_.find(t.zone);
  if (zl != zone_limits_.end() && zl->second && zone_counts_[t.zone] >= zl->second) {
    *err = Error(ENOSPC, "conntrack zone limit reached");
    return nullptr;
  }
  auto c = std::make_shared<Conn>();
  c->orig = t;
  c->reply = reverse(t);
  if (a.snat || a.dnat) {
    if (!pick_nat_locked(*c, a)) {
      *err = Error(ENOSPC, "conntrack: nat range exhausted");
      return nullptr;
    }
    c->snat = a.snat;
    c->dnat = a.dnat;
  } else if (table_.count(c->reply)) {
    *err = Error(EEXIST, "conntrack: reply tuple in use");
    return nullptr;
  }
  c->id = next_id_++;
  c->expiration = now + timeout_of(t.proto, c->tcp, false);
  table_[c->orig] = c;
  table_[c->reply] = c;
  n_conns_++;
  zone_counts_[t.zone]++;
  return c;
}

Status Conntrack::execute(Packet& pkt, Flow& md, nl::Bytes attrs, long long now) {
  Flow f = pkt.extract(&md);
  CtArgs a;
  GREBE_TRY(parse_args(attrs, f.dl_type, a));
  md.ct_zone = a.zone;
  md.ct_state = kCsTracked;
  md.ct_mark = 0;
  md.ct_label = U128{0, 0};
  md.ct_nw_proto = 0;
  md.ct_nw_src = md.ct_nw_dst = 0;
  md.ct_ipv6_src = md.ct_ipv6_dst = In6Addr{};
  md.ct_tp_src = md.ct_tp_dst = 0;

  const PacketLayers& l = pkt.layers();
  const uint8_t* l4 = l.l4 >= 0 ? pkt.data() + l.l4 : nullptr;
  size_t l4_len = l.l4 >= 0 ? pkt.size() - size_t(l.l4) : 0;
  Tuple t;
  if ((f.nw_frag & kFlowNwFragAny) || !tuple_of(f, l4, l4_len, a.zone, &t)) {
    md.ct_state |= kCsInvalid;
    return ok_status();
  }
  uint8_t icmp_type = static_cast<uint8_t>(f.tp_src);
  bool is_icmp = t.proto == kIcmp || t.proto == kIcmpv6;

  std::lock_guard lock(mutex_);
  if (is_icmp && icmp_is_error(t.proto, icmp_type)) {
    // Related: the quoted header names a tracked connection.
    Tuple inner;
    if (l4_len > 8 && parse_quoted_tuple(f.dl_type, l4 + 8, l4_len - 8, a.zone, &inner)) {
      bool rpl = false;
      if (ConnPtr c = lookup_locked(inner, now, &rpl)) {
        md.ct_state |= kCsRelated | (rpl ? 0 : kCsReplyDir);
        md.ct_mark = c->mark;
        md.ct_label = c->label;
        fill_md(md, c->orig);
        return ok_status();
      }
    }
    md.ct_state |= kCsInvalid;
    return ok_status();
  }
  if (is_icmp && !icmp_is_request(t.proto, icmp_type) && !icmp_is_reply(t.proto, icmp_type)) {
    md.ct_state |= kCsInvalid;  // neither a query nor an error
    return ok_status();
  }

  bool rpl = false;
  ConnPtr c = lookup_locked(t, now, &rpl);
  uint16_t flags = f.tcp_flags;
  if (c && t.proto == kTcp && !rpl && (flags & (kTcpSyn | kTcpAck)) == kTcpSyn &&
      (c->tcp == TcpState::kTimeWait || c->tcp == TcpState::kClose)) {
    remove_locked(c);  // a new connection reusing the tuple
    c = nullptr;
  }
  if (!c) {
    bool valid = !(is_icmp && icmp_is_reply(t.proto, icmp_type));
    if (t.proto == kTcp) valid = (flags & (kTcpSyn | kTcpAck | kTcpRst | kTcpFin)) == kTcpSyn;
    if (!valid) {
      md.ct_state |= kCsInvalid;
      return ok_status();
    }
    md.ct_state |= kCsNew;
    fill_md(md, t);
    if (!a.commit) return ok_status();
    Status err = ok_status();
    c = commit_locked(t, a, now, &err);
    if (!c) {
      md.ct_state = kCsTracked | kCsInvalid;
      return ok_status();
    }
    if (t.proto == kTcp) c->tcp = TcpState::kSynSent;
  } else {
    if (rpl) c->seen_reply = true;
    md.ct_state |= c->seen_reply ? kCsEstablished : kCsNew;
    if (rpl) md.ct_state |= kCsReplyDir;
    fill_md(md, c->orig);
  }

  // TCP state, from the flags seen in each direction.
  if (t.proto == kTcp) {
    if (flags & kTcpRst) {
      c->tcp = TcpState::kClose;
    } else if (flags & kTcpFin) {
      c->tcp = (c->tcp == TcpState::kFinWait || c->tcp == TcpState::kCloseWait)
                   ? TcpState::kTimeWait
                   : TcpState::kFinWait;
    } else if (rpl && (flags & kTcpSyn) && c->tcp == TcpState::kSynSent) {
      c->tcp = TcpState::kSynRecv;
    } else if (!rpl && (flags & kTcpAck) && c->tcp == TcpState::kSynRecv) {
      c->tcp = TcpState::kEstablished;
    } else if (c->seen_reply && c->tcp < TcpState::kEstablished && !(flags & kTcpSyn)) {
      c->tcp = TcpState::kEstablished;  // picked up mid-handshake
    }
  }
  c->expiration = now + timeout_of(t.proto, c->tcp, c->seen_reply);

  if (a.commit) {
    if (a.set_mark) c->mark = (c->mark & ~a.mark_mask) | (a.mark & a.mark_mask);
    if (a.set_label) {
      c->label.hi = (c->label.hi & ~a.label_mask.hi) | (a.label.hi & a.label_mask.hi);
      c->label.lo = (c->label.lo & ~a.label_mask.lo) | (a.label.lo & a.label_mask.lo);
    }
  }
  md.ct_mark = c->mark;
  md.ct_label = c->label;

  if (a.nat && (c->snat || c->dnat)) {
    // Rewrite so the packet carries the other side's view of the tuple.
    Tuple want = reverse(rpl ? c->orig : c->reply);
    rewrite_tuple(pkt, f.dl_type, t, want);
    if (c->snat) md.ct_state |= kCsSrcNat;
    if (c->dnat) md.ct_state |= kCsDstNat;
  }
  return ok_status();
}

std::vector<Entry> Conntrack::dump(std::optional<uint16_t> zone, long long now) const {
  std::lock_guard lock(mutex_);
  std::vector<Entry> out;
  for (const auto& [t, c] : table_) {
    if (!(t == c->orig)) continue;  // each connection once
    if (zone && c->orig.zone != *zone) continue;
    if (c->expiration <= now) continue;
    Entry e;
    e.orig = c->orig;
    e.reply = c->reply;
    e.mark = c->mark;
    e.label = c->label;
    e.tcp_state = c->tcp;
    e.expires_in_ms = c->expiration - now;
    e.id = c->id;
    e.snat = c->snat;
    e.dnat = c->dnat;
    out.push_back(e);
  }
  std::sort(out.begin(), out.end(), [](const Entry& x, const Entry& y) { return x.id < y.id; });
  return out;
}

size_t Conntrack::flush(std::optional<uint16_t> zone) {
  std::lock_guard lock(mutex_);
  std::vector<ConnPtr> doomed;
  for (const auto& [t, c] : table_) {
    if (t == c->orig && (!zone || c->orig.zone == *zone)) doomed.push_back(c);
  }
  for (const auto& c : doomed) remove_locked(c);
  return doomed.size();
}

size_t Conntrack::sweep(long long now) {
  std::lock_guard lock(mutex_);
  std::vector<ConnPtr> doomed;
  for (const auto& [t, c] : table_) {
    if (t == c->orig && c->expiration <= now) doomed.push_back(c);
  }
  for (const auto& c : doomed) remove_locked(c);
  return doomed.size();
}

Stats Conntrack::stats() const {
  std::lock_guard lock(mutex_);
  Stats s;
  s.n_conns = n_conns_;
  for (const auto& [t, c] : table_) {
    if (!(t == c->orig)) continue;
    const char* p = c->orig.proto == kTcp      ? "TCP"
                    : c->orig.proto == kUdp    ? "UDP"
                    : c->orig.proto == kIcmp   ? "ICMP"
                    : c->orig.proto == kIcmpv6 ? "ICMPV6"
                                               : "OTHER";
    s.by_proto[p]++;
    if (c->orig.proto == kTcp) s.tcp_states[tcp_state_name(c->tcp)]++;
  }
  return s;
}

void Conntrack::set_max_conns(size_t n) {
  std::lock_guard lock(mutex_);
  max_conns_ = n;
}
size_t Conntrack::max_conns() const {
  std::lock_guard lock(mutex_);
  return max_conns_;
}
void Conntrack::set_zone_limit(uint16_t zone, uint32_t limit) {
  std::lock_guard lock(mutex_);
  if (limit)
    zone_limits_[zone] = limit;
  else
    zone_limits_.erase(zone);
}
std::map<uint16_t, uint32_t> Conntrack::zone_limits() const {
  std::lock_guard lock(mutex_);
  return zone_limits_;
}
size_t Conntrack::zone_count(uint16_t zone) const {
  std::lock_guard lock(mutex_);
  auto it = zone_counts_.find(zone);
  return it == zone_counts_.end() ? 0 : it->second;
}

}  // namespace grebe::conntrack

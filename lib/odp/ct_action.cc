// ct(commit,zone=..,mark=..,label=..,helper=..,timeout=..,nat(...)) action.
#include <linux/openvswitch.h>

#include <algorithm>
#include <cstring>

#include "action_private.h"
#include "grebe/util/byteorder.h"
#include "odp_private.h"
#include "text.h"

namespace grebe::odp {

using namespace text;

namespace {

constexpr nl::AttrPolicyTable<OVS_CT_ATTR_TIMEOUT + 1> kCtPolicy = [] {
  nl::AttrPolicyTable<OVS_CT_ATTR_TIMEOUT + 1> t{};
  t[OVS_CT_ATTR_COMMIT] = {nl::AttrKind::kFlag, true, 0, 0, "commit"};
  t[OVS_CT_ATTR_FORCE_COMMIT] = {nl::AttrKind::kFlag, true, 0, 0, "force_commit"};
  t[OVS_CT_ATTR_ZONE] = {nl::AttrKind::kU16, true, 0, 0, "zone"};
  t[OVS_CT_ATTR_MARK] = {nl::AttrKind::kUnspec, true, 8, 0, "mark"};
  t[OVS_CT_ATTR_LABELS] = {nl::AttrKind::kUnspec, true, 32, 0, "labels"};
  t[OVS_CT_ATTR_HELPER] = {nl::AttrKind::kString, true, 1, 15, "helper"};
  t[OVS_CT_ATTR_NAT] = {nl::AttrKind::kUnspec, true, 0, 0, "nat"};
  t[OVS_CT_ATTR_TIMEOUT] = {nl::AttrKind::kString, true, 1, 31, "timeout"};
  return t;
}();

constexpr nl::AttrPolicyTable<OVS_NAT_ATTR_PROTO_RANDOM + 1> kNatPolicy = [] {
  nl::AttrPolicyTable<OVS_NAT_ATTR_PROTO_RANDOM + 1> t{};
  t[OVS_NAT_ATTR_SRC] = {nl::AttrKind::kFlag, true, 0, 0, "src"};
  t[OVS_NAT_ATTR_DST] = {nl::AttrKind::kFlag, true, 0, 0, "dst"};
  t[OVS_NAT_ATTR_IP_MIN] = {nl::AttrKind::kUnspec, true, 4, 16, "ip_min"};
  t[OVS_NAT_ATTR_IP_MAX] = {nl::AttrKind::kUnspec, true, 4, 16, "ip_max"};
  t[OVS_NAT_ATTR_PROTO_MIN] = {nl::AttrKind::kU16, true, 0, 0, "proto_min"};
  t[OVS_NAT_ATTR_PROTO_MAX] = {nl::AttrKind::kU16, true, 0, 0, "proto_max"};
  t[OVS_NAT_ATTR_PERSISTENT] = {nl::AttrKind::kFlag, true, 0, 0, "persistent"};
  t[OVS_NAT_ATTR_PROTO_HASH] = {nl::AttrKind::kFlag, true, 0, 0, "hash"};
  t[OVS_NAT_ATTR_PROTO_RANDOM] = {nl::AttrKind::kFlag, true, 0, 0, "random"};
  return t;
}();

// Returns the error text OVS prints for an inconsistent nat(), or nullptr.
const char* nat_consistency_error(const nl::ParsedAttrs& a) {
  bool src = a.has(OVS_NAT_ATTR_SRC), dst = a.has(OVS_NAT_ATTR_DST);
  bool ip_min = a.has(OVS_NAT_ATTR_IP_MIN), ip_max = a.has(OVS_NAT_ATTR_IP_MAX);
  bool p_min = a.has(OVS_NAT_ATTR_PROTO_MIN), p_max = a.has(OVS_NAT_ATTR_PROTO_MAX);
  if (!src && !dst &&
      (ip_min || ip_max || p_min || p_max || a.has(OVS_NAT_ATTR_PERSISTENT) ||
       a.has(OVS_NAT_ATTR_PROTO_HASH) || a.has(OVS_NAT_ATTR_PROTO_RANDOM))) {
    return "nat(error: options allowed only with \"src\" or \"dst\")";
  }
  if (src && dst) return "nat(error: Only one of \"src\" or \"dst\" may be present.)";
  if (!ip_min && p_min) return "nat(error: proto but no IP.)";
  if ((!ip_min && ip_max) || (!p_min && p_max)) return "nat(error: range max without min.)";
  size_t len = ip_min ? a[OVS_NAT_ATTR_IP_MIN].size() : 0;
  if ((ip_min && len != 4 && len != 16) || (ip_max && a[OVS_NAT_ATTR_IP_MAX].size() != len)) {
    return "nat(error: IP address sizes do not match)";
  }
  return nullptr;
}

void format_nat_addr(std::string& out, const uint8_t* ip, size_t len, bool bracket) {
  if (len == 4) {
    out += ipv4_to_string(ip);
  } else if (bracket) {
    out += "[" + ipv6_to_string(ip) + "]";
  } else {
    out += ipv6_to_string(ip);
  }
}

void format_ct_nat(std::string& out, nl::Attr attr) {
  auto pa = nl::parse_attrs(attr.payload(), kNatPolicy);
  if (!pa.ok()) {
    out += "nat(error: nl_parse_nested() failed.)";
    return;
  }
  const nl::ParsedAttrs& a = *pa;
  if (const char* err = nat_consistency_error(a)) {
    out += err;
    return;
  }
  nl::Attr ip_min = a[OVS_NAT_ATTR_IP_MIN], ip_max = a[OVS_NAT_ATTR_IP_MAX];
  size_t len = ip_min.valid() ? std::min<size_t>(ip_min.size(), 16) : 0;
  uint8_t min[16] = {}, max[16] = {};
  if (ip_min.valid()) std::copy_n(ip_min.payload().begin(), len, min);
  if (ip_max.valid()) std::copy_n(ip_max.payload().begin(), len, max);
  uint16_t pmin = a.has(OVS_NAT_ATTR_PROTO_MIN) ? a[OVS_NAT_ATTR_PROTO_MIN].get_u16() : 0;
  uint16_t pmax = a.has(OVS_NAT_ATTR_PROTO_MAX) ? a[OVS_NAT_ATTR_PROTO_MAX].get_u16() : 0;
  bool has_max = len && !is_all_zeros(max, len);
  if ((has_max && std::memcmp(min, max, len) > 0) || (pmax && pmin > pmax)) {
    out += "nat(range error)";
    return;
  }
  out += "nat";
  if (!a.has(OVS_NAT_ATTR_SRC) && !a.has(OVS_NAT_ATTR_DST)) return;
  out += a.has(OVS_NAT_ATTR_SRC) ? "(src" : "(dst";
  if (len) {
    out += '=';
    format_nat_addr(out, min, len, pmin != 0);
    if (has_max && std::memcmp(min, max, len) != 0) {
      out += '-';
      format_nat_addr(out, max, len, pmin != 0);
    }
    if (pmin) {
      appendf(out, ":%u", pmin);
      if (pmax && pmax != pmin) appendf(out, "-%u", pmax);
    }
  }
  out += ',';
  if (a.has(OVS_NAT_ATTR_PERSISTENT)) out += "persistent,";
  if (a.has(OVS_NAT_ATTR_PROTO_HASH)) out += "hash,";
  if (a.has(OVS_NAT_ATTR_PROTO_RANDOM)) out += "random,";
  chomp(out, ',');
  out += ')';
}

}  // namespace

void format_ct_action(std::string& out, nl::Attr attr) {
  auto pa = nl::parse_attrs(attr.payload(), kCtPolicy);
  if (!pa.ok()) {
    out += "ct(error)";
    return;
  }
  const nl::ParsedAttrs& a = *pa;
  uint16_t zone = a.has(OVS_CT_ATTR_ZONE) ? a[OVS_CT_ATTR_ZONE].get_u16() : 0;
  out += "ct";
  bool any = a.has(OVS_CT_ATTR_COMMIT) || a.has(OVS_CT_ATTR_FORCE_COMMIT) || zone ||
             a.has(OVS_CT_ATTR_MARK) || a.has(OVS_CT_ATTR_LABELS) || a.has(OVS_CT_ATTR_HELPER) ||
             a.has(OVS_CT_ATTR_TIMEOUT) || a.has(OVS_CT_ATTR_NAT);
  if (!any) return;
  out += '(';
  if (a.has(OVS_CT_ATTR_COMMIT)) out += "commit,";
  if (a.has(OVS_CT_ATTR_FORCE_COMMIT)) out += "force_commit,";
  if (zone) appendf(out, "zone=%u,", zone);
  if (nl::Attr m = a[OVS_CT_ATTR_MARK]; m.valid()) {
    uint32_t v[2];
    std::memcpy(v, m.data(), 8);
    appendf(out, "mark=%#x/%#x,", v[0], v[1]);
  }
  if (nl::Attr l = a[OVS_CT_ATTR_LABELS]; l.valid()) {
    out += "label=";
    format_u128(out, l.data(), l.data() + 16, true);
    out += ',';
  }
  if (nl::Attr h = a[OVS_CT_ATTR_HELPER]; h.valid()) {
    out += "helper=" + std::string(h.get_string()) + ",";
  }
  if (nl::Attr t = a[OVS_CT_ATTR_TIMEOUT]; t.valid()) {
    out += "timeout=" + std::string(t.get_string()) + ",";
  }
  if (nl::Attr n = a[OVS_CT_ATTR_NAT]; n.valid()) format_ct_nat(out, n);
  chomp(out, ',');
  out += ')';
}

// ---- Parsing ---------------------------------------------------------------

namespace {

struct NatParams {
  bool snat = false, dnat = false;
  size_t addr_len = 0;
  uint8_t min[16] = {}, max[16] = {};
  uint16_t proto_min = 0, proto_max = 0;
  bool persistent = false, hash = false, random = false;
};

// One address, IPv4, IPv6 or [IPv6]; returns chars consumed or 0.
size_t scan_nat_addr(const char* s, uint8_t* ip, size_t* len) {
  size_t n = scan_ipv4_addr(s, ip);
  if (n && (*len == 0 || *len == 4)) {
    *len = 4;
    return n;
  }
  if ((n = scan_ipv6_addr(s, ip))) {
    *len = 16;
    return n;
  }
  if (*s == '[' && (n = scan_ipv6_addr(s + 1, ip)) && s[1 + n] == ']') {
    *len = 16;
    return n + 2;
  }
  return 0;
}

// "=addr[-addr][:port[-port]]" after "src"/"dst"; chars consumed or kScanFail.
size_t scan_nat_range(const char* s, NatParams* p) {
  if (*s != '=') return 0;
  const char* q = s + 1;
  size_t n = scan_nat_addr(q, p->min, &p->addr_len);
  if (!n) return kScanFail;
  q += n;
  if (*q == '-') {
    size_t len = p->addr_len;
    n = scan_nat_addr(q + 1, p->max, &len);
    if (!n || len != p->addr_len) return kScanFail;
    q += 1 + n;
  }
  unsigned long long v;
  if (*q == ':' && (n = scan_uint(q + 1, &v, 10))) {
    p->proto_min = static_cast<uint16_t>(v);
    q += 1 + n;
    if (*q == '-') {
      if (!(n = scan_uint(q + 1, &v, 10))) return kScanFail;
      p->proto_max = static_cast<uint16_t>(v);
      q += 1 + n;
    }
  }
  return q - s;
}

// "nat" or "nat(...)"; chars consumed, 0 if not nat, kScanFail on error.
size_t scan_ct_nat(const char* s, NatParams* p) {
  if (!match(s, "nat")) return 0;
  *p = NatParams();
  size_t n = 3;
  if (s[n] != '(') return n;
  n++;
  const char* end = std::strchr(s + n, ')');
  if (!end) return kScanFail;
  size_t end_n = end - s;
  while (n < end_n) {
    n += std::strspn(s + n, kDelimiters);
    size_t m, r;
    if ((m = match(s + n, "src")) || (m = match(s + n, "dst"))) {
      bool src = s[n] == 's';
      r = scan_nat_range(s + n + m, p);
      if (r == kScanFail) return kScanFail;
      (src ? p->snat : p->dnat) = true;
      n += m + r;
    } else if ((m = match(s + n, "persistent"))) {
      p->persistent = true;
      n += m;
    } else if ((m = match(s + n, "hash"))) {
      p->hash = true;
      n += m;
    } else if ((m = match(s + n, "random"))) {
      p->random = true;
      n += m;
    } else {
      return kScanFail;
    }
  }
  if (p->snat && p->dnat) return kScanFail;
  if ((p->addr_len && !is_all_zeros(p->max, p->addr_len) &&
       std::memcmp(p->max, p->min, p->addr_len) < 0) ||
      (p->proto_max && p->proto_max < p->proto_min) || (p->hash && p->random)) {
    return kScanFail;
  }
  return n + 1;
}

void put_ct_nat(const NatParams& p, nl::AttrBuilder& b) {
  size_t nest = b.start_nested(OVS_CT_ATTR_NAT);
  if (p.snat || p.dnat) {
    b.put_flag(p.snat ? OVS_NAT_ATTR_SRC : OVS_NAT_ATTR_DST);
    if (p.addr_len) {
      b.put_unspec(OVS_NAT_ATTR_IP_MIN, p.min, p.addr_len);
      if (std::memcmp(p.max, p.min, p.addr_len) > 0) {
        b.put_unspec(OVS_NAT_ATTR_IP_MAX, p.max, p.addr_len);
      }
      if (p.proto_min) {
        b.put_u16(OVS_NAT_ATTR_PROTO_MIN, p.proto_min);
        if (p.proto_max > p.proto_min) b.put_u16(OVS_NAT_ATTR_PROTO_MAX, p.proto_max);
      }
      // As OVS: these flags only accompany an address range.
      if (p.persistent) b.put_flag(OVS_NAT_ATTR_PERSISTENT);
      if (p.hash) b.put_flag(OVS_NAT_ATTR_PROTO_HASH);
      if (p.random) b.put_flag(OVS_NAT_ATTR_PROTO_RANDOM);
    }
  }
  b.end_nested(nest);
}

struct CtParams {
  bool commit = false, force = false, have_nat = false;
  uint16_t zone = 0;
  uint32_t mark[2] = {0, 0};
  uint8_t label[32] = {};  // value then mask, host-order u128 each
  std::string helper, timeout;
  NatParams nat;
};

// One ct() option at s; chars consumed or kScanFail.
size_t scan_ct_option(const char* s, CtParams* c) {
  size_t m;
  unsigned long long v;
  if ((m = match(s, "commit"))) {
    c->commit = true;
    return m;
  }
  if ((m = match(s, "force_commit"))) {
    c->force = true;
    return m;
  }
  if ((m = match(s, "zone="))) {
    size_t n = scan_uint(s + m, &v, 10);
    if (!n) return kScanFail;
    c->zone = static_cast<uint16_t>(v);
    return m + n;
  }
  if ((m = match(s, "mark="))) {
    size_t n = scan_uint(s + m, &v, 16);
    if (!n) return kScanFail;
    c->mark[0] = static_cast<uint32_t>(v);
    c->mark[1] = UINT32_MAX;
    size_t k;
    if (s[m + n] == '/' && (k = scan_uint(s + m + n + 1, &v, 16))) {
      c->mark[1] = static_cast<uint32_t>(v);
      n += 1 + k;
    }
    return m + n;
  }
  if ((m = match(s, "label="))) {
    size_t n = scan_u128(s + m, c->label, c->label + 16);
    return n ? m + n : kScanFail;
  }
  if ((m = match(s, "helper=")) || (m = match(s, "timeout="))) {
    size_t n = std::strcspn(s + m, kDelimitersEnd);
    bool helper = s[0] == 'h';
    if (!n || n > (helper ? 15u : 31u)) return kScanFail;
    (helper ? c->helper : c->timeout).assign(s + m, n);
    return m + n;
  }
  return kScanFail;
}

}  // namespace

Result<size_t> parse_ct_action(const char* s, nl::AttrBuilder& actions) {
  if (!match(s, "ct")) return static_cast<size_t>(0);
  CtParams c;
  const char* p = s + 2;
  if (*p == '(') {
    p++;
    const char* end = std::strchr(p, ')');
    if (!end) return action_syntax_error();
    while (p != end) {
      p += std::strspn(p, kDelimiters);
      if (p == end) break;
      size_t n = scan_ct_nat(p, &c.nat);
      if (n == kScanFail) return action_syntax_error();
      if (n) {
        p += n;
        c.have_nat = true;
        end = std::strchr(p, ')');  // the nat's ')' was not the end
        if (!end) return action_syntax_error();
        continue;
      }
      n = scan_ct_option(p, &c);
      if (n == kScanFail) return action_syntax_error();
      p += n;
      if (p > end) return action_syntax_error();
    }
    p++;
  }
  if (c.commit && c.force) return action_syntax_error();
  size_t nest = actions.start_nested(OVS_ACTION_ATTR_CT);
  if (c.commit) actions.put_flag(OVS_CT_ATTR_COMMIT);
  if (c.force) actions.put_flag(OVS_CT_ATTR_FORCE_COMMIT);
  if (c.zone) actions.put_u16(OVS_CT_ATTR_ZONE, c.zone);
  if (c.mark[1]) actions.put_unspec(OVS_CT_ATTR_MARK, c.mark, sizeof c.mark);
  if (!is_all_zeros(c.label + 16, 16)) actions.put_unspec(OVS_CT_ATTR_LABELS, c.label, 32);
  if (!c.helper.empty()) actions.put_string(OVS_CT_ATTR_HELPER, c.helper);
  if (!c.timeout.empty()) actions.put_string(OVS_CT_ATTR_TIMEOUT, c.timeout);
  if (c.have_nat) put_ct_nat(c.nat, actions);
  actions.end_nested(nest);
  return static_cast<size_t>(p - s);
}

}  // namespace grebe::odp

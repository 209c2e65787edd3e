// Private declarations shared between the odp key/action source files.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "grebe/netlink/attr.h"
#include "grebe/odp/odp_key.h"
#include "grebe/packet/flow.h"
#include "grebe/util/result.h"

namespace grebe::odp {

// Nesting limit for encap(...) / actions, as OVS's MAX_ODP_NESTED.
inline constexpr int kMaxOdpNested = 32;

// Counts formatter recursion on this thread (nested encap/clone/sample) so
// hostile input cannot exhaust the stack.
class FormatDepthGuard {
 public:
  FormatDepthGuard() { ++depth(); }
  ~FormatDepthGuard() { --depth(); }
  bool too_deep() const { return depth() > 4 * kMaxOdpNested; }

 private:
  static int& depth() {
    static thread_local int d = 0;
    return d;
  }
};

// The port-name map in effect for the formatter call running on this
// thread (public entry points install it), so the many nested helpers need
// not pass it along.  Null = print numbers.
class PortNamesScope {
 public:
  explicit PortNamesScope(const PortNoNames* names) : saved_(current()) {
    if (names) current() = names;
  }
  ~PortNamesScope() { current() = saved_; }
  static const PortNoNames*& current() {
    static thread_local const PortNoNames* names = nullptr;
    return names;
  }

 private:
  const PortNoNames* saved_;
};
// Appends a datapath port as its name (if a name map is in effect) or number.
void format_odp_port(std::string& out, uint32_t port);

// "vid=..,pcp=..[,cfi=0]" for a TCI and its mask (host order).
void format_vlan_tci(std::string& out, uint16_t tci, uint16_t mask, bool verbose);
// "label=..,tc=..,ttl=..,bos=.." for one label stack entry (host order).
void format_mpls_lse(std::string& out, uint32_t lse);
// 128-bit value stored as a host-order u128 (OVS's ovs_u128 layout).
void format_u128(std::string& out, const uint8_t* key, const uint8_t* mask, bool verbose);
// Parses a 128-bit value[/mask] into host-order u128 bytes; 0 on error.
size_t scan_u128(const char* s, uint8_t* key, uint8_t* mask);
// Hex bytes separated by spaces: the generic attribute payload format.
void format_generic_odp_key(std::string& out, nl::Attr a);

// tunnel(...) contents.
void format_odp_tun_attr(std::string& out, nl::Attr a, nl::Attr ma, bool verbose);
// Parses the inside of "tunnel(" up to and including the closing ')'.
// Returns characters consumed or 0 on a syntax error.
size_t parse_odp_tun_attr(const char* s, nl::AttrBuilder& key, nl::AttrBuilder* mask);

// Geneve options (struct geneve_opt list), with optional mask, as OVS
// prints them: {class=..,type=..,len=..,0x..}.
void format_geneve_opts(std::string& out, const uint8_t* key, const uint8_t* mask, size_t len,
                        bool verbose);
// Parses "{...}{...})" (through the closing ')'); 0 on a syntax error.
size_t scan_geneve_opts(const char* s, std::vector<uint8_t>* key, std::vector<uint8_t>* mask);

// The OVS_KEY_ATTR_TUNNEL attribute for `tunnel` (OVS's tun_key_to_attr()
// without Geneve metadata); also used for tunnel masks.
void put_tunnel_key(nl::AttrBuilder& b, const FlowTnl& tunnel);

// nsh(...) contents and its attribute lengths.
int odp_nsh_key_attr_len(uint16_t type);
void format_odp_nsh_attr(std::string& out, nl::Attr a, nl::Attr ma);
// Parses the inside of "nsh(" through ')'; 0 on a syntax error.
size_t parse_odp_nsh_attr(const char* s, nl::AttrBuilder& key, nl::AttrBuilder* mask);

// push_nsh(...) action: formats / parses (through ')', 0 = no match or
// syntax error).
void format_push_nsh_action(std::string& out, nl::Attr attr);
size_t parse_push_nsh_action(const char* s, nl::AttrBuilder& actions);

// Length sanity check shared by key and tunnel formatting: prints the
// attribute generically and returns false if its length is wrong.
using AttrLenFn = int (*)(uint16_t);
bool check_attr_len(std::string& out, nl::Attr a, nl::Attr ma, AttrLenFn len_of, bool need_key);

}  // namespace grebe::odp

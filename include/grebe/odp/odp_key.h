// Datapath flow keys and masks: OVS_KEY_ATTR_* netlink attributes <-> the
// text syntax of `ovs-dpctl dump-flows` / `ovs-appctl dpctl/add-flow`, e.g.
//
//   recirc_id(0),in_port(1),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:03),
//   eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2/255.255.255.0,proto=6,
//   tos=0/0xfc,ttl=64,frag=no),tcp(src=1/0xf,dst=80)
//
// A key is a sequence of OVS_KEY_ATTR_* attributes; its mask is a parallel
// sequence with the same types and lengths whose 1-bits say which key bits
// matter.  A key attribute with no mask attribute is fully wildcarded.
//
// All functions are pure: safe from any thread, never block.  Malformed
// attributes never crash the formatter; they are printed the way OVS prints
// them (generic hex, "bad key length", "***N leftover bytes***").
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "grebe/netlink/attr.h"
#include "grebe/util/result.h"

namespace grebe::odp {

// Maps port names to datapath port numbers for parsing "in_port(eth0)" and
// "actions:eth0"; the formatter prints numbers.
using PortNameMap = std::map<std::string, uint32_t, std::less<>>;
// Maps datapath port numbers to names for printing ("in_port(br0)",
// "actions:eth0"), as dpctl does with its --names option.
using PortNoNames = std::map<uint32_t, std::string>;

// Parses a flow key (and, if `mask` is non-null, its mask) in datapath flow
// syntax, appending the attributes to `key`/`mask`.  A leading
// "ufid:<uuid>" is skipped.  Fields written without "/mask" are exact;
// fields left out of an attribute get a zero mask; attributes left out are
// absent from both key and mask (fully wildcarded).  recirc_id() is always
// exact, as in OVS.
// On error returns EINVAL (or E2BIG if the key does not fit in a netlink
// attribute) with OVS's message "syntax error at <rest of input>", and leaves
// `key`/`mask` as they were.
Status odp_flow_from_string(std::string_view s, nl::AttrBuilder& key, nl::AttrBuilder* mask,
                            const PortNameMap* port_names = nullptr);

// Formats a key with its mask (empty `mask` = print the key alone, every
// field exact).  With verbose=false, fully wildcarded attributes and fields
// are omitted, as `dpctl/dump-flows` does; verbose=true prints them all.
std::string odp_flow_format(nl::Bytes key, nl::Bytes mask, bool verbose = false,
                            const PortNoNames* port_names = nullptr);
// Key alone, verbose (odp_flow_key_format()).
std::string odp_flow_key_format(nl::Bytes key);

// Formats one OVS_KEY_ATTR_* attribute (with optional mask attribute), as
// used inside set(...) actions.
void format_odp_key_attr(std::string& out, nl::Attr key, nl::Attr mask, bool verbose);

// Parses one key attribute at the start of the NUL-terminated `s` into
// `key` (and `mask` if non-null).  Returns characters consumed, or an Error.
// Used by the set(...) action parser.
Result<size_t> parse_odp_key_mask_attr(const char* s, nl::AttrBuilder& key, nl::AttrBuilder* mask,
                                       const PortNameMap* port_names, int depth);

// Unique flow identifier (OVS's ovs_u128 viewed as a UUID).
struct Ufid {
  std::array<uint32_t, 4> w{};  // host-order 32-bit words, as ovs_u128.u32
  bool operator==(const Ufid&) const = default;
};
// "ufid:xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"
std::string odp_format_ufid(const Ufid& ufid);
// Parses "ufid:<uuid>" at the start of `s`: returns characters consumed, 0 if
// `s` does not start with "ufid:", or an Error if the UUID is malformed.
Result<size_t> odp_ufid_from_string(std::string_view s, Ufid* ufid);
// A UFID for a flow key: a 128-bit hash of the key bytes, formatted as a
// version-4 UUID (OVS's odp_flow_key_hash()).  `secret` is chosen randomly
// once per process by the caller so UFIDs are not predictable.
Ufid odp_flow_key_hash(nl::Bytes key, uint32_t secret);

// Expected payload length of a key attribute: >= 0 fixed, or one of these.
inline constexpr int kAttrLenInvalid = -1;
inline constexpr int kAttrLenVariable = -2;
inline constexpr int kAttrLenNested = -3;
int odp_key_attr_len(uint16_t type);
int odp_tun_key_attr_len(uint16_t type);
// "eth", "ipv4", ... or "key<N>" for unknown types.
std::string ovs_key_attr_to_string(uint16_t type);

}  // namespace grebe::odp

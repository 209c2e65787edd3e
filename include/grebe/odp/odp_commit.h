// Committing header changes as datapath actions (OVS's commit_odp_actions):
// translation keeps `base`, what the packet looks like after the actions
// emitted so far, and `flow`, what OpenFlow actions want it to look like.
// Before an output (or anything that needs the packet as modified), these
// functions append set / set-masked / push / pop actions turning base into
// flow, update base, and unwildcard in `wc` every field they changed.
//
// Covered: Ethernet addresses, VLAN push/pop, MPLS push/pop/set, IPv4/IPv6
// fields, ARP, ND, TCP/UDP/SCTP ports, ICMP type/code, skb_priority,
// skb_mark, tunnel.  Not yet: NSH and encap/decap (add_mpls for L3
// tunnels); xlate must not rely on them here.
//
// Pure functions on caller-owned data: safe from any thread.
#pragma once

#include <cstdint>

#include "grebe/netlink/attr.h"
#include "grebe/odp/odp_actions.h"
#include "grebe/packet/flow.h"
#include "grebe/packet/match.h"

namespace grebe::odp {

// Appends actions turning `base` into `flow` (see above).  With
// `use_masked_set`, partial changes become OVS_ACTION_ATTR_SET_MASKED;
// otherwise whole-header OVS_ACTION_ATTR_SET (and the whole header gets
// unwildcarded).  Returns SlowPathReason bits: kSlowAction when ARP, ND or
// ICMP fields had to be set (the kernel cannot do those in all versions).
uint32_t commit_odp_actions(const Flow& flow, Flow* base, nl::AttrBuilder& actions,
                            FlowWildcards* wc, bool use_masked_set);

// Only the tunnel: appends set(tunnel(...)) if flow's tunnel (with a
// destination set) differs from base's, and updates base.
void commit_odp_tunnel_action(const Flow& flow, Flow* base, nl::AttrBuilder& actions);

}  // namespace grebe::odp

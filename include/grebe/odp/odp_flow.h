// struct Flow (+ FlowWildcards) <-> datapath flow key (+ mask) attributes.
//
// At this boundary Flow::in_port holds the DATAPATH port number (OVS keeps
// odp and OpenFlow ports in one union); the upcall layer maps it to the
// OpenFlow port.  kOdppNone means "no in_port attribute".
//
// Geneve options (tun_metadata) are not represented in Flow yet: a key
// carrying OVS_TUNNEL_KEY_ATTR_GENEVE_OPTS converts with fitness kTooMuch.
//
// Pure functions: safe from any thread, never block.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "grebe/netlink/attr.h"
#include "grebe/packet/flow.h"
#include "grebe/packet/match.h"

namespace grebe::odp {

inline constexpr uint32_t kOdppNone = UINT32_MAX;

// What the datapath understands (probed at dpif open); OVS's odp_support.
struct OdpSupport {
  bool recirc = true;
  bool ct_state = true;
  bool ct_zone = true;
  bool ct_mark = true;
  bool ct_label = true;
  bool ct_orig_tuple = true;
  bool ct_orig_tuple6 = true;
  bool nd_ext = true;
  size_t max_vlan_headers = kFlowMaxVlans;
  size_t max_mpls_depth = kFlowMaxMplsLabels;
};

struct OdpFlowKeyParms {
  const Flow* flow = nullptr;
  // The megaflow mask; needed for the mask and to decide whether
  // tcp_flags are emitted.  May be null for exact keys.
  const Flow* mask = nullptr;
  OdpSupport support;
  bool probe = false;  // emit every VLAN level regardless of support
};

// Appends the key for parms.flow (OVS's odp_flow_key_from_flow).
void odp_flow_key_from_flow(const OdpFlowKeyParms& parms, nl::AttrBuilder& key);
// Appends the mask for parms.mask, shaped by parms.flow (odp_flow_key_from_mask).
void odp_flow_key_from_mask(const OdpFlowKeyParms& parms, nl::AttrBuilder& mask);

// How well a datapath key matched what this code expects.
enum class OdpKeyFitness {
  kPerfect,    // exactly as expected
  kTooMuch,    // more attributes than expected (e.g. unknown ones)
  kTooLittle,  // fewer attributes than expected
  kError,      // malformed
};
// "OK", "too_much", "too_little", "error" as OVS prints them.
const char* odp_key_fitness_to_string(OdpKeyFitness fitness);

// Parses a datapath key into `flow` (zeroed first).  On kError, `error`
// (if non-null) gets OVS's message, e.g. "duplicate encap attribute in flow
// key; the flow key in error is: ...".
OdpKeyFitness odp_flow_key_to_flow(nl::Bytes key, Flow* flow, std::string* error = nullptr);
// Parses a datapath mask for the key already parsed into `flow`.  An empty
// mask means exact match on every field such a packet has (the other
// fields stay wildcarded, as OVS's flow_wildcards_init_for_packet()).
OdpKeyFitness odp_flow_key_to_mask(nl::Bytes mask, FlowWildcards* wc, const Flow& flow,
                                   std::string* error = nullptr);

}  // namespace grebe::odp

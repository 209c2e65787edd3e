// odp-execute: runs datapath actions (the OVS_ACTION_ATTR_* stream of
// <linux/openvswitch.h>) on one packet in place, as OVS's lib/odp-execute.
//
// Packet metadata (in_port, recirc_id, dp_hash, skb_priority, pkt_mark, ct
// fields, tunnel) travels in the metadata stage of a Flow next to the packet:
// set(...) on metadata keys writes there; header keys rewrite the bytes and
// fix the IPv4 / TCP / UDP / ICMP checksums incrementally (SCTP's CRC32c is
// recomputed).
//
// Actions the executor cannot do alone go to hooks (output, userspace,
// recirc, meter, ct).  A missing hook makes its action a no-op, except ct,
// which fails with EOPNOTSUPP.
//
// Thread-safety: pure apart from the hooks; call from the thread that owns
// the packet.  Never asserts on malformed actions: EINVAL and the packet is
// left as far as execution got.
#pragma once

#include <cstdint>
#include <functional>

#include "grebe/netlink/attr.h"
#include "grebe/packet/flow.h"
#include "grebe/packet/packet.h"
#include "grebe/util/result.h"

namespace grebe::dpif {

struct ExecuteHooks {
  // output(port): the callee copies what it keeps.
  std::function<void(const Packet&, const Flow& md, uint32_t port)> output;
  // userspace(...): `attr` is the nested OVS_ACTION_ATTR_USERSPACE payload.
  std::function<void(const Packet&, const Flow& md, nl::Bytes attr)> userspace;
  // recirc(id): md.recirc_id already holds id; the callee re-injects.
  std::function<void(const Packet&, const Flow& md)> recirc;
  // meter(id): false drops the packet.
  std::function<bool(const Packet&, uint32_t meter_id)> meter;
  // ct(...) / ct_clear handled by a conntrack; nullptr -> EOPNOTSUPP.
  std::function<Status(Packet&, Flow& md, nl::Bytes attr)> ct;
  // Random source for sample(probability); defaults to a per-thread PRNG.
  std::function<uint32_t()> random;
};

// Executes `actions` on `pkt` with metadata `md`.  Returns EINVAL for a
// malformed action stream, EOPNOTSUPP for ct without a hook.  A packet
// dropped by a meter or explicit drop ends execution with success.
Status odp_execute_actions(Packet& pkt, Flow& md, nl::Bytes actions, const ExecuteHooks& hooks);

// Applies one OVS_KEY_ATTR_* `key` (with `mask`, same length, or nullptr for
// exact) to the packet/metadata, as set(...) / set_masked(...) do.
// EINVAL for a bad length, EOPNOTSUPP for an attribute it cannot set.
Status odp_set_field(Packet& pkt, Flow& md, uint16_t type, const uint8_t* key, const uint8_t* mask,
                     size_t len);

}  // namespace grebe::dpif

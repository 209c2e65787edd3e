// What the NORMAL action needs to know about a bridge's ports: the VLAN
// configuration of each bundle (Port row: vlan_mode, tag, trunks, cvlans,
// other_config:priority-tags / qinq-ethtype) and bridge-wide options.
//
// The bridge builds a NormalConfig on the main thread and publishes it as
// an immutable snapshot (shared_ptr<const NormalConfig>); translation reads
// it through XlateHooks::normal_config() without locking.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace grebe::normal {

enum class VlanMode { kTrunk, kAccess, kNativeTagged, kNativeUntagged, kDot1qTunnel };

// Port other_config:priority-tags.
enum class PriorityTags { kNever, kIfNonzero, kAlways };

// A 4096-bit VLAN set; empty means "all VLANs".
class VlanBitmap {
 public:
  VlanBitmap() = default;
  explicit VlanBitmap(const std::vector<uint16_t>& vlans) {
    bits_.assign(4096, false);
    for (uint16_t v : vlans) bits_[v & 0xfff] = true;
  }
  bool all() const { return bits_.empty(); }
  bool contains(uint16_t vlan) const { return bits_.empty() || bits_[vlan & 0xfff]; }
  void set(uint16_t vlan, bool on) {
    if (bits_.empty()) bits_.assign(4096, true);
    bits_[vlan & 0xfff] = on;
  }

 private:
  std::vector<bool> bits_;
};

// One bundle (Port row).  Grebe bundles have one OpenFlow port each (bonds
// are not supported), so the bundle id is that port's number.
struct NormalPort {
  uint32_t ofp_port = 0;
  std::string name;
  VlanMode vlan_mode = VlanMode::kTrunk;
  uint16_t tag = 0;   // access / native VLAN; the outer VLAN for dot1q-tunnel
  VlanBitmap trunks;  // trunk / native modes
  VlanBitmap cvlans;  // dot1q-tunnel: customer VLANs admitted
  uint16_t qinq_ethtype = 0x88a8;
  PriorityTags priority_tags = PriorityTags::kNever;
  bool floodable = true;  // false for ports with OFPPC_NO_FLOOD
  bool mirror_out = false;  // output port of a mirror: NORMAL ignores it

  // Applies OVS's rules for native modes: the native VLAN is always
  // trunked and VLAN 0 never is.  Call once after filling the fields.
  void normalize() {
    if ((vlan_mode == VlanMode::kNativeTagged || vlan_mode == VlanMode::kNativeUntagged) &&
        tag != 0 && (trunks.all() || !trunks.contains(tag) || trunks.contains(0))) {
      trunks.set(tag, true);
      trunks.set(0, false);
    }
  }
  bool trunks_vlan(uint16_t vlan) const {
    return vlan_mode != VlanMode::kAccess && trunks.contains(vlan);
  }
};

struct NormalConfig {
  std::vector<NormalPort> ports;  // flooding visits them in this order
  bool forward_bpdu = false;      // Bridge other_config:forward-bpdu

  const NormalPort* find(uint32_t ofp_port) const {
    for (const NormalPort& p : ports)
      if (p.ofp_port == ofp_port) return &p;
    return nullptr;
  }
};

}  // namespace grebe::normal

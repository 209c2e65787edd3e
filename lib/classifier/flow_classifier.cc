#include "grebe/classifier/flow_classifier.h"

#include <cstddef>
#include <cstring>

namespace grebe::classifier {
namespace {

// A host-order uint32 member at byte offset `offset` of Flow: on a
// little-endian host its top bit is bit (offset % 8) * 8 + 31 of its word.
PrefixField u32_field(const char* name, size_t offset) {
  return PrefixField::host_order(name, offset / 8, static_cast<unsigned>((offset % 8) * 8 + 31),
                                 32);
}

KeyLayout build_flow_layout() {
  KeyLayout l;
  l.n_words = kFlowU64s;
  l.stage_ends.assign(std::begin(kFlowStageEnd), std::end(kFlowStageEnd));
  const size_t tunnel = offsetof(Flow, tunnel);
  static_assert(offsetof(FlowTnl, tun_id) % 8 == 0, "tun_id must be one key word");
  l.prefix_fields = {
      u32_field("nw_dst", offsetof(Flow, nw_dst)),
      u32_field("nw_src", offsetof(Flow, nw_src)),
      PrefixField::network_order("ipv6_dst", offsetof(Flow, ipv6_dst), 16),
      PrefixField::network_order("ipv6_src", offsetof(Flow, ipv6_src), 16),
      u32_field("tun_dst", tunnel + offsetof(FlowTnl, ip_dst)),
      u32_field("tun_src", tunnel + offsetof(FlowTnl, ip_src)),
      u32_field("ct_nw_dst", offsetof(Flow, ct_nw_dst)),
      u32_field("ct_nw_src", offsetof(Flow, ct_nw_src)),
      PrefixField::host_order("tun_id", (tunnel + offsetof(FlowTnl, tun_id)) / 8, 63, 64),
      PrefixField::network_order("tun_ipv6_dst", tunnel + offsetof(FlowTnl, ipv6_dst), 16),
      PrefixField::network_order("tun_ipv6_src", tunnel + offsetof(FlowTnl, ipv6_src), 16),
      PrefixField::network_order("ct_ipv6_dst", offsetof(Flow, ct_ipv6_dst), 16),
      PrefixField::network_order("ct_ipv6_src", offsetof(Flow, ct_ipv6_src), 16),
  };
  // OVS's ports trie field: tp_src then tp_dst, each a host-order uint16
  // (most significant byte at the higher address on this little-endian host).
  const size_t src = offsetof(Flow, tp_src), dst = offsetof(Flow, tp_dst);
  l.ports_field = PrefixField::from_byte_offsets("tp_ports", {src + 1, src, dst + 1, dst});
  const size_t conj = offsetof(Flow, conj_id);
  l.conj_id_field = KeyField{conj / 8, static_cast<unsigned>((conj % 8) * 8), 32};
  return l;
}

}  // namespace

const KeyLayout& flow_layout() {
  static const KeyLayout layout = build_flow_layout();
  return layout;
}

std::string_view canonical_prefix_field(std::string_view name) {
  struct Alias {
    std::string_view ovs;
    std::string_view ours;
  };
  static constexpr Alias kAliases[] = {
      {"nw_src", "nw_src"},
      {"ip_src", "nw_src"},
      {"nw_dst", "nw_dst"},
      {"ip_dst", "nw_dst"},
      {"ipv6_src", "ipv6_src"},
      {"ipv6_dst", "ipv6_dst"},
      {"tun_src", "tun_src"},
      {"tun_dst", "tun_dst"},
      {"ct_nw_src", "ct_nw_src"},
      {"ct_nw_dst", "ct_nw_dst"},
      {"tun_id", "tun_id"},
      {"tunnel_id", "tun_id"},
      {"tun_ipv6_src", "tun_ipv6_src"},
      {"tun_ipv6_dst", "tun_ipv6_dst"},
      {"ct_ipv6_src", "ct_ipv6_src"},
      {"ct_ipv6_dst", "ct_ipv6_dst"},
  };
  for (const Alias& a : kAliases) {
    if (a.ovs == name) return a.ours;
  }
  return {};
}

Match rule_match(const Rule& rule) {
  Match m;
  if (rule.n_words() == kFlowU64s) rule.expand(m.flow.words(), m.wc.masks.words());
  return m;
}

FlowClassifier::FlowClassifier() : Classifier(flow_layout()) {
  // The layout lists nw_dst, nw_src first: OVS's default tries.
  Status s = set_prefix_fields({"nw_dst", "nw_src"});
  (void)s;
}

Status FlowClassifier::set_prefixes(const std::vector<std::string>& ovs_names) {
  if (ovs_names.size() == 1 && ovs_names[0] == "none") return set_prefix_fields({});
  std::vector<std::string> names;
  for (const std::string& n : ovs_names) {
    const std::string_view ours = canonical_prefix_field(n);
    if (ours.empty()) return Error(EINVAL, "'prefixes' with unknown or incompatible field: " + n);
    names.emplace_back(ours);
  }
  return set_prefix_fields(names);
}

}  // namespace grebe::classifier

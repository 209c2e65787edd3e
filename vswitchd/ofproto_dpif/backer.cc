// Backer: shared datapaths per type.  See backer.h.
#include "ofproto_dpif/backer.h"

#include <algorithm>

#include "grebe/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(ofproto_dpif);

namespace grebe::ofproto_dpif {
namespace {

// Main thread only.  Weak: a backer lives while a bridge uses it.
std::map<std::string, std::weak_ptr<Backer>>& backers() {
  static auto* m = new std::map<std::string, std::weak_ptr<Backer>>;
  return *m;
}

}  // namespace

Backer::Backer(std::string type, std::string provider, std::unique_ptr<dpif::Dpif> dpif)
    : type_(std::move(type)), provider_(std::move(provider)), dpif_(std::move(dpif)) {}

Backer::~Backer() {
  auto it = backers().find(type_);
  if (it != backers().end() && it->second.expired()) backers().erase(it);
  // The datapath outlives us only for kernel datapaths (OVS keeps it for a
  // warm restart); userspace datapaths die with the process anyway.
}

Result<std::shared_ptr<Backer>> Backer::get(const std::string& type, const std::string& provider) {
  auto it = backers().find(type);
  if (it != backers().end()) {
    if (auto b = it->second.lock()) return b;
  }
  auto dpif = dpif::Dpif::open(provider, "ovs-" + type, true);
  if (!dpif.ok()) {
    return Error(dpif.error().code(), "failed to open datapath of type " + type + ": " +
                                          dpif.error().message());
  }
  // Flows left from an earlier run were decided by tables we no longer
  // know; start clean as OVS does when it cannot revalidate them.
  (void)(*dpif)->flow_flush();
  std::shared_ptr<Backer> b(new Backer(type, provider, std::move(*dpif)));
  backers()[type] = b;
  VLOG_INFO("datapath %s@%s created", type.c_str(), b->dp_name().c_str());
  return b;
}

std::vector<std::shared_ptr<Backer>> Backer::all() {
  std::vector<std::shared_ptr<Backer>> out;
  for (auto& [type, w] : backers()) {
    if (auto b = w.lock()) out.push_back(std::move(b));
  }
  return out;
}

void Backer::bind_port(dpif::OdpPort odp, Ofproto* ofproto, uint32_t ofp_port) {
  ports_[odp] = PortOwner{ofproto, ofp_port};
}

void Backer::unbind_port(dpif::OdpPort odp) { ports_.erase(odp); }

std::optional<Backer::PortOwner> Backer::lookup_port(dpif::OdpPort odp) const {
  auto it = ports_.find(odp);
  if (it == ports_.end()) return std::nullopt;
  return it->second;
}

void Backer::add_ofproto(Ofproto* ofproto) { ofprotos_.push_back(ofproto); }

void Backer::remove_ofproto(Ofproto* ofproto) {
  ofprotos_.erase(std::remove(ofprotos_.begin(), ofprotos_.end(), ofproto), ofprotos_.end());
}

}  // namespace grebe::ofproto_dpif

// DatapathHost: the datapaths and add-if'd netdevs of one process.
// See grebe/dpctl/dpctl.h.
#include <algorithm>
#include <set>

#include "dpctl_private.h"
#include "grebe/dpctl/dpctl.h"
#include "grebe/dpif/dpif.h"
#include "grebe/dpif/netdev_dummy.h"
#include "grebe/netdev/netdev.h"
#include "grebe/util/vlog.h"

// The messages here are the ones OVS's lib/dpif.c logs.
VLOG_DEFINE_THIS_MODULE(dpif);

namespace grebe::dpctl {

void log_enumerate_failure(std::string_view type, int error) {
  VLOG_WARN("failed to enumerate %.*s datapaths: %s", static_cast<int>(type.size()), type.data(),
            errno_string(error).c_str());
}

namespace {

// A provider's datapath shown under another type name (alias_type()).
class RetypedDpif : public dpif::Dpif {
 public:
  RetypedDpif(std::string type, std::unique_ptr<dpif::Dpif> dp)
      : type_(std::move(type)), dp_(std::move(dp)) {}
  std::string_view type() const override { return type_; }
  const std::string& name() const override { return dp_->name(); }
  Status destroy() override { return dp_->destroy(); }
  dpif::DpStats stats() const override { return dp_->stats(); }
  std::string version() const override { return dp_->version(); }
  Result<dpif::OdpPort> port_add(netdev::Netdev& netdev,
                                 std::optional<dpif::OdpPort> requested) override {
    return dp_->port_add(netdev, requested);
  }
  Status port_del(dpif::OdpPort port) override { return dp_->port_del(port); }
  Result<dpif::DpifPort> port_query(dpif::OdpPort port) const override {
    return dp_->port_query(port);
  }
  Result<dpif::DpifPort> port_query(std::string_view devname) const override {
    return dp_->port_query(devname);
  }
  std::vector<dpif::DpifPort> ports() const override { return dp_->ports(); }
  uint32_t port_upcall_pid(dpif::OdpPort port) const override {
    return dp_->port_upcall_pid(port);
  }
  void operate(std::vector<dpif::Op>& ops) override { dp_->operate(ops); }
  Status flow_flush() override { return dp_->flow_flush(); }
  std::unique_ptr<dpif::FlowDump> flow_dump(bool terse) override { return dp_->flow_dump(terse); }
  Status handlers_set(uint32_t n) override { return dp_->handlers_set(n); }
  Result<dpif::Upcall> recv(uint32_t handler_id) override { return dp_->recv(handler_id); }
  int wait_fd(uint32_t handler_id) const override { return dp_->wait_fd(handler_id); }
  void recv_purge() override { dp_->recv_purge(); }
  Status meter_set(uint32_t id, uint32_t flags, const std::vector<MeterBand>& bands) override {
    return dp_->meter_set(id, flags, bands);
  }
  Status meter_del(uint32_t id) override { return dp_->meter_del(id); }
  size_t run() override { return dp_->run(); }
  Status set_flow_limit(size_t limit) override { return dp_->set_flow_limit(limit); }

 private:
  std::string type_;
  std::unique_ptr<dpif::Dpif> dp_;
};

}  // namespace

void DatapathHost::alias_type(std::string type, std::string provider) {
  aliases_[std::move(type)] = std::move(provider);
}

std::string DatapathHost::provider_of(std::string_view type) const {
  auto it = aliases_.find(type);
  return it == aliases_.end() ? std::string(type) : it->second;
}

DatapathHost::DatapathHost(ExtraNames extra_names) : extra_names_(std::move(extra_names)) {}

DatapathHost::~DatapathHost() {
  // Netdevs must outlive their datapath's use of them: drop handles first.
  for (auto& [name, h] : held_) h.handle.reset();
}

std::vector<std::string> DatapathHost::types() const {
  std::set<std::string> types;
  for (std::string& t : dpif::Dpif::types()) types.insert(std::move(t));
  for (const auto& [type, provider] : aliases_) types.insert(type);
  return std::vector<std::string>(types.begin(), types.end());
}

Result<std::vector<std::string>> DatapathHost::enumerate(std::string_view type) {
  std::set<std::string> names;
  std::string prefix = std::string(type) + "@";
  for (auto it = held_.begin(); it != held_.end();) {
    const std::string& full = it->first;
    if (full.compare(0, prefix.size(), prefix) == 0) {
      std::string name = full.substr(prefix.size());
      // A datapath someone else destroyed is gone from our list too.
      if (!dpif::Dpif::open(provider_of(type), name, false).ok()) {
        it = held_.erase(it);
        continue;
      }
      names.insert(std::move(name));
    }
    ++it;
  }
  if (extra_names_) {
    for (std::string& n : extra_names_(type)) names.insert(std::move(n));
  }
  return std::vector<std::string>(names.begin(), names.end());
}

Result<std::unique_ptr<dpif::Dpif>> DatapathHost::open(std::string_view type,
                                                       std::string_view name, bool create) {
  std::vector<std::string> known = types();
  if (std::find(known.begin(), known.end(), type) == known.end()) {
    VLOG_WARN("could not create datapath %.*s of unknown type %.*s", static_cast<int>(name.size()),
              name.data(), static_cast<int>(type.size()), type.data());
    return Error(EAFNOSUPPORT, "unknown datapath type");
  }
  const std::string provider = provider_of(type);
  if (create) {
    // Providers hand out the existing datapath on create; OVS says EEXIST.
    if (dpif::Dpif::open(provider, name, false).ok()) {
      return Error(EEXIST, "datapath exists");
    }
  }
  auto dpif = dpif::Dpif::open(provider, name, create);
  if (!dpif.ok()) return dpif;
  if (create) {
    // Hold a handle so the datapath lives until del-dp, as in OVS.
    auto keep = dpif::Dpif::open(provider, name, false);
    if (keep.ok()) held(dp_full_name(type, name)).handle = std::move(*keep);
  }
  if ((*dpif)->type() != type) {
    return std::unique_ptr<dpif::Dpif>(new RetypedDpif(std::string(type), std::move(*dpif)));
  }
  return dpif;
}

Result<std::unique_ptr<netdev::Netdev>> DatapathHost::open_netdev(std::string_view name,
                                                                  std::string_view type) {
  if (type == "dummy" || type == "dummy-internal") {
    return std::unique_ptr<netdev::Netdev>(
        netdev::DummyNetdev::create(std::string(name), std::string(type)));
  }
  return netdev::Netdev::open(name, type);
}

Status DatapathHost::set_netdev_config(netdev::Netdev& netdev, const NetdevOptions& options) {
  if (auto* dummy = dynamic_cast<netdev::DummyNetdev*>(&netdev)) {
    return dummy->set_config(options);
  }
  if (!options.empty()) {
    VLOG_WARN("%s: arguments provided to device that is not configurable",
              netdev.name().c_str());
  }
  return ok_status();
}

DatapathHost::Held& DatapathHost::held(const std::string& dp) { return held_[dp]; }

void DatapathHost::attach_port(const std::string& dp, std::unique_ptr<netdev::Netdev> netdev,
                               NetdevOptions options) {
  std::string devname = netdev->name();
  held(dp).ports[devname] = Attached{std::move(netdev), std::move(options)};
}

void DatapathHost::detach_port(const std::string& dp, const std::string& devname) {
  auto it = held_.find(dp);
  if (it != held_.end()) it->second.ports.erase(devname);
}

netdev::Netdev* DatapathHost::port_netdev(const std::string& dp, const std::string& devname) {
  auto it = held_.find(dp);
  if (it == held_.end()) return nullptr;
  auto p = it->second.ports.find(devname);
  return p == it->second.ports.end() ? nullptr : p->second.netdev.get();
}

NetdevOptions DatapathHost::port_config(const std::string& dp, const std::string& devname) const {
  auto it = held_.find(dp);
  if (it == held_.end()) return {};
  auto p = it->second.ports.find(devname);
  return p == it->second.ports.end() ? NetdevOptions{} : p->second.options;
}

void DatapathHost::set_port_config(const std::string& dp, const std::string& devname,
                                   NetdevOptions options) {
  auto it = held_.find(dp);
  if (it == held_.end()) return;
  auto p = it->second.ports.find(devname);
  if (p != it->second.ports.end()) p->second.options = std::move(options);
}

void DatapathHost::forget_datapath(const std::string& dp) {
  auto it = held_.find(dp);
  if (it == held_.end()) return;
  it->second.handle.reset();
  held_.erase(it);
}

}  // namespace grebe::dpctl

// The DatapathHost of ovs-dpctl: kernel datapaths only.  See
// grebe/dpctl/dpctl.h.
#include <algorithm>

#include "dpctl_private.h"
#include "grebe/dpctl/dpctl.h"
#include "grebe/dpif/dpif.h"
#include "grebe/netlink/genl_socket.h"
#include "grebe/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(dpif_netlink);

namespace grebe::dpctl {
namespace {

class SystemDatapathHost : public DatapathHost {
 public:
  std::vector<std::string> types() const override {
    std::vector<std::string> out{"system"};
    // The userspace datapath, once it exists, is visible too (as in OVS,
    // though a fresh process never has one).
    for (const std::string& t : dpif::Dpif::types()) {
      if (t == "netdev") out.push_back(t);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  Result<std::vector<std::string>> enumerate(std::string_view type) override {
    if (type != "system") return DatapathHost::enumerate(type);
    Status st = kernel_ready();
    if (st.ok()) {
      // The kernel knows the family but this build has no netlink dpif
      // provider to list its datapaths with.
      if (!has_provider()) st = Error(EAFNOSUPPORT, "no system datapath provider");
    }
    if (!st.ok()) {
      log_enumerate_failure(type, st.error().code());
      return st.take_error();
    }
    return DatapathHost::enumerate(type);
  }

  Result<std::unique_ptr<dpif::Dpif>> open(std::string_view type, std::string_view name,
                                           bool create) override {
    if (type == "system") {
      Status st = kernel_ready();
      if (!st.ok()) return st.take_error();
    }
    return DatapathHost::open(type, name, create);
  }

 private:
  static bool has_provider() {
    auto t = dpif::Dpif::types();
    return std::find(t.begin(), t.end(), "system") != t.end();
  }

  // Whether the kernel module is there: OVS's dpif-netlink probes the
  // "ovs_datapath" family once per process and says so when it is absent.
  Status kernel_ready() {
    if (!probed_) {
      probed_ = true;
      auto sock = nl::GenlSocket::open();
      if (!sock.ok()) {
        probe_ = Error(sock.error().code());
      } else if (auto id = (*sock)->resolve_family("ovs_datapath"); !id.ok()) {
        VLOG_INFO(
            "Generic Netlink family 'ovs_datapath' does not exist. The Open vSwitch kernel "
            "module is probably not loaded.");
        probe_ = Error(ENOENT);
      }
    }
    return probe_;
  }

  bool probed_ = false;
  Status probe_;
};

}  // namespace

std::unique_ptr<DatapathHost> make_system_datapath_host() {
  return std::make_unique<SystemDatapathHost>();
}

}  // namespace grebe::dpctl

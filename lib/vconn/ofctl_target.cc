// ovs-ofctl's SWITCH argument resolution.  See grebe/vconn/ofctl_target.h.
#include "grebe/vconn/ofctl_target.h"

#include "grebe/util/dirs.h"
#include "grebe/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(ofctl_target);

namespace grebe::vconn {

namespace {

// OVS's dp_parse_name(): "type@name" -> name; an empty name means "system".
std::string datapath_name(std::string_view name) {
  size_t at = name.find('@');
  if (at == std::string_view::npos) return std::string(name);
  std::string_view rest = name.substr(at + 1);
  return rest.empty() ? "system" : std::string(rest);
}

}  // namespace

std::vector<std::string> ofctl_target_candidates(std::string_view name, OfctlTarget target) {
  if (name.find(':') != std::string_view::npos) return {std::string(name)};
  const char* suffix = target == OfctlTarget::kMgmt ? "mgmt" : "snoop";
  std::string rundir = ovs_rundir();
  return {"unix:" + std::string(name), "unix:" + rundir + "/" + std::string(name) + "." + suffix,
          "unix:" + rundir + "/" + datapath_name(name) + "." + suffix};
}

Result<std::unique_ptr<Vconn>> open_ofctl_target(std::string_view name, OfctlTarget target,
                                                 uint32_t allowed_versions) {
  std::unique_ptr<Vconn> vconn;
  std::string n(name);
  if (name.find(':') != std::string_view::npos) {
    auto v = Vconn::open(name, allowed_versions);
    if (!v.ok()) return Error(v.error().code(), "connecting to " + n);
    vconn = std::move(*v);
  } else {
    for (const std::string& candidate : ofctl_target_candidates(name, target)) {
      auto v = Vconn::open(candidate, allowed_versions);
      if (v.ok()) {
        vconn = std::move(*v);
        break;
      }
      if (v.error().code() != ENOENT) {
        // OVS names the socket without the "unix:" it added.
        return Error(v.error().code(), candidate.substr(5) + ": failed to open socket");
      }
    }
    if (!vconn) return Error(ENOENT, n + " is not a bridge or a socket");
  }
  if (target == OfctlTarget::kSnoop) vconn->set_recv_any_version();
  VLOG_DBG("connecting to %s", vconn->name().c_str());
  Status s = vconn->connect_block(-1);
  if (!s.ok()) return Error(s.error().code(), n + ": failed to connect to socket");
  return vconn;
}

}  // namespace grebe::vconn

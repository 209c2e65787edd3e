// netdev-dummy/* commands.  See grebe/dpif/netdev_dummy_commands.h.
#include "grebe/dpif/netdev_dummy_commands.h"

#include <strings.h>

#include <cstdlib>

#include "grebe/dpif/netdev_dummy.h"
#include "grebe/packet/flow_compose.h"
#include "grebe/packet/flow_extract.h"

namespace grebe::netdev {

namespace {
constexpr long kEthTotalMin = 60;  // OVS's ETH_TOTAL_MIN
}

Result<std::string> netdev_dummy_receive_command(const std::vector<std::string>& args) {
  if (args.size() < 2)
    return Error(EINVAL, "\"netdev-dummy/receive\" command requires at least 2 arguments");
  DummyNetdev* dev = DummyNetdev::lookup(args[0]);
  if (!dev) return Error(ENODEV, "no such dummy netdev");
  size_t i = 1;
  if (args.size() > i + 1 && args[i] == "--qid") {
    // Dummy devices have one rx queue here.
    char* end = nullptr;
    long qid = std::strtol(args[i + 1].c_str(), &end, 10);
    if (qid != 0 || *end) return Error(EINVAL, "bad rx queue id.");
    i += 2;
  }
  for (; i < args.size(); i++) {
    auto frame = DummyNetdev::parse_packet(args[i]);
    if (!frame.ok()) return Error(EINVAL, frame.error().message());
    if (i + 2 < args.size() && args[i + 1] == "--len") {
      long len = std::strtol(args[i + 2].c_str(), nullptr, 10);
      if (len < kEthTotalMin) return Error(EINVAL, "too small packet len");
      if (static_cast<size_t>(len) < frame->size()) {
        return Error(EINVAL, "packet is larger than --len " + args[i + 2]);
      }
      // Recompose with a longer payload so IP/UDP lengths and checksums
      // stay right.
      size_t l7 = 64 + static_cast<size_t>(len) - frame->size();
      Flow flow = flow_extract(frame->data(), frame->size());
      *frame = flow_compose(flow, nullptr, l7);
      frame->resize(static_cast<size_t>(len));
      i += 2;
    }
    (void)dev->receive(std::move(*frame));  // a down device drops and counts it
  }
  return std::string();
}

Result<std::string> netdev_dummy_set_admin_state_command(const std::vector<std::string>& args) {
  if (args.empty()) return Error(EINVAL, "Invalid Admin State");
  const std::string& state = args.back();
  bool up;
  if (!strcasecmp(state.c_str(), "up")) {
    up = true;
  } else if (!strcasecmp(state.c_str(), "down")) {
    up = false;
  } else {
    return Error(EINVAL, "Invalid Admin State");
  }
  if (args.size() > 1) {
    DummyNetdev* dev = DummyNetdev::lookup(args[0]);
    if (!dev) return Error(ENODEV, "Unknown Dummy Interface");
    dev->set_admin_state(up);
  } else {
    for (const std::string& name : DummyNetdev::names()) {
      if (DummyNetdev* dev = DummyNetdev::lookup(name)) dev->set_admin_state(up);
    }
  }
  return std::string("OK");
}

}  // namespace grebe::netdev

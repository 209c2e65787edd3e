// grebe-vconntest: both ends of an OpenFlow connection, for interop tests
// against stock OVS tools (tests/integration/test-vconn.sh).
//
//   grebe-vconntest [-O VERSIONS] listen PVCONN [PORT_FILE]
//       Accepts connections (each an unreliable rconn on one EventLoop),
//       answers echo (automatically), barrier and features requests, logs
//       every message received as "received OFPT_..." on stderr, and writes
//       the bound port to PORT_FILE.  Runs until killed.
//   grebe-vconntest [-O VERSIONS] connect VCONN [SECONDS [SNOOP]]
//       Connects as a switch through a reliable rconn, answers the
//       controller's features request with a features reply, then sends an
//       echo request and exits 0 once its reply arrives ("handshake
//       complete"), or 1 after SECONDS (default 10).  With SNOOP (a passive
//       name such as punix:DIR/br0.snoop) it first waits for one snoop
//       client (ovs-ofctl snoop) and mirrors the session to it.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "grebe/event/event_loop.h"
#include "grebe/openflow/ofp_msgs.h"
#include "grebe/openflow/ofp_protocol.h"
#include "grebe/util/byteorder.h"
#include "grebe/util/clock.h"
#include "grebe/util/dirs.h"
#include "grebe/util/vlog.h"
#include "grebe/vconn/rconn.h"
#include "grebe/vconn/vconn.h"

VLOG_DEFINE_THIS_MODULE(vconntest);

namespace {

using grebe::vconn::OfpMsg;
using grebe::vconn::Rconn;
namespace of = grebe::openflow;

constexpr uint32_t kEchoXid = 0x77;

std::string type_name(const OfpMsg& m) {
  const char* n = of::ofp_type_name(m[0], m[1]);
  return n ? n : "type " + std::to_string(m[1]);
}

// Replies a switch gives to the requests these tests send.
void answer_switch_request(Rconn& rc, const OfpMsg& m) {
  uint8_t version = m[0];
  uint32_t xid = grebe::load_be32(m.data() + 4);
  if (m[1] == of::kOfptFeaturesRequest) {
    of::SwitchFeatures f;
    f.datapath_id = 0x0000feedbeefcafeULL;
    f.n_buffers = 0;
    f.n_tables = 254;
    f.capabilities = 0x4f;
    f.actions = version == of::kOfp10 ? 0xfff : 0;
    (void)rc.send(of::encode_features_reply(version, xid, f));
    std::fprintf(stderr, "sent OFPT_FEATURES_REPLY\n");
  } else if (m[1] == of::ofpt_barrier_request(version)) {
    (void)rc.send(of::encode_barrier(true, version, xid));
  } else if (m[1] == of::kOfptGetConfigRequest) {
    (void)rc.send(of::encode_set_config(version, xid, {}, true));
  }
}

int run_listen(uint32_t versions, const std::string& name, const std::string& port_file) {
  auto pv = grebe::vconn::PVconn::open(name, versions);
  if (!pv.ok()) {
    std::fprintf(stderr, "%s: %s\n", name.c_str(), pv.error().to_string().c_str());
    return 1;
  }
  grebe::event::EventLoop loop;
  std::vector<std::unique_ptr<Rconn>> conns;
  loop.watch_fd((*pv)->fd(), grebe::event::kReadable, [&](uint32_t) {
    auto v = (*pv)->accept();
    if (!v.ok()) return;
    auto rc = std::make_unique<Rconn>(loop, 0, 0, 48, versions);
    Rconn* raw = rc.get();
    rc->set_handler(
        {[raw](OfpMsg&& m) {
           std::fprintf(stderr, "received %s\n", type_name(m).c_str());
           answer_switch_request(*raw, m);
         },
         [](int version) { std::fprintf(stderr, "negotiated version 0x%02x\n", version); },
         [](int error) {
           std::fprintf(stderr, "disconnected (%s)\n",
                        grebe::vconn::retval_to_string(error).c_str());
         }});
    rc->connect_unreliably(std::move(*v));
    conns.push_back(std::move(rc));
  });
  if (!port_file.empty()) {
    std::ofstream(port_file) << (*pv)->bound_port() << "\n";
  }
  std::fprintf(stderr, "listening on %s\n", (*pv)->name().c_str());
  loop.run();
  return 0;
}

// Waits (up to `seconds`) for one client on `name` and attaches it to `rc`
// as a monitor.
bool attach_snoop(Rconn& rc, const std::string& name, int seconds) {
  auto pv = grebe::vconn::PVconn::open(name);
  if (!pv.ok()) {
    std::fprintf(stderr, "%s: %s\n", name.c_str(), pv.error().to_string().c_str());
    return false;
  }
  std::fprintf(stderr, "waiting for snoop client on %s\n", (*pv)->name().c_str());
  for (int i = 0; i < seconds * 100; i++) {
    auto v = (*pv)->accept();
    if (v.ok()) {
      rc.add_monitor(std::move(*v));
      return true;
    }
    usleep(10000);
  }
  std::fprintf(stderr, "no snoop client\n");
  return false;
}

int run_connect(uint32_t versions, const std::string& name, int seconds, const std::string& snoop) {
  grebe::event::EventLoop loop;
  Rconn rc(loop, 5, 1, 48, versions);
  if (!snoop.empty() && !attach_snoop(rc, snoop, seconds)) return 1;
  bool features_answered = false, done = false;
  rc.set_handler({[&](OfpMsg&& m) {
                    std::fprintf(stderr, "received %s\n", type_name(m).c_str());
                    if (m[1] == of::kOfptEchoReply && grebe::load_be32(m.data() + 4) == kEchoXid &&
                        features_answered) {
                      done = true;
                      return;
                    }
                    answer_switch_request(rc, m);
                    if (m[1] == of::kOfptFeaturesRequest) {
                      features_answered = true;
                      (void)rc.send(of::encode_echo(false, m[0], kEchoXid));
                    }
                  },
                  [](int version) { std::fprintf(stderr, "negotiated version 0x%02x\n", version); },
                  nullptr});
  rc.connect(name);
  long long deadline = grebe::time_msec() + seconds * 1000LL;
  while (!done && grebe::time_msec() < deadline) loop.run_once(100);
  if (!done) {
    std::fprintf(stderr, "handshake incomplete (state %s)\n", rc.state());
    return 1;
  }
  // Let the monitor copy drain before exiting.
  for (int i = 0; i < 10; i++) loop.run_once(20);
  std::fprintf(stderr, "handshake complete\n");
  return 0;
}

}  // namespace

int main(int argc, char* argv[]) {
  grebe::set_program_name(argv[0]);
  uint32_t versions = grebe::vconn::kDefaultVersions;
  int i = 1;
  if (i + 1 < argc && std::strcmp(argv[i], "-O") == 0) {
    auto v = of::versions_from_string(argv[i + 1]);
    if (!v.ok()) {
      std::fprintf(stderr, "%s\n", v.error().message().c_str());
      return 1;
    }
    versions = *v;
    i += 2;
  }
  if (argc - i >= 2 && std::strcmp(argv[i], "listen") == 0) {
    return run_listen(versions, argv[i + 1], argc - i >= 3 ? argv[i + 2] : "");
  }
  if (argc - i >= 2 && std::strcmp(argv[i], "connect") == 0) {
    return run_connect(versions, argv[i + 1], argc - i >= 3 ? std::atoi(argv[i + 2]) : 10,
                       argc - i >= 4 ? argv[i + 3] : "");
  }
  std::fprintf(stderr,
               "usage: %s [-O VERSIONS] listen PVCONN [PORT_FILE]\n"
               "       %s [-O VERSIONS] connect VCONN [SECONDS]\n",
               argv[0], argv[0]);
  return 1;
}

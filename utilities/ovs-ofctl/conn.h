// ovs-ofctl's connection to a switch and the request/print helpers the
// command files share (OVS: open_vconn(), dump_transaction()).
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "grebe/openflow/ofp_protocol.h"
#include "grebe/openflow/port_msgs.h"
#include "grebe/vconn/ofctl_target.h"
#include "ofctl.h"

namespace grebe::ofctl {

// A connection plus the flow protocol currently in effect on it.
struct Conn {
  std::unique_ptr<vconn::Vconn> vc;
  std::string name;
  openflow::Protocols protocol = openflow::kPOf10Std;
  uint8_t version() const { return static_cast<uint8_t>(vc->version()); }
};

// Connects to `name` (bridge, socket or vconn target) with -O's versions.
Result<Conn> open_conn(const Options& opts, const std::string& name);
// "ovs-ofctl: talking to br0 (...)"; returns 1.
int talk_error(const Conn& c, const Error& e);
// ofp-print text of one message at `verbosity`.
void print_msg(FILE* out, const vconn::OfpMsg& m, int verbosity);
// Multipart request (OF1.0 stats type 16, OF1.1+ 18) with `body_zeros`
// zero bytes of body.
vconn::OfpMsg stats_request(uint8_t version, uint16_t type, uint32_t xid, size_t body_zeros = 0);
// Sends a request and prints every reply (OVS dump_transaction()).
int dump_transaction(Conn& c, vconn::OfpMsg request, int verbosity);

}  // namespace grebe::ofctl

namespace grebe::ofctl {
// The port named or numbered `port` from the switch's port descriptions
// (OVS fetch_ofputil_phy_port()); ENOENT "br0: couldn't find port `x'".
Result<openflow::PhyPort> fetch_port(Conn& c, const std::string& port);
}  // namespace grebe::ofctl

namespace grebe::ofctl {
// Sends `requests` (flow/group mods of the connection's version) in one
// ordered, atomic bundle; prints "Error X for: <request>" for each error;
// returns the exit status (OVS bundle_transact()).
int bundle_transact(const Options& opts, Conn& c, const std::vector<vconn::OfpMsg>& requests);
}  // namespace grebe::ofctl

namespace grebe::ofctl {
// Switches the connection to `want` if that takes a message (OF1.0 flow
// format / table-id extension); false if the switch refused (OVS
// try_set_protocol()).
Result<bool> try_set_protocol(Conn& c, openflow::Protocols want);
}  // namespace grebe::ofctl

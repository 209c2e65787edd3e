// appctl commands over every bridge (Backer::all()): ofproto/list,
// ofproto/trace, dpif/show, dpif/dump-flows, bridge/dump-flows.  Output as
// OVS 3.1 prints it.
//
// Threads: register once from the main thread; the commands run on the
// unixctl server's loop, which must be the main thread.
#pragma once

namespace grebe::ofproto_dpif {

void register_ofproto_commands();

}  // namespace grebe::ofproto_dpif

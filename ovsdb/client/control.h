// The control socket of a detached ovsdb-client (monitor, lock): OVS's
// <rundir>/ovsdb-client.<pid>.ctl answering "exit" and the vlog commands,
// so `ovs-appctl -t <socket> exit` stops it.  The socket is served from a
// thread of its own because the client's main loop blocks on the database
// connection.
#pragma once

namespace grebe::ovsdb_client {

// Starts the control socket if the process detached; fatal() if the socket
// cannot be created.  "exit" removes the pidfile and socket and ends the
// process with status 0.  Main thread, once, after daemonize_start().
void start_control_socket();

}  // namespace grebe::ovsdb_client

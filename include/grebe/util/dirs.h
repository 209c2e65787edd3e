// OVS's directories, overridable by the same environment variables OVS reads
// so existing scripts keep working:
//   OVS_RUNDIR     (default /var/run/openvswitch)  pidfiles, control sockets
//   OVS_LOGDIR     (default /var/log/openvswitch)
//   OVS_DBDIR      (default /etc/openvswitch)      conf.db
//   OVS_SYSCONFDIR (default /etc)                  $OVS_SYSCONFDIR/openvswitch
//   OVS_PKGDATADIR (default /usr/share/openvswitch) vswitch.ovsschema
//   OVS_BINDIR     (default: the directory of the running program)
#pragma once

#include <string>
#include <string_view>

namespace grebe {

std::string ovs_rundir();
std::string ovs_logdir();
std::string ovs_dbdir();
std::string ovs_sysconfdir();
std::string ovs_pkgdatadir();

// The program's short name (basename of argv[0]); set once by main().
void set_program_name(std::string_view argv0);
const std::string& program_name();

// Makes a path absolute relative to the current directory (or `dir` if given).
std::string abs_file_name(std::string_view dir, std::string_view file);

}  // namespace grebe

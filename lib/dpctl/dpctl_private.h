// Internal to lib/dpctl: what every command handler shares.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "grebe/dpctl/dpctl.h"
#include "grebe/dpif/dpif.h"

namespace grebe::dpctl {

// One command run: the host, the options, and OVS's output helpers.
struct Ctx {
  DatapathHost& host;
  Params& p;

  void print(std::string_view text) const;
  // "PROGRAM: msg[ (strerror(err))]\n" on the error stream (dpctl_error).
  void error(int err, std::string_view msg) const;
};

// argv includes the command name, as OVS's handlers see it.
using Args = std::vector<std::string>;
using CommandHandler = int (*)(Ctx& ctx, const Args& argv);

// "failed to enumerate TYPE datapaths: ..." at WARN, as OVS's dpif module.
void log_enumerate_failure(std::string_view type, int error);

// The handler of command `name` (nullptr if unknown), for the unixctl adapter.
CommandHandler find_handler(std::string_view name);

// Opens "[type@]name" (parsed_dpif_open); returns 0 or errno.
int parsed_dpif_open(Ctx& ctx, std::string_view arg, bool create,
                     std::unique_ptr<dpif::Dpif>* out);
// True if argv[1] names an existing datapath (dp_arg_exists).
bool dp_arg_exists(Ctx& ctx, const Args& argv, size_t argc);
// Opens the datapath named by argv[1], or the only datapath when the
// argument is left out (opt_dpif_open).  Reports its own errors.
int opt_dpif_open(Ctx& ctx, const Args& argv, size_t argc, size_t max_args,
                  std::unique_ptr<dpif::Dpif>* out);
// Calls `cb` on every datapath (dps_for_each).
int dps_for_each(Ctx& ctx, void (*cb)(Ctx&, dpif::Dpif&));
std::string dpif_name(const dpif::Dpif& dpif);
// Userspace datapaths (whatever type name they are served under) report
// their version as "<built-in>"; OVS prints some things differently for
// them (no mask statistics, "flow-dump from ..." headers).
inline bool is_userspace(const dpif::Dpif& dpif) { return dpif.version() == "<built-in>"; }

// dp_commands.cc
int cmd_add_dp(Ctx&, const Args&);
int cmd_del_dp(Ctx&, const Args&);
int cmd_add_if(Ctx&, const Args&);
int cmd_set_if(Ctx&, const Args&);
int cmd_del_if(Ctx&, const Args&);
int cmd_dump_dps(Ctx&, const Args&);
int cmd_show(Ctx&, const Args&);

// flow_commands.cc
int cmd_dump_flows(Ctx&, const Args&);
int cmd_add_flow(Ctx&, const Args&);
int cmd_mod_flow(Ctx&, const Args&);
int cmd_get_flow(Ctx&, const Args&);
int cmd_del_flow(Ctx&, const Args&);
int cmd_process_flows(Ctx&, const Args&);
int cmd_del_flows(Ctx&, const Args&);

}  // namespace grebe::dpctl

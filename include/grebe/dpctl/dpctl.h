// dpctl: the datapath management commands behind `ovs-dpctl COMMAND` and
// `ovs-appctl dpctl/COMMAND` (OVS's lib/dpctl), over the Dpif interface.
//
//   add-dp, del-dp, add-if, set-if, del-if, dump-dps, show, dump-flows,
//   add-flow, mod-flow, get-flow, del-flow, add-flows, mod-flows, del-flows,
//   list-commands, help
//
// Output and error texts are OVS's, byte for byte.  A command writes its
// output through Params::output; errors are "PROGRAM: message (strerror)\n"
// lines (ovs-dpctl prints them on stderr, appctl returns them in the error
// reply).  Where a command's DP argument is optional it defaults to the only
// datapath, as in OVS.
//
// Threads: one command at a time per DatapathHost, from the thread that owns
// the host (the CLI's main thread, or the unixctl server's loop thread).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "grebe/util/result.h"

namespace grebe::dpif {
class Dpif;
}
namespace grebe::netdev {
class Netdev;
}

namespace grebe::dpctl {

// Options of one command run (OVS's struct dpctl_params).
struct Params {
  bool is_appctl = false;         // dpctl/* through unixctl (allows type=, adds UFIDs)
  bool read_only = false;         // refuse read/write commands
  int verbosity = 0;              // -m / --more: UFIDs, every field
  bool print_statistics = false;  // -s: port stats (show), flow stats (mod/del-flow)
  bool zero_statistics = false;   // --clear (mod-flow)
  bool may_create = false;        // --may-create (mod-flow)
  bool names = false;             // --names: port names in flows
  // Receives the command's text; `error` marks error lines.
  std::function<void(bool error, std::string_view text)> output;
  // "help": prints the program's usage.
  std::function<void()> usage;
};

using NetdevOptions = std::map<std::string, std::string>;

// The datapaths (and the netdevs dpctl attached to them) of one process.
// OVS keeps these in process-wide registries; here the embedding program
// owns one host and may subclass it (ovs-vswitchd lists its own
// datapaths, ovs-dpctl only sees the kernel's).
//
// Datapaths created through the host stay alive (a handle is held) until
// del-dp, as OVS's userspace datapaths do; netdevs attached by add-if live
// until del-if / del-dp.  Main thread only.
class DatapathHost {
 public:
  // Names of datapaths of a type that exist outside this host's knowledge
  // (ovs-vswitchd's own "ovs-dummy", say).
  using ExtraNames = std::function<std::vector<std::string>(std::string_view type)>;

  explicit DatapathHost(ExtraNames extra_names = {});
  virtual ~DatapathHost();
  DatapathHost(const DatapathHost&) = delete;
  DatapathHost& operator=(const DatapathHost&) = delete;

  // Serves datapath type `type` with dpif provider `provider`, as OVS's
  // `ovs-vswitchd --enable-dummy=override` serves "system" datapaths with
  // the dummy provider: names and output say `type`.
  void alias_type(std::string type, std::string provider);

  // Datapath types to enumerate (dp_enumerate_types); default Dpif::types()
  // plus aliases.
  virtual std::vector<std::string> types() const;
  // Sorted names of the datapaths of `type` that exist
  // (dp_enumerate_names).  Errors are errno values (ENOENT: no kernel module).
  virtual Result<std::vector<std::string>> enumerate(std::string_view type);
  // Opens datapath `name` of `type`.  With `create`, EEXIST if it exists.
  virtual Result<std::unique_ptr<dpif::Dpif>> open(std::string_view type, std::string_view name,
                                                   bool create);
  // Opens (creates) network device `name` of netdev `type` for add-if:
  // "dummy"/"dummy-internal" devices are made here, others go through
  // Netdev::open().
  virtual Result<std::unique_ptr<netdev::Netdev>> open_netdev(std::string_view name,
                                                              std::string_view type);
  // Applies interface options to a netdev (netdev_set_config).  Dummy
  // devices take theirs; other devices ignore them with a warning, as OVS
  // does for devices that are not configurable.
  virtual Status set_netdev_config(netdev::Netdev& netdev, const NetdevOptions& options);

  // Bookkeeping of add-if'd netdevs, by datapath full name ("type@name").
  void attach_port(const std::string& dp, std::unique_ptr<netdev::Netdev> netdev,
                   NetdevOptions options);
  void detach_port(const std::string& dp, const std::string& devname);
  netdev::Netdev* port_netdev(const std::string& dp, const std::string& devname);
  // The options a port was configured with ({} for ports dpctl did not add).
  NetdevOptions port_config(const std::string& dp, const std::string& devname) const;
  void set_port_config(const std::string& dp, const std::string& devname, NetdevOptions options);
  // del-dp: drops the held handle and the datapath's netdevs.
  void forget_datapath(const std::string& dp);

 private:
  struct Attached {
    std::unique_ptr<netdev::Netdev> netdev;
    NetdevOptions options;
  };
  struct Held {
    std::unique_ptr<dpif::Dpif> handle;  // keeps a userspace datapath alive
    std::map<std::string, Attached> ports;
  };
  Held& held(const std::string& dp);

  std::string provider_of(std::string_view type) const;

  ExtraNames extra_names_;
  std::map<std::string, std::string, std::less<>> aliases_;  // type -> provider
  std::map<std::string, Held> held_;  // by full name
};

// The host ovs-dpctl uses: only kernel ("system") datapaths, as a
// separate process sees them.  Without the kernel module (no "ovs_datapath"
// generic netlink family) it logs OVS's "kernel module is probably not
// loaded" once and fails with ENOENT; with the module but no system dpif
// provider in this build, EAFNOSUPPORT.
std::unique_ptr<DatapathHost> make_system_datapath_host();

// "type@name" as OVS's dpif_name() prints it.
std::string dp_full_name(std::string_view type, std::string_view name);
// Splits "[type@]name"; the type defaults to "system" (dp_parse_name).
void dp_parse_name(std::string_view full, std::string* name, std::string* type);

struct CommandInfo {
  const char* name;
  const char* usage;
  int min_args, max_args;
  bool read_write;  // refused with --read-only
};
// Every command, in OVS's order.
const std::vector<CommandInfo>& commands();

// Runs argv (argv[0] = the command name, then its arguments; options
// already parsed into `params`).  Returns 0 or an errno value; errors have
// been written to params.output.
int run_command(DatapathHost& host, const std::vector<std::string>& argv, Params& params);

// Registers dpctl/<command> for every command but "help" on the process's
// unixctl registry (any Server created in this process answers them).
// Options (-m, -s, --more, --names, --no-names, --statistics, --clear,
// --may-create) are parsed before the command's arguments, as OVS does.
// `host` lives as long as the registrations.
void register_dpctl_unixctl(std::shared_ptr<DatapathHost> host);

}  // namespace grebe::dpctl

// Helpers shared by ovs-vsctl's topology commands: lookups with OVS's error
// messages, reference-set edits, and the add/delete building blocks.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ctl.h"
#include "vsctl_cache.h"

namespace grebe::vsctl {

// Lookups: null (with ctx.error set when must_exist) if not found.
VBridge* find_bridge(Context& ctx, const std::string& name, bool must_exist);
VBridge* find_real_bridge(Context& ctx, const std::string& name, bool must_exist);
VPort* find_port(Context& ctx, const std::string& name, bool must_exist);
VIface* find_iface(Context& ctx, const std::string& name, bool must_exist);
// False (with ctx.error = "<msg> because ...") if 'name' is taken.
bool check_conflicts(Context& ctx, const std::string& name, const std::string& msg);

// Adds/removes one UUID in a set-of-references column.
void add_ref(Txn& txn, const std::string& table, const Uuid& row, const std::string& column,
             const Uuid& ref);
void remove_ref(Txn& txn, const std::string& table, const Uuid& row, const std::string& column,
                const Uuid& ref);
std::map<std::string, std::string> read_smap(const Txn& txn, const std::string& table,
                                             const Uuid& row, const std::string& column);
Datum smap_datum(const std::map<std::string, std::string>& smap);

void add_port(Context& ctx, const std::string& br_name, const std::string& port_name,
              bool may_exist, bool fake_iface, const std::vector<std::string>& iface_names,
              const std::vector<std::string>& settings);
void del_port(Context& ctx, VPort* port);
void del_bridge(Context& ctx, VBridge* br);
// The command as typed ("--may-exist add-port br0 p1"), for messages.
std::string command_string(const Context& ctx);
// OVS's process_escape_args(): words joined by spaces, quoted if needed.
std::string escape_args(const std::vector<std::string>& words);

void register_config_commands();
void register_zone_commands();
// "show" (OVS's cmd_show with ovs-vsctl's table of what to show).
void register_show_command();

}  // namespace grebe::vsctl

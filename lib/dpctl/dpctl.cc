// Command table, dispatch and the datapath-opening helpers every command
// shares (OVS's lib/dpctl.c top half).  See grebe/dpctl/dpctl.h.
#include <algorithm>
#include <climits>

#include "dpctl_private.h"
#include "grebe/util/dirs.h"
#include "grebe/util/vlog.h"

namespace grebe::dpctl {

void Ctx::print(std::string_view text) const {
  if (p.output) p.output(false, text);
}

void Ctx::error(int err, std::string_view msg) const {
  std::string s = program_name();
  const std::string& sub = vlog::subprogram_name();
  if (!sub.empty()) s += "(" + sub + ")";
  s += ": ";
  s += msg;
  if (err) s += " (" + (err == EOF ? std::string("End of file") : errno_string(err)) + ")";
  s += "\n";
  if (p.output) p.output(true, s);
}

std::string dp_full_name(std::string_view type, std::string_view name) {
  return std::string(type) + "@" + std::string(name);
}

void dp_parse_name(std::string_view full, std::string* name, std::string* type) {
  size_t at = full.find('@');
  if (at == std::string_view::npos) {
    *name = std::string(full);
    *type = "system";
    return;
  }
  *type = std::string(full.substr(0, at));
  *name = std::string(full.substr(at + 1));
  // OVS normalizes the part after '@' as if it were a type: empty -> "system".
  if (name->empty()) *name = "system";
  if (type->empty()) *type = "system";
}

std::string dpif_name(const dpif::Dpif& dpif) { return dp_full_name(dpif.type(), dpif.name()); }

int parsed_dpif_open(Ctx& ctx, std::string_view arg, bool create,
                     std::unique_ptr<dpif::Dpif>* out) {
  std::string name, type;
  dp_parse_name(arg, &name, &type);
  auto r = ctx.host.open(type, name, create);
  if (!r.ok()) return r.error().code();
  *out = std::move(*r);
  return 0;
}

namespace {

bool dp_exists(Ctx& ctx, std::string_view queried) {
  std::string name, type;
  dp_parse_name(queried, &name, &type);
  std::vector<std::string> types = ctx.host.types();
  if (std::find(types.begin(), types.end(), type) == types.end()) return false;
  auto names = ctx.host.enumerate(type);
  return names.ok() && std::find(names->begin(), names->end(), name) != names->end();
}

// The only datapath's full name, or "" after reporting why there is none.
std::string get_one_dp(Ctx& ctx) {
  std::string dp_name;
  size_t count = 0;
  for (const std::string& type : ctx.host.types()) {
    auto names = ctx.host.enumerate(type);
    if (!names.ok()) continue;
    count += names->size();
    if (dp_name.empty() && count == 1) dp_name = dp_full_name(type, names->front());
  }
  if (!count) {
    ctx.error(0, "no datapaths exist");
  } else if (count > 1) {
    ctx.error(0, "multiple datapaths, specify one");
    dp_name.clear();
  }
  return dp_name;
}

}  // namespace

bool dp_arg_exists(Ctx& ctx, const Args& argv, size_t argc) {
  return argc > 1 && dp_exists(ctx, argv[1]);
}

int opt_dpif_open(Ctx& ctx, const Args& argv, size_t argc, size_t max_args,
                  std::unique_ptr<dpif::Dpif>* out) {
  std::string dpname;
  if (dp_arg_exists(ctx, argv, argc)) {
    dpname = argv[1];
  } else if (argc != max_args) {
    dpname = get_one_dp(ctx);
  }
  // With the maximum number of arguments, the first must name a datapath.
  if (dpname.empty()) {
    ctx.error(EINVAL, "datapath not found");
    return EINVAL;
  }
  int error = parsed_dpif_open(ctx, dpname, false, out);
  if (error) ctx.error(error, "opening datapath");
  return error;
}

int dps_for_each(Ctx& ctx, void (*cb)(Ctx&, dpif::Dpif&)) {
  int openerror = 0, enumerror = 0;
  bool at_least_one = false;
  for (const std::string& type : ctx.host.types()) {
    auto names = ctx.host.enumerate(type);
    if (!names.ok()) {
      enumerror = names.error().code();
      continue;
    }
    for (const std::string& name : *names) {
      at_least_one = true;
      auto dpif = ctx.host.open(type, name, false);
      if (dpif.ok()) {
        cb(ctx, **dpif);
      } else {
        openerror = dpif.error().code();
        ctx.error(openerror, "opening datapath " + name + " failed");
      }
    }
  }
  // Enumeration errors matter only when nothing was found (e.g. no kernel
  // module while a userspace datapath exists is fine).
  if (openerror) return openerror;
  return at_least_one ? 0 : enumerror;
}

namespace {

int cmd_help(Ctx& ctx, const Args&) {
  if (ctx.p.usage) ctx.p.usage();
  return 0;
}

int cmd_list_commands(Ctx& ctx, const Args&);

struct Command {
  CommandInfo info;
  CommandHandler handler;
};

const std::vector<Command>& command_table() {
  static const std::vector<Command> table = {
      {{"add-dp", "dp [iface...]", 1, INT_MAX, true}, cmd_add_dp},
      {{"del-dp", "dp", 1, 1, true}, cmd_del_dp},
      {{"add-if", "dp iface...", 2, INT_MAX, true}, cmd_add_if},
      {{"del-if", "dp iface...", 2, INT_MAX, true}, cmd_del_if},
      {{"set-if", "dp iface...", 2, INT_MAX, true}, cmd_set_if},
      {{"dump-dps", "", 0, 0, false}, cmd_dump_dps},
      {{"show", "[-s] [dp...]", 0, INT_MAX, false}, cmd_show},
      {{"dump-flows", "[-m] [--names] [dp] [filter=..] [type=..] [pmd=..]", 0, 6, false},
       cmd_dump_flows},
      {{"add-flow", "[dp] flow actions", 2, 3, true}, cmd_add_flow},
      {{"mod-flow", "[dp] flow actions", 2, 3, true}, cmd_mod_flow},
      {{"get-flow", "[dp] ufid", 1, 2, false}, cmd_get_flow},
      {{"del-flow", "[dp] flow", 1, 2, true}, cmd_del_flow},
      {{"add-flows", "[dp] file", 1, 2, true}, cmd_process_flows},
      {{"mod-flows", "[dp] file", 1, 2, true}, cmd_process_flows},
      {{"del-flows", "[dp] [file]", 0, 2, true}, cmd_del_flows},
      {{"help", "", 0, INT_MAX, false}, cmd_help},
      {{"list-commands", "", 0, INT_MAX, false}, cmd_list_commands},
  };
  return table;
}

int cmd_list_commands(Ctx& ctx, const Args&) {
  std::string out = "The available commands are:\n";
  for (const Command& c : command_table()) {
    if (ctx.p.is_appctl && std::string_view(c.info.name) == "help") continue;
    char line[256];
    std::snprintf(line, sizeof line, "  %s%-23s %s\n", ctx.p.is_appctl ? "dpctl/" : "",
                  c.info.name, c.info.usage);
    out += line;
  }
  ctx.print(out);
  return 0;
}

}  // namespace

const std::vector<CommandInfo>& commands() {
  static const std::vector<CommandInfo> infos = [] {
    std::vector<CommandInfo> v;
    for (const Command& c : command_table()) v.push_back(c.info);
    return v;
  }();
  return infos;
}

int run_command(DatapathHost& host, const std::vector<std::string>& argv, Params& params) {
  Ctx ctx{host, params};
  if (argv.empty()) {
    ctx.error(0, "missing command name; use --help for help");
    return EINVAL;
  }
  for (const Command& c : command_table()) {
    if (argv[0] != c.info.name) continue;
    long n_arg = static_cast<long>(argv.size()) - 1;
    if (n_arg < c.info.min_args) {
      ctx.error(0, "'" + argv[0] + "' command requires at least " +
                       std::to_string(c.info.min_args) + " arguments");
      return EINVAL;
    }
    if (n_arg > c.info.max_args) {
      ctx.error(0, "'" + argv[0] + "' command takes at most " + std::to_string(c.info.max_args) +
                       " arguments");
      return EINVAL;
    }
    if (c.info.read_write && params.read_only) {
      ctx.error(0, "'" + argv[0] + "' command does not work in read only mode");
      return EINVAL;
    }
    return c.handler(ctx, argv);
  }
  ctx.error(0, "unknown command '" + argv[0] + "'; use --help for help");
  return EINVAL;
}

// Looks up one command's handler for the unixctl adapter.
CommandHandler find_handler(std::string_view name) {
  for (const Command& c : command_table()) {
    if (name == c.info.name) return c.handler;
  }
  return nullptr;
}

}  // namespace grebe::dpctl

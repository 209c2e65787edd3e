// `ovs-appctl dpctl/*`: the dpctl commands on the process's unixctl
// registry, with OVS's in-line option parsing.  See grebe/dpctl/dpctl.h.
#include <string_view>

#include "dpctl_private.h"
#include "grebe/unixctl/unixctl.h"

namespace grebe::dpctl {
namespace {

// Parses leading options into `p`; returns "" or the error text.
std::string parse_options(std::vector<std::string>& argv, Params& p) {
  bool set_names = false;
  while (argv.size() > 1) {
    const std::string& arg = argv[1];
    if (arg.rfind("--", 0) == 0) {
      if (arg == "--statistics") {
        p.print_statistics = true;
      } else if (arg == "--clear") {
        p.zero_statistics = true;
      } else if (arg == "--may-create") {
        p.may_create = true;
      } else if (arg == "--more") {
        p.verbosity++;
      } else if (arg == "--names") {
        p.names = true;
        set_names = true;
      } else if (arg == "--no-names") {
        p.names = false;
        set_names = true;
      } else {
        return "Unrecognized option " + arg;
      }
    } else if (arg.size() > 1 && arg[0] == '-') {
      for (char c : std::string_view(arg).substr(1)) {
        if (c == 'm') {
          p.verbosity++;
        } else if (c == 's') {
          p.print_statistics = true;
        } else {
          return std::string("Unrecognized option -") + c;
        }
      }
    } else {
      break;  // not an option
    }
    argv.erase(argv.begin() + 1);
  }
  if (!set_names) p.names = p.verbosity > 0;
  return "";
}

}  // namespace

void register_dpctl_unixctl(std::shared_ptr<DatapathHost> host) {
  for (const CommandInfo& c : commands()) {
    if (std::string_view(c.name) == "help") continue;
    CommandHandler handler = find_handler(c.name);
    unixctl::register_command(
        std::string("dpctl/") + c.name, std::string(c.usage), c.min_args, c.max_args,
        [host, handler](const std::vector<std::string>& argv_in, const unixctl::Reply& reply) {
          std::vector<std::string> argv = argv_in;
          std::string text;
          Params p;
          p.is_appctl = true;
          p.output = [&text](bool, std::string_view s) { text += s; };
          std::string err = parse_options(argv, p);
          if (!err.empty()) {
            reply.error(err);
            return;
          }
          Ctx ctx{*host, p};
          if (handler(ctx, argv) != 0) {
            reply.error(text);
          } else {
            reply.ok(text);
          }
        });
  }
}

}  // namespace grebe::dpctl

// ovs-vsctl command-line parsing (OVS's parse_options + ctl_parse_commands).
#include "options.h"

#include <getopt.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>

#include "grebe/daemon/client_options.h"
#include "grebe/ovsdb_idl/vswitch_idl.h"
#include "grebe/stream/ssl.h"
#include "grebe/util/dirs.h"
#include "grebe/util/version.h"
#include "grebe/util/vlog.h"
#include "vsctl_util.h"

VLOG_DEFINE_THIS_MODULE(vsctl_options);

namespace grebe::vsctl {

void fatal(const std::string& message) {
  // OVS formats messages as C strings, so a NUL ends them.
  std::string line = program_name() + ": " + message.substr(0, message.find('\0')) + "\n";
  fwrite(line.data(), 1, line.size(), stderr);
  exit(EXIT_FAILURE);
}

namespace {

enum {
  kOptOneline = UCHAR_MAX + 1, kOptNoSyslog, kOptNoWait, kOptDryRun, kOptRetry,
  kOptCommands, kOptOptions, kOptLeaderOnly, kOptNoLeaderOnly, kOptShuffle, kOptNoShuffle,
  kOptLogFile, kOptNoHeadings, kOptPretty, kOptBare, kOptMaxColumnWidth, kOptLocal,
};

void usage() {
  const char* p = program_name().c_str();
  printf("%s: ovs-vswitchd management utility\n"
         "usage: %s [OPTIONS] COMMAND [ARG...]\n\n", p, p);
  printf("Open vSwitch commands:\n"
         "  init                        initialize database, if not yet initialized\n"
         "  show                        print overview of database contents\n"
         "  emer-reset                  reset configuration to clean state\n\n"
         "Bridge commands:\n"
         "  add-br BRIDGE               create a new bridge named BRIDGE\n"
         "  add-br BRIDGE PARENT VLAN   create new fake BRIDGE in PARENT on VLAN\n"
         "  del-br BRIDGE               delete BRIDGE and all of its ports\n"
         "  list-br                     print the names of all the bridges\n"
         "  br-exists BRIDGE            exit 2 if BRIDGE does not exist\n"
         "  br-to-vlan BRIDGE           print the VLAN which BRIDGE is on\n"
         "  br-to-parent BRIDGE         print the parent of BRIDGE\n"
         "  br-set-external-id BRIDGE KEY VALUE  set KEY on BRIDGE to VALUE\n"
         "  br-set-external-id BRIDGE KEY  unset KEY on BRIDGE\n"
         "  br-get-external-id BRIDGE KEY  print value of KEY on BRIDGE\n"
         "  br-get-external-id BRIDGE  list key-value pairs on BRIDGE\n\n"
         "Port commands (a bond is considered to be a single port):\n"
         "  list-ports BRIDGE           print the names of all the ports on BRIDGE\n"
         "  add-port BRIDGE PORT        add network device PORT to BRIDGE\n"
         "  add-bond BRIDGE PORT IFACE...  add bonded port PORT in BRIDGE from IFACES\n"
         "  del-port [BRIDGE] PORT      delete PORT (which may be bonded) from BRIDGE\n"
         "  port-to-br PORT             print name of bridge that contains PORT\n\n"
         "Interface commands (a bond consists of multiple interfaces):\n"
         "  list-ifaces BRIDGE          print the names of all interfaces on BRIDGE\n"
         "  iface-to-br IFACE           print name of bridge that contains IFACE\n\n"
         "Controller commands:\n"
         "  get-controller BRIDGE      print the controllers for BRIDGE\n"
         "  del-controller BRIDGE      delete the controllers for BRIDGE\n"
         "  [--inactivity-probe=MSECS]\n"
         "  set-controller BRIDGE TARGET...  set the controllers for BRIDGE\n"
         "  get-fail-mode BRIDGE       print the fail-mode for BRIDGE\n"
         "  del-fail-mode BRIDGE       delete the fail-mode for BRIDGE\n"
         "  set-fail-mode BRIDGE MODE  set the fail-mode for BRIDGE to MODE\n\n"
         "Manager commands:\n"
         "  get-manager                print the managers\n"
         "  del-manager                delete the managers\n"
         "  [--inactivity-probe=MSECS]\n"
         "  set-manager TARGET...      set the list of managers to TARGET...\n\n"
         "SSL commands:\n"
         "  get-ssl                     print the SSL configuration\n"
         "  del-ssl                     delete the SSL configuration\n"
         "  set-ssl PRIV-KEY CERT CA-CERT  set the SSL configuration\n\n"
         "Auto Attach commands:\n"
         "  add-aa-mapping BRIDGE I-SID VLAN   add Auto Attach mapping to BRIDGE\n"
         "  del-aa-mapping BRIDGE I-SID VLAN   delete Auto Attach mapping VLAN from BRIDGE\n"
         "  get-aa-mapping BRIDGE              get Auto Attach mappings from BRIDGE\n\n"
         "Switch commands:\n"
         "  emer-reset                  reset switch to known good state\n\n"
         "Database commands:\n"
         "  list TBL [REC]              list RECord (or all records) in TBL\n"
         "  find TBL CONDITION...       list records satisfying CONDITION in TBL\n"
         "  get TBL REC COL[:KEY]       print values of COLumns in RECord in TBL\n"
         "  set TBL REC COL[:KEY]=VALUE set COLumn values in RECord in TBL\n"
         "  add TBL REC COL [KEY=]VALUE add (KEY=)VALUE to COLumn in RECord in TBL\n"
         "  remove TBL REC COL [KEY=]VALUE  remove (KEY=)VALUE from COLumn\n"
         "  clear TBL REC COL           clear values from COLumn in RECord in TBL\n"
         "  create TBL COL[:KEY]=VALUE  create and initialize new record\n"
         "  destroy TBL REC             delete RECord from TBL\n"
         "  wait-until TBL REC [COL[:KEY]=VALUE]  wait until condition is true\n"
         "Potentially unsafe database commands require --force option.\n\n"
         "Options:\n"
         "  --db=DATABASE               connect to DATABASE\n"
         "                              (default: unix:%s/db.sock)\n"
         "  --no-wait                   do not wait for ovs-vswitchd to reconfigure\n"
         "  --retry                     keep trying to connect to server forever\n"
         "  -t, --timeout=SECS          wait at most SECS seconds for ovs-vswitchd\n"
         "  --dry-run                   do not commit changes to database\n"
         "  --oneline                   print exactly one line of output per command\n",
         ovs_rundir().c_str());
  printf("\nOutput formatting options:\n"
         "  -f, --format=FORMAT         set output formatting to FORMAT\n"
         "                              (\"table\", \"html\", \"csv\", or \"json\")\n"
         "  -d, --data=FORMAT           set table cell output formatting to\n"
         "                              FORMAT (\"string\", \"bare\", or \"json\")\n"
         "  --no-headings               omit table heading row\n"
         "  --pretty                    pretty-print JSON in output\n"
         "  --bare                      equivalent to \"--format=list --data=bare --no-headings\"\n");
  printf("\nOther options:\n"
         "  -h, --help                  display this help message\n"
         "  -V, --version               display version information\n");
  exit(EXIT_SUCCESS);
}

// Local (per-command) option names from every command's option string.
std::vector<std::pair<std::string, int>> local_option_names() {
  std::map<std::string, int> names;
  for (const auto& [name, syntax] : all_commands()) {
    std::string opts = syntax->options;
    size_t p = 0;
    while (p < opts.size()) {
      size_t comma = opts.find(',', p);
      std::string o = opts.substr(p, comma == std::string::npos ? std::string::npos : comma - p);
      p = comma == std::string::npos ? opts.size() : comma + 1;
      if (o.size() < 3) continue;
      size_t n = o.find_first_of("=?", 2);
      int has_arg = n == std::string::npos ? no_argument
                    : o[n] == '=' ? required_argument : optional_argument;
      names[o.substr(2, n == std::string::npos ? std::string::npos : n - 2)] = has_arg;
    }
  }
  return {names.begin(), names.end()};
}

void set_format(TableStyle* s, const char* f) {
  static const std::map<std::string, TableStyle::Format> kFormats = {
      {"table", TableStyle::Format::kTable}, {"list", TableStyle::Format::kList},
      {"html", TableStyle::Format::kHtml},   {"csv", TableStyle::Format::kCsv},
      {"json", TableStyle::Format::kJson}};
  auto it = kFormats.find(f);
  if (it == kFormats.end()) fatal(std::string("unknown output format \"") + f + "\"");
  s->format = it->second;
}

void set_cell_format(TableStyle* s, const char* f) {
  if (!strcmp(f, "string")) {
    s->cell = TableStyle::Cell::kString;
  } else if (!strcmp(f, "bare")) {
    s->cell = TableStyle::Cell::kBare;
  } else if (!strcmp(f, "json")) {
    s->cell = TableStyle::Cell::kJson;
  } else {
    fatal(std::string("unknown data format \"") + f + "\"");
  }
}

void handle_option(int c, const option& opt, Options* o,
                   std::map<std::string, std::optional<std::string>>* local) {
  switch (c) {
    case kOptOneline: o->oneline = true; break;
    case kOptNoSyslog: break;
    case kOptNoWait: o->wait_for_reload = false; break;
    case kOptDryRun: o->dry_run = true; break;
    case kOptRetry: o->retry = true; break;
    case kOptLeaderOnly: o->leader_only = true; break;
    case kOptNoLeaderOnly: o->leader_only = false; break;
    case kOptShuffle: case kOptNoShuffle: break;
    case 'h': usage(); break;
    case kOptCommands: case kOptOptions: case 'V':
      printf("%s (Open vSwitch) %s\n", program_name().c_str(), kOvsCompatVersion);
      printf("DB Schema %s\n", ovsrec::schema()->version.c_str());
      exit(EXIT_SUCCESS);
    case 'v': {
      Status s = vlog::set_verbosity(optarg);
      if (!s.ok()) fatal(s.error().message());
      break;
    }
    case kOptLogFile: (void)vlog::set_log_file(optarg ? optarg : ""); break;
    case 'f': set_format(&o->style, optarg); break;
    case 'd': set_cell_format(&o->style, optarg); break;
    case kOptNoHeadings: o->style.headings = false; break;
    case kOptPretty: o->style.pretty = true; break;
    case kOptBare:
      o->style.format = TableStyle::Format::kList;
      o->style.cell = TableStyle::Cell::kBare;
      o->style.headings = false;
      break;
    case kOptMaxColumnWidth: o->style.max_column_width = atoi(optarg); break;
    case kOptLocal: {
      std::string name = std::string("--") + opt.name;
      if (local->count(name)) fatal("'" + std::string(opt.name) + "' option specified multiple times");
      (*local)[name] = optarg ? std::optional<std::string>(optarg) : std::nullopt;
      break;
    }
    case '?': exit(EXIT_FAILURE);
    default: break;
  }
}

// Parses one command's words (options first), OVS's parse_command().
std::string parse_command(std::vector<std::string> words,
                          std::map<std::string, std::optional<std::string>>* local,
                          Command* cmd) {
  cmd->options.swap(*local);
  size_t i = 0;
  for (; i < words.size() && !words[i].empty() && words[i][0] == '-'; i++) {
    size_t eq = words[i].find('=');
    std::string key = words[i].substr(0, eq);
    if (cmd->options.count(key)) return "'" + words[i] + "' option specified multiple times";
    cmd->options[key] = eq == std::string::npos ? std::nullopt
                                                : std::optional<std::string>(words[i].substr(eq + 1));
  }
  if (i == words.size()) return "missing command name (use --help for help)";
  auto it = all_commands().find(words[i]);
  if (it == all_commands().end()) return "unknown command '" + words[i] + "'; use --help for help";
  const CommandSyntax* p = it->second;
  for (const auto& [name, value] : cmd->options) {
    const char* s = strstr(p->options, name.c_str());
    int end = s ? s[name.size()] : EOF;
    if (!strchr("=,? ", end)) return "'" + words[i] + "' command has no '" + name + "' option";
    if (end != '?' && (end == '=') != value.has_value()) {
      if (end == '=') return "missing argument to '" + name + "' option on '" + words[i] + "' command";
      return "'" + name + "' option on '" + words[i] + "' does not accept an argument";
    }
  }
  int n_arg = static_cast<int>(words.size() - i - 1);
  if (n_arg < p->min_args) {
    return "'" + std::string(p->name) + "' command requires at least " +
           std::to_string(p->min_args) + " arguments";
  }
  if (n_arg > p->max_args) {
    for (size_t j = i + 1; j < words.size(); j++) {
      if (!words[j].empty() && words[j][0] == '-') {
        return "'" + std::string(p->name) + "' command takes at most " +
               std::to_string(p->max_args) +
               " arguments (note that options must precede command names and follow a \"--\" "
               "argument)";
      }
    }
    return "'" + std::string(p->name) + "' command takes at most " + std::to_string(p->max_args) +
           " arguments";
  }
  cmd->syntax = p;
  cmd->argv.assign(words.begin() + i, words.end());
  return "";
}

}  // namespace

void parse_command_line(int argc, char* argv[], Options* o, std::vector<Command>* commands) {
  std::vector<std::string> all_args(argv, argv + argc);
  o->args = escape_args(all_args);
  static const option kGlobal[] = {
      {"no-syslog", no_argument, nullptr, kOptNoSyslog},
      {"no-wait", no_argument, nullptr, kOptNoWait},
      {"dry-run", no_argument, nullptr, kOptDryRun},
      {"oneline", no_argument, nullptr, kOptOneline},
      {"retry", no_argument, nullptr, kOptRetry},
      {"help", no_argument, nullptr, 'h'},
      {"commands", no_argument, nullptr, kOptCommands},
      {"options", no_argument, nullptr, kOptOptions},
      {"leader-only", no_argument, nullptr, kOptLeaderOnly},
      {"no-leader-only", no_argument, nullptr, kOptNoLeaderOnly},
      {"shuffle-remotes", no_argument, nullptr, kOptShuffle},
      {"no-shuffle-remotes", no_argument, nullptr, kOptNoShuffle},
      {"version", no_argument, nullptr, 'V'},
      {"verbose", optional_argument, nullptr, 'v'},
      {"log-file", optional_argument, nullptr, kOptLogFile},
      {"format", required_argument, nullptr, 'f'},
      {"data", required_argument, nullptr, 'd'},
      {"no-headings", no_argument, nullptr, kOptNoHeadings},
      {"pretty", no_argument, nullptr, kOptPretty},
      {"bare", no_argument, nullptr, kOptBare},
      {"max-column-width", required_argument, nullptr, kOptMaxColumnWidth},
  };
  // SSL, --timeout and --db: the parser every OVSDB client shares.
  daemon::CommonOptions common;
  std::vector<option> opts(std::begin(kGlobal), std::end(kGlobal));
  for (const option& c : common.long_options()) opts.push_back(c);
  auto locals = local_option_names();
  std::set<std::string> global_names;
  for (const auto& g : opts) global_names.insert(g.name);
  for (const auto& [name, has_arg] : locals) {
    if (global_names.count(name)) continue;
    opts.push_back({strdup(name.c_str()), has_arg, nullptr, kOptLocal});
  }
  opts.push_back({nullptr, 0, nullptr, 0});
  std::map<std::string, std::optional<std::string>> local;
  for (;;) {
    int idx = -1;
    static const std::string shorts = "+hVv::f:d:" + common.short_options();
    int c = getopt_long(argc, argv, shorts.c_str(), opts.data(), &idx);
    if (c == -1) break;
    auto mine = common.handle(c, optarg);
    if (!mine) fatal(mine.error().message());
    if (*mine) continue;
    option dummy{"", 0, nullptr, 0};
    handle_option(c, idx >= 0 ? opts[idx] : dummy, o, &local);
  }
  o->db = common.db();
  o->timeout = common.timeout(true);
  std::vector<std::string> words;
  auto flush = [&](bool) {
    if (words.empty()) {
      if (!local.empty()) fatal("missing command name (use --help for help)");
      return;
    }
    Command cmd;
    std::string error = parse_command(words, &local, &cmd);
    if (!error.empty()) fatal(error);
    commands->push_back(std::move(cmd));
    words.clear();
  };
  for (int i = optind; i <= argc; i++) {
    if (i == argc || !strcmp(argv[i], "--")) {
      flush(true);
    } else {
      words.push_back(argv[i]);
    }
  }
  if (!local.empty()) fatal("missing command name (use --help for help)");
  if (commands->empty()) fatal("missing command name (use --help for help)");
}

}  // namespace grebe::vsctl

// ovsdb-client: command-line client for OVSDB servers, compatible with
// Open vSwitch 3.1's ovsdb-client(1).  This file parses options, chooses
// the server and database, and dispatches to the commands.
#include <getopt.h>

#include <unistd.h>

#include <algorithm>
#include <climits>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "client.h"
#include "grebe/daemon/options.h"
#include "grebe/stream/ssl.h"
#include "grebe/util/dirs.h"
#include "grebe/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(ovsdb_client);

namespace grebe::ovsdb_client {
namespace {

enum class Need { kNone, kRpc, kDatabase };

struct Command {
  const char* name;
  Need need;
  size_t min_args, max_args;
  Handler handler;
};

void do_help(Rpc*, const std::string&, const Args&);

const Command kCommands[] = {
    {"list-dbs", Need::kRpc, 0, 0, do_list_dbs},
    {"get-schema", Need::kDatabase, 0, 0, do_get_schema},
    {"get-schema-version", Need::kDatabase, 0, 0, do_get_schema_version},
    {"get-schema-cksum", Need::kDatabase, 0, 0, do_get_schema_cksum},
    {"list-tables", Need::kDatabase, 0, 0, do_list_tables},
    {"list-columns", Need::kDatabase, 0, 1, do_list_columns},
    {"transact", Need::kNone, 1, 2, do_transact},
    {"query", Need::kNone, 1, 2, do_query},
    {"monitor", Need::kDatabase, 1, INT_MAX, do_monitor},
    {"monitor-cond", Need::kDatabase, 2, 3, do_monitor_cond},
    {"wait", Need::kNone, 2, 3, do_wait},
    {"convert", Need::kNone, 1, 2, do_convert},
    {"needs-conversion", Need::kNone, 1, 2, do_needs_conversion},
    {"dump", Need::kDatabase, 0, INT_MAX, do_dump},
    {"backup", Need::kDatabase, 0, 0, do_backup},
    {"restore", Need::kDatabase, 0, 0, do_restore},
    {"lock", Need::kRpc, 1, 1, do_lock},
    {"steal", Need::kRpc, 1, 1, do_steal},
    {"unlock", Need::kRpc, 1, 1, do_unlock},
    {"help", Need::kNone, 0, INT_MAX, do_help},
};

std::string default_remote() { return "unix:" + ovs_rundir() + "/db.sock"; }

bool looks_like_remote(const std::string& s) {
  return !s.empty() && isalpha(static_cast<unsigned char>(s[0])) && s.find(':') != std::string::npos;
}

std::unique_ptr<Rpc> open_jsonrpc(const std::string& server) {
  auto rpc = Rpc::open(server);
  if (!rpc.ok()) fatal(rpc.error().code(), "failed to connect to \"" + server + "\"");
  return std::move(*rpc);
}

// OVS picks "Open_vSwitch" if served, else the only database whose name
// does not start with "_".
std::string default_database(Rpc& rpc, const Args& args, size_t* argidx, size_t min_args) {
  std::vector<std::string> dbs = fetch_dbs(rpc);
  auto has = [&](const std::string& n) { return std::find(dbs.begin(), dbs.end(), n) != dbs.end(); };
  if (args.size() - *argidx > min_args && has(args[*argidx])) return args[(*argidx)++];
  if (has("Open_vSwitch")) return "Open_vSwitch";
  std::string best;
  size_t n = 0;
  for (const auto& db : dbs) {
    if (db[0] != '_') {
      best = db;
      n++;
    }
  }
  if (n != 1) fatal(0, "could not find a default database, please specify a database name");
  return best;
}

[[noreturn]] void usage() {
  const char* p = program_name().c_str();
  printf("%s: Open vSwitch database JSON-RPC client\n"
         "usage: %s [OPTIONS] COMMAND [ARG...]\n"
         "\nValid commands are:\n"
         "\n  list-dbs [SERVER]\n    list databases available on SERVER\n"
         "\n  get-schema [SERVER] [DATABASE]\n    retrieve schema for DATABASE from SERVER\n"
         "\n  get-schema-version [SERVER] [DATABASE]\n"
         "    retrieve schema for DATABASE from SERVER and report only its\n"
         "    version number on stdout\n"
         "\n  get-schema-cksum [SERVER] [DATABASE]\n"
         "    retrieve schema for DATABASE from SERVER and report only its\n"
         "    checksum on stdout\n"
         "\n  list-tables [SERVER] [DATABASE]\n    list tables for DATABASE on SERVER\n"
         "\n  list-columns [SERVER] [DATABASE] [TABLE]\n"
         "    list columns in TABLE (or all tables) in DATABASE on SERVER\n"
         "\n  transact [SERVER] TRANSACTION\n"
         "    run TRANSACTION (params for \"transact\" request) on SERVER\n"
         "    and print the results as JSON on stdout\n"
         "\n  query [SERVER] TRANSACTION\n"
         "    run TRANSACTION (params for \"transact\" request) on SERVER,\n"
         "    as read-only, and print the results as JSON on stdout\n"
         "\n  monitor [SERVER] [DATABASE] TABLE [COLUMN,...]...\n"
         "    monitor contents of COLUMNs in TABLE in DATABASE on SERVER.\n"
         "    COLUMNs may include !initial, !insert, !delete, !modify\n"
         "    to avoid seeing the specified kinds of changes.\n"
         "\n  monitor-cond [SERVER] [DATABASE] CONDITION TABLE [COLUMN,...]...\n"
         "    monitor contents that match CONDITION of COLUMNs in TABLE in\n"
         "    DATABASE on SERVER.\n"
         "    COLUMNs may include !initial, !insert, !delete, !modify\n"
         "    to avoid seeing the specified kinds of changes.\n"
         "\n  convert [SERVER] SCHEMA\n"
         "    convert database on SERVER named in SCHEMA to SCHEMA.\n"
         "\n  needs-conversion [SERVER] SCHEMA\n"
         "    tests whether SCHEMA's db on SERVER needs conversion.\n"
         "\n  monitor [SERVER] [DATABASE] ALL\n"
         "    monitor all changes to all columns in all tables\n"
         "\n  wait [SERVER] DATABASE STATE\n"
         "    wait until DATABASE reaches STATE (\"added\" or \"connected\" or \"removed\")\n"
         "    in DATBASE on SERVER.\n"
         "\n  dump [SERVER] [DATABASE]\n    dump contents of DATABASE on SERVER to stdout\n"
         "\n  backup [SERVER] [DATABASE] > SNAPSHOT\n"
         "    dump database contents in the form of a database file\n"
         "\n  [--force] restore [SERVER] [DATABASE] < SNAPSHOT\n"
         "    restore database contents from a database file\n"
         "\n  lock [SERVER] LOCK\n    create or wait for LOCK in SERVER\n"
         "\n  steal [SERVER] LOCK\n    steal LOCK from SERVER\n"
         "\n  unlock [SERVER] LOCK\n    unlock LOCK from SERVER\n"
         "\nThe default SERVER is unix:%s/db.sock.\n"
         "The default DATABASE is Open_vSwitch.\n",
         p, p, ovs_rundir().c_str());
  printf("\nActive SERVER connection methods:\n"
         "  tcp:HOST:PORT           PORT at remote HOST\n"
         "  ssl:HOST:PORT           SSL PORT at remote HOST\n"
         "  unix:FILE               Unix domain socket named FILE\n"
         "\nPassive SERVER connection methods:\n"
         "  ptcp:PORT[:IP]          listen to TCP PORT on IP\n"
         "  pssl:PORT[:IP]          listen for SSL on PORT on IP\n"
         "  punix:FILE              listen on Unix domain socket FILE\n"
         "\nPKI configuration (required to use SSL):\n"
         "  -p, --private-key=FILE  file with private key\n"
         "  -c, --certificate=FILE  file with certificate for private key\n"
         "  -C, --ca-cert=FILE      file with peer CA certificate\n"
         "  --bootstrap-ca-cert=FILE  file with peer CA certificate to read or create\n"
         "SSL options:\n"
         "  --ssl-protocols=PROTOS  list of SSL protocols to enable\n"
         "  --ssl-ciphers=CIPHERS   list of SSL ciphers to enable\n");
  printf("\nOutput formatting options:\n"
         "  -f, --format=FORMAT         set output formatting to FORMAT\n"
         "                              (\"table\", \"html\", \"csv\", or \"json\")\n"
         "  -d, --data=FORMAT           set table cell output formatting to\n"
         "                              FORMAT (\"string\", \"bare\", or \"json\")\n"
         "  --no-headings               omit table heading row\n"
         "  --pretty                    pretty-print JSON in output\n"
         "  --bare                      equivalent to \"--format=list --data=bare --no-headings\"\n");
  printf("  --timestamp                 timestamp \"monitor\" output");
  fputs(daemon::daemon_usage().c_str(), stdout);
  fputs(daemon::vlog_usage().c_str(), stdout);
  printf("\nOther options:\n"
         "  -h, --help                  display this help message\n"
         "  -V, --version               display version information\n");
  exit(EXIT_SUCCESS);
}

void do_help(Rpc*, const std::string&, const Args&) { usage(); }

enum LongOnly {
  kOptTimestamp = 0x5000, kOptForce, kOptNoHeadings, kOptPretty, kOptBare,
  kOptBootstrapCaCert, kOptSslProtocols, kOptSslCiphers, kOptPeerCaCert,
  kOptLeaderOnly, kOptNoLeaderOnly, kOptDbChangeAware, kOptNoDbChangeAware,
};

void check(const Status& st) {
  if (!st.ok()) fatal(0, st.error().message());
}

bool handle_own_option(int c, const char* arg) {
  ClientOptions& o = options();
  switch (c) {
    case kOptTimestamp: o.timestamp = true; return true;
    case kOptForce: o.force = true; return true;
    case 't': {
      char* end;
      long v = strtol(arg, &end, 10);
      if (*end || v <= 0 || v > INT_MAX)
        fatal(0, std::string("value ") + arg + " on -t or --timeout is invalid");
      alarm(static_cast<unsigned>(v));
      return true;
    }
    case kOptLeaderOnly: o.leader_only = true; return true;
    case kOptNoLeaderOnly: o.leader_only = false; return true;
    case kOptDbChangeAware: o.db_change_aware = 1; return true;
    case kOptNoDbChangeAware: o.db_change_aware = 0; return true;
    case 'f': check(parse_table_format(arg, &o.style)); return true;
    case 'd': check(parse_cell_format(arg, &o.style)); return true;
    case kOptNoHeadings: o.style.headings = false; return true;
    case kOptPretty: o.style.pretty = true; return true;
    case kOptBare:
      o.style.format = TableFormat::kList;
      o.style.cell_format = CellFormat::kBare;
      o.style.headings = false;
      return true;
    case 'p': check(stream::ssl_set_private_key_file(arg)); return true;
    case 'c': check(stream::ssl_set_certificate_file(arg)); return true;
    case 'C': check(stream::ssl_set_ca_cert_file(arg, false)); return true;
    case kOptBootstrapCaCert: check(stream::ssl_set_ca_cert_file(arg, true)); return true;
    case kOptSslProtocols: check(stream::ssl_set_protocols(arg)); return true;
    case kOptSslCiphers: check(stream::ssl_set_ciphers(arg)); return true;
    case kOptPeerCaCert: check(stream::ssl_set_peer_ca_cert_file(arg)); return true;
    default: return false;
  }
}

daemon::Options parse_options(int argc, char* argv[]) {
  daemon::OptionParser parser(false);
  std::vector<struct option> longs = {
      {"timestamp", no_argument, nullptr, kOptTimestamp},
      {"force", no_argument, nullptr, kOptForce},
      {"timeout", required_argument, nullptr, 't'},
      {"db-change-aware", no_argument, nullptr, kOptDbChangeAware},
      {"no-db-change-aware", no_argument, nullptr, kOptNoDbChangeAware},
      {"leader-only", no_argument, nullptr, kOptLeaderOnly},
      {"no-leader-only", no_argument, nullptr, kOptNoLeaderOnly},
      {"format", required_argument, nullptr, 'f'},
      {"data", required_argument, nullptr, 'd'},
      {"no-headings", no_argument, nullptr, kOptNoHeadings},
      {"pretty", no_argument, nullptr, kOptPretty},
      {"bare", no_argument, nullptr, kOptBare},
      {"private-key", required_argument, nullptr, 'p'},
      {"certificate", required_argument, nullptr, 'c'},
      {"ca-cert", required_argument, nullptr, 'C'},
      {"bootstrap-ca-cert", required_argument, nullptr, kOptBootstrapCaCert},
      {"ssl-protocols", required_argument, nullptr, kOptSslProtocols},
      {"ssl-ciphers", required_argument, nullptr, kOptSslCiphers},
      {"peer-ca-cert", required_argument, nullptr, kOptPeerCaCert},
  };
  for (const auto& o : parser.long_options()) longs.push_back(o);
  longs.push_back({nullptr, 0, nullptr, 0});
  std::string shorts = std::string("+t:f:d:p:c:C:") + daemon::OptionParser::kShortOptions;
  for (;;) {
    int c = getopt_long(argc, argv, shorts.c_str(), longs.data(), nullptr);
    if (c == -1) break;
    if (c == '?') exit(EXIT_FAILURE);
    if (handle_own_option(c, optarg)) continue;
    auto outcome = parser.handle(c, optarg);
    if (!outcome.ok()) fatal(0, outcome.error().message());
    switch (*outcome) {
      case daemon::OptionParser::Outcome::kHelp: usage(); break;
      case daemon::OptionParser::Outcome::kVersion:
        fputs(daemon::version_text().c_str(), stdout);
        exit(EXIT_SUCCESS);
      case daemon::OptionParser::Outcome::kHandled: break;
      case daemon::OptionParser::Outcome::kNotMine: abort();
    }
  }
  return parser.options();
}

daemon::Options g_daemon_options;

}  // namespace

const daemon::Options& daemon_options() { return g_daemon_options; }

size_t open_rpc_for(const Args& args, size_t min_args, bool need_database,
                    std::string* database, std::unique_ptr<Rpc>* rpc) {
  size_t argidx = 0;
  std::string server = default_remote();
  if (args.size() > min_args && looks_like_remote(args[0])) server = args[argidx++];
  *rpc = open_jsonrpc(server);
  if (need_database && database->empty()) *database = default_database(**rpc, args, &argidx, min_args);
  return argidx;
}

int run(int argc, char* argv[]) {
  set_program_name(argv[0]);
  g_daemon_options = parse_options(argc, argv);
  signal(SIGPIPE, SIG_IGN);
  if (optind >= argc) fatal(0, "missing command name; use --help for help");
  const Command* command = nullptr;
  for (const auto& c : kCommands) {
    if (!strcmp(c.name, argv[optind])) command = &c;
  }
  if (!command) daemon::fatal(std::string("unknown command '") + argv[optind] + "'; use --help for help");
  Args args(argv + optind + 1, argv + argc);
  std::string database;
  std::unique_ptr<Rpc> rpc;
  size_t used = 0;
  if (command->need != Need::kNone) {
    used = open_rpc_for(args, command->min_args, command->need == Need::kDatabase, &database, &rpc);
  }
  args.erase(args.begin(), args.begin() + used);
  if (args.size() < command->min_args || args.size() > command->max_args) {
    daemon::fatal(std::string("invalid syntax for '") + command->name + "' (use --help for help)");
  }
  command->handler(rpc.get(), database, args);
  fflush(stdout);
  if (ferror(stdout)) daemon::fatal("write to stdout failed");
  return 0;
}

}  // namespace grebe::ovsdb_client

int main(int argc, char* argv[]) { return grebe::ovsdb_client::run(argc, argv); }

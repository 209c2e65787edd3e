// ovsdb-server: serves OVSDB databases over JSON-RPC (RFC 7047), with the
// command line, control commands and behaviour of OVS 3.1's ovsdb-server.
#include <getopt.h>

#include <cstdio>
#include <cstdlib>

#include "grebe/daemon/daemon.h"
#include "grebe/daemon/options.h"
#include "grebe/event/event_loop.h"
#include "grebe/stream/ssl.h"
#include "grebe/unixctl/builtins.h"
#include "grebe/unixctl/unixctl.h"
#include "grebe/util/dirs.h"
#include "grebe/util/vlog.h"
#include "server.h"

VLOG_DEFINE_THIS_MODULE(ovsdb_server_main);

namespace {

using namespace grebe;

enum {
  kOptRemote = 0x5000,
  kOptRun,
  kOptBootstrapCaCert,
  kOptPeerCaCert,
  kOptSslProtocols,
  kOptSslCiphers,
  kOptNoDbs,
  kOptDisableFileColumnDiff,
  kOptSyncFrom,
  kOptSyncExclude,
  kOptActive,
  kOptNoSelfConfinementIgnored,
};

struct ServerOptions {
  daemon::Options daemon;
  std::vector<std::string> remotes;
  std::vector<std::string> db_files;
  bool no_dbs = false;
  // SSL options (file names or db:DB,TABLE,COLUMN references).
  std::map<std::string, std::string> ssl;
};

[[noreturn]] void usage() {
  std::printf(
      "%s: Open vSwitch database server\n"
      "usage: %s [OPTIONS] [DATABASE...]\n"
      "where each DATABASE is a database file in ovsdb format.\n"
      "The default DATABASE, if none is given, is\n%s/conf.db.\n",
      program_name().c_str(), program_name().c_str(), ovs_dbdir().c_str());
  std::printf(
      "\nJSON-RPC options (may be specified any number of times):\n"
      "  --remote=REMOTE         connect or listen to REMOTE\n");
  std::fputs(stream::stream_usage("JSON-RPC", true, true, true).c_str(), stdout);
  std::fputs(daemon::daemon_usage().c_str(), stdout);
  std::fputs(daemon::vlog_usage().c_str(), stdout);
  std::printf(
      "\nOther options:\n"
      "  --run COMMAND           run COMMAND as subprocess then exit\n"
      "  --unixctl=SOCKET        override default control socket name\n"
      "  --disable-file-column-diff\n"
      "                          don't use column diff in database file\n"
      "  -h, --help              display this help message\n"
      "  -V, --version           display version information\n");
  std::exit(EXIT_SUCCESS);
}

bool handle_own_option(int c, const char* arg, ServerOptions& o) {
  switch (c) {
    case kOptRemote: o.remotes.push_back(arg); return true;
    case kOptNoDbs: o.no_dbs = true; return true;
    case kOptDisableFileColumnDiff: return true;
    case 'p': o.ssl["private-key"] = arg; return true;
    case 'c': o.ssl["certificate"] = arg; return true;
    case 'C': o.ssl["ca-cert"] = arg; return true;
    case kOptBootstrapCaCert: o.ssl["bootstrap-ca-cert"] = arg; return true;
    case kOptPeerCaCert: o.ssl["peer-ca-cert"] = arg; return true;
    case kOptSslProtocols: o.ssl["ssl-protocols"] = arg; return true;
    case kOptSslCiphers: o.ssl["ssl-ciphers"] = arg; return true;
    case kOptRun:
    case kOptSyncFrom:
    case kOptSyncExclude:
    case kOptActive:
      daemon::fatal("--run, --sync-from and --active are not supported by this build");
    default: return false;
  }
}

ServerOptions parse_options(int argc, char* argv[]) {
  ServerOptions o;
  daemon::OptionParser parser(true);
  std::vector<struct option> longs = {
      {"remote", required_argument, nullptr, kOptRemote},
      {"run", required_argument, nullptr, kOptRun},
      {"no-dbs", no_argument, nullptr, kOptNoDbs},
      {"disable-file-column-diff", no_argument, nullptr, kOptDisableFileColumnDiff},
      {"sync-from", required_argument, nullptr, kOptSyncFrom},
      {"sync-exclude-tables", required_argument, nullptr, kOptSyncExclude},
      {"active", no_argument, nullptr, kOptActive},
      {"private-key", required_argument, nullptr, 'p'},
      {"certificate", required_argument, nullptr, 'c'},
      {"ca-cert", required_argument, nullptr, 'C'},
      {"bootstrap-ca-cert", required_argument, nullptr, kOptBootstrapCaCert},
      {"peer-ca-cert", required_argument, nullptr, kOptPeerCaCert},
      {"ssl-protocols", required_argument, nullptr, kOptSslProtocols},
      {"ssl-ciphers", required_argument, nullptr, kOptSslCiphers},
  };
  for (const auto& opt : parser.long_options()) longs.push_back(opt);
  longs.push_back({nullptr, 0, nullptr, 0});
  std::string shorts = std::string("p:c:C:") + daemon::OptionParser::kShortOptions;
  for (;;) {
    int c = getopt_long(argc, argv, shorts.c_str(), longs.data(), nullptr);
    if (c == -1) break;
    if (c == '?') std::exit(EXIT_FAILURE);
    if (handle_own_option(c, optarg, o)) continue;
    auto outcome = parser.handle(c, optarg);
    if (!outcome.ok()) daemon::fatal(outcome.error().message());
    switch (*outcome) {
      case daemon::OptionParser::Outcome::kHelp: usage();
      case daemon::OptionParser::Outcome::kVersion:
        std::fputs(daemon::version_text().c_str(), stdout);
        std::exit(EXIT_SUCCESS);
      case daemon::OptionParser::Outcome::kHandled: break;
      case daemon::OptionParser::Outcome::kNotMine: std::abort();
    }
  }
  for (int i = optind; i < argc; i++) o.db_files.push_back(argv[i]);
  if (o.db_files.empty() && !o.no_dbs) o.db_files.push_back(ovs_dbdir() + "/conf.db");
  o.daemon = parser.options();
  return o;
}

void register_server_commands(ovsdb_server::OvsdbServer& server) {
  using unixctl::Reply;
  using Args = std::vector<std::string>;
  unixctl::register_command("ovsdb-server/compact", "[DB]...", 0, INT_MAX,
                            [&server](const Args& argv, const Reply& reply) {
                              std::string db = argv.size() > 1 ? argv[1] : "";
                              auto st = server.compact(db);
                              if (st.ok()) reply.ok();
                              else reply.error(st.error().message());
                            });
  unixctl::register_command("ovsdb-server/reconnect", "", 0, 0,
                            [&server](const Args&, const Reply& reply) {
                              server.reconnect();
                              reply.ok();
                            });
  unixctl::register_command("ovsdb-server/add-remote", "REMOTE", 1, 1,
                            [&server](const Args& argv, const Reply& reply) {
                              const std::string& r = argv[1];
                              auto names = server.remotes();
                              if (std::find(names.begin(), names.end(), r) != names.end()) {
                                reply.error("duplicate remote");
                                return;
                              }
                              (void)server.add_remote(r);
                              reply.ok();
                            });
  unixctl::register_command("ovsdb-server/remove-remote", "REMOTE", 1, 1,
                            [&server](const Args& argv, const Reply& reply) {
                              if (server.remove_remote(argv[1])) reply.ok();
                              else reply.error("can't find remote");
                            });
  unixctl::register_command("ovsdb-server/list-remotes", "", 0, 0,
                            [&server](const Args&, const Reply& reply) {
                              std::string out;
                              for (const auto& r : server.remotes()) out += r + "\n";
                              reply.ok(out);
                            });
  unixctl::register_command("ovsdb-server/list-dbs", "", 0, 0,
                            [&server](const Args&, const Reply& reply) {
                              std::string out;
                              for (const auto& d : server.db_names()) out += d + "\n";
                              reply.ok(out);
                            });
}

}  // namespace

int main(int argc, char* argv[]) {
  set_program_name(argv[0]);
  ServerOptions opts = parse_options(argc, argv);
  if (Status s = daemon::daemonize_start(opts.daemon); !s.ok()) daemon::fatal(s.error().message());

  event::EventLoop loop;
  event::SignalWatcher signals(loop);
  daemon::handle_signals(loop, signals);
  ovsdb_server::OvsdbServer server(loop);
  for (const std::string& file : opts.db_files) {
    if (Status st = server.add_db(file); !st.ok()) daemon::fatal(st.error().message());
  }
  for (const auto& [name, value] : opts.ssl) server.set_ssl_option(name, value);
  for (const std::string& remote : opts.remotes) (void)server.add_remote(remote);
  // As OVS: a bad db: reference at startup is fatal; later, only logged.
  if (std::string errors = server.reconfigure(); !errors.empty()) {
    daemon::fatal(errors.substr(0, errors.size() - 1));
  }

  auto ctl = unixctl::Server::create(loop, opts.daemon.unixctl_path);
  if (!ctl.ok()) daemon::fatal(ctl.error().to_string());
  unixctl::register_builtin_commands(loop, [&loop] { loop.stop(); });
  register_server_commands(server);
  unixctl::add_memory_reporter(
      [&server](std::map<std::string, unsigned long long>& u) { server.memory_usage(u); });
  VLOG_INFO("%s", daemon::version_line().c_str());
  daemon::daemonize_complete();
  loop.run();
  return 0;
}

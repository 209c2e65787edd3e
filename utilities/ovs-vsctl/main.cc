// ovs-vsctl: configures ovs-vswitchd through its OVSDB database.
//
// Runs every "--"-separated command inside one transaction against an IDL
// replica, commits it (retrying from scratch when a verified read turned out
// stale), prints the outputs, then waits for ovs-vswitchd to apply the
// change (cur_cfg catching up with next_cfg) unless --no-wait.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "grebe/ovsdb_idl/blocking.h"
#include "grebe/util/dirs.h"
#include "grebe/util/vlog.h"
#include "monitor_plan.h"
#include "options.h"
#include "vsctl_cache.h"
#include "vsctl_util.h"

VLOG_DEFINE_THIS_MODULE(vsctl);

namespace grebe::vsctl {
namespace {

using ovsdb_idl::BlockingIdl;
using ovsdb_idl::TxnStatus;

// Where an invocation's time goes ("-vvsctl:dbg" prints it): the budget
// for add-port is a few milliseconds, so every phase is accounted for.
class PhaseTimer {
 public:
  PhaseTimer() : last_(std::chrono::steady_clock::now()) {}
  void mark(const char* phase) {
    auto now = std::chrono::steady_clock::now();
    VLOG_DBG("timing: %s %.3f ms", phase,
             std::chrono::duration<double, std::milli>(now - last_).count());
    last_ = now;
  }

 private:
  std::chrono::steady_clock::time_point last_;
};
PhaseTimer phase_timer;

void print_outputs(const Options& o, std::vector<Command>& commands) {
  bool first_table = true;
  for (Command& c : commands) {
    if (c.table) {
      fputs(c.table->format(o.style, &first_table).c_str(), stdout);
    } else if (o.oneline) {
      std::string s = c.output;
      if (!s.empty() && s.back() == '\n') s.pop_back();
      std::string line;
      for (char ch : s) {
        if (ch == '\n') {
          line += "\\n";
        } else if (ch == '\\') {
          line += "\\\\";
        } else {
          line += ch;
        }
      }
      puts(line.c_str());
    } else {
      fputs(c.output.c_str(), stdout);
    }
  }
}

void check_symbols(const ovsdb::SymbolTable& symtab) {
  for (const auto& [name, sym] : symtab.symbols()) {
    if (!sym.created) {
      fatal("row id \"" + name + "\" is referenced but never created (e.g. with \"-- --id=" +
            name + " create ...\")");
    }
    if (!sym.strong_ref) {
      if (!sym.weak_ref) {
        VLOG_WARN("row id \"%s\" was created but no reference to it was inserted, so it will not "
                  "actually appear in the database", name.c_str());
      } else {
        VLOG_WARN("row id \"%s\" was created but only a weak reference to it was inserted, so it "
                  "will not actually appear in the database", name.c_str());
      }
    }
  }
}

struct Attempt {
  std::unique_ptr<ovsdb_idl::Txn> txn;
  TxnStatus status = TxnStatus::kUncommitted;
  std::vector<Uuid> expected_ifaces;
  bool try_again = false;
  bool needs_full = false;  // a scoped run met something only a full replica answers
};

// Runs all commands in a fresh transaction and commits it.
Attempt run_commands(BlockingIdl& idl, const Options& o, const MonitorPlan& plan,
                     std::vector<Command>& commands) {
  Attempt a;
  a.txn = std::make_unique<ovsdb_idl::Txn>(idl.replica());
  ovsdb_idl::Txn& txn = *a.txn;
  if (o.dry_run) txn.set_dry_run(true);
  txn.add_comment("ovs-vsctl: " + o.args);
  std::vector<Uuid> rows = txn.rows("Open_vSwitch");
  Uuid ovs = rows.empty() ? txn.insert("Open_vSwitch") : rows[0];
  if (o.wait_for_reload) txn.increment("Open_vSwitch", ovs, "next_cfg");
  ovsdb::SymbolTable symtab;
  VsctlCache cache(txn, ovs);
  if (plan.scoped) cache.set_scoped(plan.names);
  for (size_t i = 0; i < commands.size(); i++) {
    Command& c = commands[i];
    c.output.clear();
    c.table.reset();
    Context ctx{txn, symtab, c, ovs};
    ctx.last_command = i + 1 == commands.size();
    ctx.cache = &cache;
    ctx.expected_ifaces = &a.expected_ifaces;
    if (c.syntax->run) c.syntax->run(ctx);
    if (cache.needs_full()) {  // before any error: the slice may have misled it
      a.needs_full = true;
      return a;
    }
    if (!ctx.error.empty()) fatal(ctx.error);
    if (ctx.exit_status) exit(*ctx.exit_status);
    if (ctx.try_again) {
      a.try_again = true;
      return a;
    }
  }
  check_symbols(symtab);
  phase_timer.mark("commands");
  a.status = idl.commit(txn);
  phase_timer.mark("transaction");
  if (a.status == TxnStatus::kUnchanged || a.status == TxnStatus::kSuccess) {
    for (Command& c : commands) {
      if (!c.syntax->postprocess) continue;
      Context ctx{txn, symtab, c, ovs};
      ctx.cache = &cache;
      c.syntax->postprocess(ctx);
      if (!ctx.error.empty()) fatal(ctx.error);
    }
  }
  return a;
}

// After vswitchd reloaded: report interfaces it failed to set up.
void check_ifaces(BlockingIdl& idl, const Attempt& a) {
  bool print_error = false;
  for (const Uuid& provisional : a.expected_ifaces) {
    auto real = a.txn->inserted_uuid(provisional);
    const ovsdb_idl::Row* row = real ? idl.replica().find("Interface", *real) : nullptr;
    if (!row) continue;
    const ovsdb::TableSchema* ts = idl.replica().schema().find_table("Interface");
    auto ofport = datum_int(&row->fields[ts->find_column("ofport")->index]);
    if (ofport && *ofport != -1) continue;
    std::string name = datum_string(&row->fields[ts->find_column("name")->index]);
    std::string error = datum_string(&row->fields[ts->find_column("error")->index]);
    if (!error.empty()) {
      fprintf(stderr, "%s: Error detected while setting up '%s': %s.  See ovs-vswitchd log for "
              "details.\n", program_name().c_str(), name.c_str(), error.c_str());
    } else {
      fprintf(stderr, "%s: Error detected while setting up '%s'.  See ovs-vswitchd log for "
              "details.\n", program_name().c_str(), name.c_str());
    }
    print_error = true;
  }
  if (print_error) {
    fprintf(stderr, "%s: The default log directory is \"%s\".\n", program_name().c_str(),
            ovs_logdir().c_str());
  }
}

void wait_for_reload(BlockingIdl& idl, const std::string& db, int64_t next_cfg,
                     const Attempt& a) {
  auto reloaded = [&idl, next_cfg] {
    const ovsdb::TableSchema* ts = idl.replica().schema().find_table("Open_vSwitch");
    const ovsdb::ColumnSchema* cur = ts ? ts->find_column("cur_cfg") : nullptr;
    if (!cur) return true;
    for (const auto& [uuid, row] : idl.replica().rows("Open_vSwitch")) {
      auto v = datum_int(&row.fields[cur->index]);
      if (v && *v >= next_cfg) return true;
    }
    return false;
  };
  // As OVS: even without --retry, survive a server restart here, or we
  // would wait for cur_cfg forever on a dead connection.  (--timeout, or
  // the signal that stops an orphan, still ends the wait.)
  idl.enable_reconnect();
  Status st = idl.run_until(reloaded);
  if (!st.ok()) fatal(db + ": " + st.error().message());
  phase_timer.mark("wait for ovs-vswitchd (cur_cfg)");
  check_ifaces(idl, a);
}

// Connects and waits for the initial contents; exits with OVS's message
// on failure.
Result<std::unique_ptr<BlockingIdl>> connect(
    const Options& o, std::shared_ptr<const ovsdb::DatabaseSchema> schema,
    const std::function<void(ovsdb_idl::Idl&)>& configure) {
  auto idl = BlockingIdl::open(o.db, "Open_vSwitch", std::move(schema), o.retry, configure);
  phase_timer.mark("connect + get_schema");
  if (!idl) {
    fatal(o.db + ": database connection failed (" +
          (idl.error().code() == EPROTO ? idl.error().message() : errno_string(idl.error().code())) +
          ")");
  }
  Status st = (*idl)->wait_for_snapshot();
  if (!st.ok()) fatal(o.db + ": " + st.error().message());
  phase_timer.mark("_Server check + monitor reply");
  return idl;
}

int run(int argc, char* argv[]) {
  Options o;
  std::vector<Command> commands;
  parse_command_line(argc, argv, &o, &commands);
  phase_timer.mark("parse command line");
  // -t/--timeout (or $OVS_CTL_TIMEOUT): SIGALRM ends us, as OVS's
  // time_alarm() does, wherever we are (connecting, committing, waiting
  // for ovs-vswitchd).
  if (o.timeout) alarm(o.timeout);

  MonitorPlan plan;
  auto configure = [&](ovsdb_idl::Idl& idl) {
    plan = plan_monitoring(idl.replica().schema(), commands);
    apply_monitor_plan(plan, idl);
    idl.set_leader_only(o.leader_only);
  };
  auto idl = connect(o, nullptr, configure);
  for (;;) {
    uint64_t seqno = (*idl)->idl().change_seqno();
    Attempt a = run_commands(**idl, o, plan, commands);
    if (a.needs_full) {
      // Same schema, whole database: the answer (or error) of the full view.
      auto schema = (*idl)->replica().schema_ptr();
      idl = connect(o, schema, [&](ovsdb_idl::Idl& i) {
        plan = MonitorPlan{};
        i.set_leader_only(o.leader_only);
      });
      continue;
    }
    if (a.try_again || a.status == TxnStatus::kTryAgain) {
      // Wait for the database to change before trying again.
      Status st = (*idl)->run_until([&] { return (*idl)->idl().change_seqno() != seqno; });
      if (!st.ok()) fatal(o.db + ": " + st.error().message());
      continue;
    }
    switch (a.status) {
      case TxnStatus::kError: fatal("transaction error: " + a.txn->error());
      case TxnStatus::kNotLocked: fatal("database not locked");
      case TxnStatus::kAborted: fatal("transaction aborted");
      default: break;
    }
    print_outputs(o, commands);
    fflush(stdout);
    if (o.wait_for_reload && a.status == TxnStatus::kSuccess && a.txn->increment_new_value()) {
      wait_for_reload(**idl, o.db, *a.txn->increment_new_value(), a);
    }
    return EXIT_SUCCESS;
  }
}

}  // namespace
}  // namespace grebe::vsctl

int main(int argc, char* argv[]) {
  grebe::set_program_name(argv[0]);
  signal(SIGPIPE, SIG_IGN);
  grebe::vlog::set_levels(nullptr, grebe::vlog::Dest::kConsole, grebe::vlog::Level::kWarn, false);
  grebe::vlog::set_levels(nullptr, grebe::vlog::Dest::kSyslog, grebe::vlog::Level::kOff, false);
  grebe::vsctl::register_db_commands();
  grebe::vsctl::register_vsctl_commands();
  return grebe::vsctl::run(argc, argv);
}

// ovsdb-tool: Open vSwitch database management utility (standalone
// databases), command-compatible with OVS's ovsdb-tool.
#include <getopt.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "grebe/ovsdb/schema.h"
#include "grebe/util/dirs.h"
#include "grebe/util/version.h"
#include "grebe/util/vlog.h"
#include "ovsdb/storage/file.h"
#include "ovsdb/tool/tool.h"

namespace grebe::ovsdb::tool {

namespace {

int show_log_verbosity = 0;
using Args = std::vector<std::string>;  // argv[0] is the command name

std::string default_db() { return ovs_dbdir() + "/conf.db"; }
std::string default_schema() { return ovs_pkgdatadir() + "/vswitch.ovsschema"; }
std::string arg_or(const Args& a, size_t i, const std::string& dflt) {
  return a.size() > i ? a[i] : dflt;
}

DatabaseSchema load_schema(const std::string& file) {
  auto s = DatabaseSchema::from_file(file);
  check_result(s);
  return std::move(*s);
}

DatabaseSchema load_db_schema(const std::string& file) {
  auto s = read_db_schema(file);
  check_result(s);
  return std::move(*s);
}

void do_create(const Args& a) {
  std::string db = arg_or(a, 1, default_db());
  DatabaseSchema schema = load_schema(arg_or(a, 2, default_schema()));
  auto log = Log::open(db, kOvsdbMagic, Log::Mode::kCreateExcl);
  check_result(log);
  check_result((*log)->write(schema.to_json()));
  check_result((*log)->commit());
}

// Rewrites 'src' as one snapshot record (into 'dst', or in place).
void compact_or_convert(const std::string& src, const std::string& dst,
                        std::shared_ptr<const DatabaseSchema> new_schema, const std::string& comment) {
  char resolved[PATH_MAX];
  std::string src_name = realpath(src.c_str(), resolved) ? std::string(resolved) : src;
  bool in_place = dst.empty();
  // In place: hold the source's lock while replacing it.
  DbFileOptions options;
  options.read_write = in_place;
  options.as_schema = std::move(new_schema);
  auto file = DbFile::open(src_name, options);
  check_result(file);
  check_result(write_standalone_db(in_place ? src_name : dst, (*file)->db(), comment));
}

void do_compact(const Args& a) {
  compact_or_convert(arg_or(a, 1, default_db()), arg_or(a, 2, ""), nullptr,
                     std::string("compacted by ovsdb-tool ") + kOvsCompatVersion);
}

void do_convert(const Args& a) {
  auto schema = std::make_shared<const DatabaseSchema>(load_schema(arg_or(a, 2, default_schema())));
  compact_or_convert(arg_or(a, 1, default_db()), arg_or(a, 3, ""), schema,
                     std::string("converted by ovsdb-tool ") + kOvsCompatVersion);
}

void do_needs_conversion(const Args& a) {
  DatabaseSchema s1 = load_db_schema(arg_or(a, 1, default_db()));
  DatabaseSchema s2 = load_schema(arg_or(a, 2, default_schema()));
  puts(s1.equals(s2) ? "no" : "yes");
}

void do_db_name(const Args& a) {
  std::string db = arg_or(a, 1, default_db());
  auto log = Log::open(db, std::string(kOvsdbMagic) + "|" + kRaftMagic, Log::Mode::kReadOnly);
  check_result(log);
  if ((*log)->magic() != kOvsdbMagic) fatal(db + ": clustered databases are not supported");
  auto rec = (*log)->read();
  check_result(rec);
  if (!*rec) fatal(db + ": unexpected end of file");
  auto schema = DatabaseSchema::from_json(**rec);
  check_result(schema);
  puts(schema->name.c_str());
}

void do_db_version(const Args& a) { puts(load_db_schema(arg_or(a, 1, default_db())).version.c_str()); }
void do_db_cksum(const Args& a) { puts(load_db_schema(arg_or(a, 1, default_db())).cksum.c_str()); }

void db_has_magic(const Args& a, const char* magic) {
  auto log = Log::open(a[1], std::string(kOvsdbMagic) + "|" + kRaftMagic, Log::Mode::kReadOnly);
  check_result(log);
  if ((*log)->magic() != magic) exit(2);
}
void do_db_is_clustered(const Args& a) { db_has_magic(a, kRaftMagic); }
void do_db_is_standalone(const Args& a) { db_has_magic(a, kOvsdbMagic); }

void do_schema_name(const Args& a) { puts(load_schema(arg_or(a, 1, default_schema())).name.c_str()); }
void do_schema_version(const Args& a) {
  puts(load_schema(arg_or(a, 1, default_schema())).version.c_str());
}
void do_schema_cksum(const Args& a) {
  puts(load_schema(arg_or(a, 1, default_schema())).cksum.c_str());
}

void transact(const Args& a, bool rw) {
  std::string db = a.size() >= 3 ? a[1] : default_db();
  const std::string& text = a.back();
  DbFileOptions options;
  options.read_write = rw;
  auto file = DbFile::open(db, options);
  check_result(file);
  auto request = parse_json_text(text);
  if (!request.ok()) fatal("\"" + text + "\": " + request.error().message());
  Json reply = (*file)->transact(*request, !rw);
  puts(json_to_string(reply).c_str());
}
void do_query(const Args& a) { transact(a, false); }
void do_transact(const Args& a) { transact(a, true); }
void do_show_log(const Args& a) { show_log(arg_or(a, 1, default_db()), show_log_verbosity); }

unsigned parse_version_arg(const std::string& s, unsigned out[3]) {
  if (!is_valid_version(s) || sscanf(s.c_str(), "%u.%u.%u", &out[0], &out[1], &out[2]) != 3) {
    fatal(s + ": not an OVSDB version number in format x.y.z");
  }
  return 0;
}

void do_compare_versions(const Args& a) {
  unsigned x[3], y[3];
  parse_version_arg(a[1], x);
  parse_version_arg(a[3], y);
  int cmp = 0;
  for (int i = 0; i < 3 && !cmp; i++) cmp = x[i] == y[i] ? 0 : (x[i] > y[i] ? 1 : -1);
  const std::string& op = a[2];
  bool result;
  if (op == "<") result = cmp < 0;
  else if (op == "<=") result = cmp <= 0;
  else if (op == "==") result = cmp == 0;
  else if (op == ">=") result = cmp >= 0;
  else if (op == ">") result = cmp > 0;
  else if (op == "!=") result = cmp != 0;
  else fatal(op + ": not a relational operator");
  exit(result ? 0 : 2);
}

void usage() {
  const char* p = program_name().c_str();
  printf("%s: Open vSwitch database management utility\n"
         "usage: %s [OPTIONS] COMMAND [ARG...]\n"
         "  create [DB [SCHEMA]]    create DB with the given SCHEMA\n"
         "  compact [DB [DST]]      compact DB in-place (or to DST)\n"
         "  convert [DB [SCHEMA [DST]]]   convert DB to SCHEMA (to DST)\n"
         "  db-name [DB]            report name of schema used by DB\n"
         "  db-version [DB]         report version of schema used by DB\n"
         "  db-cksum [DB]           report checksum of schema used by DB\n"
         "  db-is-clustered DB      test whether DB is clustered\n"
         "  db-is-standalone DB     test whether DB is standalone\n"
         "  schema-name [SCHEMA]    report SCHEMA's name\n"
         "  schema-version [SCHEMA] report SCHEMA's schema version\n"
         "  schema-cksum [SCHEMA]   report SCHEMA's checksum\n"
         "  compare-versions A OP B  compare OVSDB schema version numbers\n"
         "  query [DB] TRNS         execute read-only transaction on DB\n"
         "  transact [DB] TRNS      execute read/write transaction on DB\n"
         "  [-m]... show-log [DB]   print DB's log entries\n"
         "The default DB is %s.\n"
         "The default SCHEMA is %s.\n",
         p, p, default_db().c_str(), default_schema().c_str());
  printf("\nLogging options:\n"
         "  -vSPEC, --verbose=SPEC   set logging levels\n"
         "  -v, --verbose            set maximum verbosity level\n"
         "\nOther options:\n"
         "  -m, --more                  increase show-log verbosity\n"
         "  --rbac-role=ROLE            RBAC role for transact and query commands\n"
         "  -h, --help                  display this help message\n"
         "  -V, --version               display version information\n");
  exit(EXIT_SUCCESS);
}

struct Command {
  const char* name;
  int min_args, max_args;
  void (*handler)(const Args&);
};

const Command kCommands[] = {
    {"create", 0, 2, do_create},
    {"compact", 0, 2, do_compact},
    {"convert", 0, 3, do_convert},
    {"needs-conversion", 0, 2, do_needs_conversion},
    {"db-name", 0, 1, do_db_name},
    {"db-version", 0, 1, do_db_version},
    {"db-cksum", 0, 1, do_db_cksum},
    {"db-is-clustered", 1, 1, do_db_is_clustered},
    {"db-is-standalone", 1, 1, do_db_is_standalone},
    {"schema-name", 0, 1, do_schema_name},
    {"schema-version", 0, 1, do_schema_version},
    {"schema-cksum", 0, 1, do_schema_cksum},
    {"query", 1, 2, do_query},
    {"transact", 1, 2, do_transact},
    {"show-log", 0, 1, do_show_log},
    {"compare-versions", 3, 3, do_compare_versions},
};

void parse_options(int argc, char* argv[]) {
  enum { OPT_RBAC_ROLE = UCHAR_MAX + 1, OPT_CID, OPT_ELECTION_TIMER };
  static const struct option long_options[] = {
      {"more", no_argument, nullptr, 'm'},
      {"rbac-role", required_argument, nullptr, OPT_RBAC_ROLE},
      {"cid", required_argument, nullptr, OPT_CID},
      {"election-timer", required_argument, nullptr, OPT_ELECTION_TIMER},
      {"verbose", optional_argument, nullptr, 'v'},
      {"help", no_argument, nullptr, 'h'},
      {"option", no_argument, nullptr, 'o'},
      {"version", no_argument, nullptr, 'V'},
      {nullptr, 0, nullptr, 0},
  };
  for (;;) {
    int c = getopt_long(argc, argv, "mv::hoV", long_options, nullptr);
    if (c == -1) break;
    switch (c) {
      case 'm': show_log_verbosity++; break;
      case OPT_RBAC_ROLE:
      case OPT_CID:
      case OPT_ELECTION_TIMER: break;  // clustered/RBAC options: accepted, unused
      case 'h': usage(); break;
      case 'o':
        for (const auto* o = long_options; o->name; o++) {
          printf("--%s%s\n", o->name, o->has_arg == required_argument ? "=ARG"
                                     : o->has_arg == optional_argument ? "[=ARG]" : "");
        }
        exit(EXIT_SUCCESS);
      case 'V':
        printf("%s (Open vSwitch) %s\n", program_name().c_str(), kOvsCompatVersion);
        exit(EXIT_SUCCESS);
      case 'v': {
        auto st = vlog::set_levels_from_string(optarg ? optarg : "");
        if (!st.ok()) fatal(st.error().to_string());
        break;
      }
      default: exit(EXIT_FAILURE);
    }
  }
}

}  // namespace

void fatal(const std::string& message) {
  fflush(stdout);
  fprintf(stderr, "%s: %s\n", program_name().c_str(), message.c_str());
  exit(EXIT_FAILURE);
}

void check(const OvsdbError* error) {
  if (error) fatal(error->to_string());
}

int run(int argc, char* argv[]) {
  set_program_name(argv[0]);
  parse_options(argc, argv);
  if (optind >= argc) fatal("missing command name; use --help for help");
  Args args(argv + optind, argv + argc);
  for (const Command& c : kCommands) {
    if (args[0] != c.name) continue;
    int n = int(args.size()) - 1;
    if (n < c.min_args) {
      fatal("'" + args[0] + "' command requires at least " + std::to_string(c.min_args) +
            " arguments");
    }
    if (n > c.max_args) {
      fatal("'" + args[0] + "' command takes at most " + std::to_string(c.max_args) + " arguments");
    }
    c.handler(args);
    return 0;
  }
  fatal("unknown command '" + args[0] + "'; use --help for help");
}

}  // namespace grebe::ovsdb::tool

int main(int argc, char* argv[]) { return grebe::ovsdb::tool::run(argc, argv); }

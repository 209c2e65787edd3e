// Command-line options that OVSDB clients and servers share, spelled as OVS
// spells them (STREAM_SSL_LONG_OPTIONS, -t/--timeout, --db):
//   -p/--private-key=FILE -c/--certificate=FILE -C/--ca-cert=FILE
//   --bootstrap-ca-cert=FILE --peer-ca-cert=FILE --ssl-protocols=LIST
//   --ssl-ciphers=LIST                  (SSL: configured at once, as OVS)
//   -t/--timeout=SECS                   (ends the program with SIGALRM)
//   --db=SERVER                         (default unix:$OVS_RUNDIR/db.sock)
// One parser so the utilities and daemons stop repeating the same switch.
//
// For getopt_long() mains, like OptionParser (options.h): append
// long_options() to the program's table, kShortOptions to its short
// option string, and offer every option to handle() first.
// Thread: main thread only.
#pragma once

#include <getopt.h>

#include <string>
#include <vector>

#include "grebe/util/result.h"

namespace grebe::daemon {

// getopt_long() values for the long-only options (clear of OptionParser's).
enum CommonOptionId : int {
  kOptBootstrapCaCert = 0x4100,
  kOptPeerCaCert,
  kOptSslProtocols,
  kOptSslCiphers,
  kOptDb,
};

class CommonOptions {
 public:
  // Which groups a program takes.
  enum Group : unsigned { kSsl = 1, kTimeout = 2, kDb = 4 };
  static constexpr const char* kSslShortOptions = "p:c:C:";
  static constexpr const char* kTimeoutShortOptions = "t:";

  explicit CommonOptions(unsigned groups = kSsl | kTimeout | kDb) : groups_(groups) {}

  // Our long options, without the terminating all-zero entry.
  std::vector<struct option> long_options() const;
  // The short option string for the groups taken ("p:c:C:t:").
  std::string short_options() const;

  // Applies one option from getopt_long(): true if it was ours.  SSL
  // settings take effect at once; a bad file is logged (OVS's behaviour:
  // the connection then fails).  A bad --timeout value is an Error in
  // OVS's words ("value X on -t or --timeout is invalid").
  Result<bool> handle(int option, const char* arg);

  // Seconds given with -t/--timeout, else $OVS_CTL_TIMEOUT when
  // 'use_env' (ovs-vsctl, ovs-appctl), else 0.
  unsigned timeout(bool use_env = false) const;
  // Arms the timeout: when it expires SIGALRM's default action ends the
  // process (exit status 128+14 in a shell), as OVS's time_alarm().
  void arm_timeout(bool use_env = false) const;
  // --db, or OVS's default "unix:$OVS_RUNDIR/db.sock".
  std::string db() const;
  bool has_db() const { return !db_.empty(); }

 private:
  unsigned groups_;
  unsigned timeout_ = 0;
  std::string db_;
};

// Parses a -t/--timeout value: a positive number of seconds.
Result<unsigned> parse_timeout(const char* arg);

}  // namespace grebe::daemon

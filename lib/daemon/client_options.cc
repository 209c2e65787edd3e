// SSL, --timeout and --db options shared by OVSDB clients and servers.
#include "grebe/daemon/client_options.h"

#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <iterator>

#include "grebe/stream/ssl.h"
#include "grebe/util/dirs.h"

namespace grebe::daemon {

namespace {
const struct option kSslOptions[] = {
    {"private-key", required_argument, nullptr, 'p'},
    {"certificate", required_argument, nullptr, 'c'},
    {"ca-cert", required_argument, nullptr, 'C'},
    {"bootstrap-ca-cert", required_argument, nullptr, kOptBootstrapCaCert},
    {"peer-ca-cert", required_argument, nullptr, kOptPeerCaCert},
    {"ssl-protocols", required_argument, nullptr, kOptSslProtocols},
    {"ssl-ciphers", required_argument, nullptr, kOptSslCiphers},
};
const struct option kTimeoutOption = {"timeout", required_argument, nullptr, 't'};
const struct option kDbOption = {"db", required_argument, nullptr, kOptDb};
}  // namespace

std::vector<struct option> CommonOptions::long_options() const {
  std::vector<struct option> v;
  v.reserve(std::size(kSslOptions) + 2);
  if (groups_ & kSsl) {
    for (const struct option& o : kSslOptions) v.push_back(o);
  }
  if (groups_ & kTimeout) v.push_back(kTimeoutOption);
  if (groups_ & kDb) v.push_back(kDbOption);
  return v;
}

std::string CommonOptions::short_options() const {
  std::string s;
  if (groups_ & kSsl) s += kSslShortOptions;
  if (groups_ & kTimeout) s += kTimeoutShortOptions;
  return s;
}

Result<unsigned> parse_timeout(const char* arg) {
  char* end;
  errno = 0;
  unsigned long v = arg ? strtoul(arg, &end, 10) : 0;
  if (!arg || errno || *end || !*arg || *arg == '-' || v == 0 || v > UINT_MAX) {
    return Error(EINVAL, std::string("value ") + (arg ? arg : "") +
                             " on -t or --timeout is invalid");
  }
  return static_cast<unsigned>(v);
}

Result<bool> CommonOptions::handle(int option, const char* arg) {
  const char* ssl = nullptr;
  switch (option) {
    case 'p': ssl = "private-key"; break;
    case 'c': ssl = "certificate"; break;
    case 'C': ssl = "ca-cert"; break;
    case kOptBootstrapCaCert: ssl = "bootstrap-ca-cert"; break;
    case kOptPeerCaCert: ssl = "peer-ca-cert"; break;
    case kOptSslProtocols: ssl = "ssl-protocols"; break;
    case kOptSslCiphers: ssl = "ssl-ciphers"; break;
    case 't':
      if (!(groups_ & kTimeout)) return false;
      {
        auto v = parse_timeout(arg);
        if (!v) return v.take_error();
        timeout_ = *v;
      }
      return true;
    case kOptDb:
      if (!(groups_ & kDb)) return false;
      db_ = arg ? arg : "";
      return true;
    default: return false;
  }
  if (!(groups_ & kSsl)) return false;
  (void)stream::ssl_handle_option(ssl, arg ? arg : "");  // logs a bad value itself
  return true;
}

unsigned CommonOptions::timeout(bool use_env) const {
  if (timeout_ || !use_env) return timeout_;
  const char* env = getenv("OVS_CTL_TIMEOUT");
  if (!env || !*env) return 0;
  // As OVS's ctl_timeout_setup() (ovs_scan "%u"): a leading number counts.
  return static_cast<unsigned>(strtoul(env, nullptr, 10));
}

void CommonOptions::arm_timeout(bool use_env) const {
  if (unsigned t = timeout(use_env)) alarm(t);
}

std::string CommonOptions::db() const {
  return db_.empty() ? "unix:" + ovs_rundir() + "/db.sock" : db_;
}

}  // namespace grebe::daemon

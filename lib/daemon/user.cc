// --user USER[:GROUP]: drop root, keeping only the capabilities a daemon
// needs (libcap-ng), as OVS's daemon_become_new_user_linux().
#include <cap-ng.h>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "grebe/util/vlog.h"
#include "pidfile_internal.h"

namespace grebe::daemon {

namespace {

struct Ids {
  std::string user;
  uid_t uid;
  gid_t gid;
};

std::string trim_left(std::string s) {
  size_t n = s.find_first_not_of(" \t\r\n");
  return n == std::string::npos ? std::string() : s.substr(n);
}

Result<Ids> resolve(const std::string& spec_in) {
  std::string spec = trim_left(spec_in);
  size_t colon = spec.find(':');
  std::string user = spec.substr(0, colon);
  std::vector<char> buf(16384);
  struct passwd pwd, *pres = nullptr;
  int e;
  if (!user.empty()) {
    e = getpwnam_r(user.c_str(), &pwd, buf.data(), buf.size(), &pres);
    if (e) return Error(e, "Failed to retrieve user " + user + "'s uid (" + errno_string(e) + "), aborting.");
    if (!pres) return Error(ENOENT, "user " + user + " not found, aborting.");
  } else {
    e = getpwuid_r(getuid(), &pwd, buf.data(), buf.size(), &pres);
    if (e || !pres)
      return Error(e ? e : ENOENT, "Failed to retrieve current user's name (" +
                                       errno_string(e ? e : ENOENT) + "), aborting.");
    user = pwd.pw_name;
  }
  Ids ids{user, pwd.pw_uid, pwd.pw_gid};
  if (colon == std::string::npos) return ids;
  std::string group = trim_left(spec.substr(colon + 1));
  if (group.empty()) return ids;
  std::vector<char> gbuf(65536);
  struct group grp, *gres = nullptr;
  e = getgrnam_r(group.c_str(), &grp, gbuf.data(), gbuf.size(), &gres);
  if (e) return Error(e, "Failed to get group entry for " + group + ", (" + errno_string(e) + "), aborting.");
  if (!gres) return Error(ENOENT, "group " + group + " not found, aborting.");
  if (grp.gr_gid != ids.gid) {
    bool member = false;
    for (char** m = grp.gr_mem; *m && !member; ++m) member = user == *m;
    if (!member)
      return Error(EPERM, "Invalid --user option " + spec_in + " (user " + user +
                              " is not in group " + group + "), aborting.");
    ids.gid = grp.gr_gid;
  }
  return ids;
}

}  // namespace

Status become_user(const std::string& spec, const Capabilities& caps) {
  std::string prefix = default_pidfile() + ": ";
  if (geteuid() != 0 || getuid() != 0)
    return Error(EPERM, prefix + "only root can use --user option");
  auto ids = resolve(spec);
  if (!ids.ok()) return Error(ids.error().code(), prefix + ids.error().message());

  // A log file opened before the switch must stay writable afterwards.
  std::string log = vlog::log_file_name();
  if (!log.empty() && chown(log.c_str(), ids->uid, ids->gid) != 0)
    return Error(errno, "Failed to change " + log + " ownership: " + errno_string(errno) + ".");

  capng_clear(CAPNG_SELECT_BOTH);
  int r = 0;
  auto keep = [&](int cap) {
    if (!r) r = capng_update(CAPNG_ADD, static_cast<capng_type_t>(CAPNG_EFFECTIVE | CAPNG_PERMITTED), cap);
  };
  if (caps.net_admin) keep(CAP_NET_ADMIN);
  if (caps.net_raw) keep(CAP_NET_RAW);
  if (caps.net_bind_service) keep(CAP_NET_BIND_SERVICE);
  if (!r) r = capng_change_id(static_cast<int>(ids->uid), static_cast<int>(ids->gid),
                              static_cast<capng_flags_t>(CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING));
  if (r)
    return Error(EPERM, prefix + "libcap-ng fail to switch to user and group " +
                            std::to_string(ids->uid) + ":" + std::to_string(ids->gid) +
                            ", aborting");
  return ok_status();
}

}  // namespace grebe::daemon

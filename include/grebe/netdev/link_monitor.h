// Link (carrier / admin state) change notifications from rtnetlink
// (RTNLGRP_LINK), for the bridge to refresh ofport state and for netdev
// carrier Seqs (OVS's netdev-linux notifier).
//
// Threads: one LinkMonitor belongs to the thread that polls it (usually
// the main thread's event loop: watch fd() for readability, then call
// run()).  Never blocks.  The socket listens in the namespace of the
// thread that opened it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "grebe/netdev/netdev.h"
#include "grebe/util/result.h"

namespace grebe::netdev {

// One RTM_NEWLINK / RTM_DELLINK event.
struct LinkChange {
  int ifindex = 0;
  std::string name;      // IFLA_IFNAME ("" if absent)
  bool removed = false;  // RTM_DELLINK
  bool up = false;       // IFF_UP (administrative)
  bool carrier = false;  // IFF_LOWER_UP (link/carrier)
};

class LinkMonitor {
 public:
  // Subscribes to RTNLGRP_LINK.  errno (EPERM, EMFILE...) on failure.
  static Result<std::unique_ptr<LinkMonitor>> open();
  ~LinkMonitor();
  LinkMonitor(const LinkMonitor&) = delete;
  LinkMonitor& operator=(const LinkMonitor&) = delete;

  // Readable when events are waiting.
  int fd() const { return fd_; }
  // Delivers every waiting event to `cb`; returns how many.  On receive
  // buffer overflow (ENOBUFS) events were lost: `cb` is not told which,
  // so run() returns ENOBUFS and the caller must re-read every device.
  Result<size_t> run(const std::function<void(const LinkChange&)>& cb);
  // Bumped by each event run() delivers (and by an overflow), so callers
  // can compare against a remembered value as with a Seq.
  uint64_t seq() const { return seq_; }

 private:
  LinkMonitor() = default;
  int fd_ = -1;
  uint64_t seq_ = 0;
};

// Reads `ifindex`'s counters with RTM_GETLINK / IFLA_STATS64 (the 64-bit
// counters /proc/net/dev is built from) in the calling thread's namespace.
// ENODEV if there is no such device; EPROTO on a malformed reply.
Result<Stats> rtnl_get_stats(int ifindex);

}  // namespace grebe::netdev

// Dpif: the datapath interface.  One abstract interface, three providers:
//   "system"  netlink  -> a kernel datapath (grebe_dp.ko or stock openvswitch.ko)
//   "netdev"  userspace datapath (AF_PACKET / AF_XDP ports, PMD or event threads)
//   "dummy"   in-memory datapath for tests (ports fed by netdev-dummy/receive)
//
// STATUS: "dummy" (lib/dpif/dummy) and "netdev" (lib/dpif/netdev: system,
// internal, tap and dummy ports with receive threads) implement it on the
// userspace core lib/dpif/dp_netdev*; "system" to follow.
//
// The datapath only caches decisions: masked flow key -> actions (megaflows).
// Keys, masks and actions are <linux/openvswitch.h> netlink attributes
// (lib/odp builds and prints them), whatever the provider, so translation
// never knows which datapath is underneath.  A flow is named by its UFID
// (128 bits, odp_flow_key_hash()).
//
// Threads (as OVS): the main thread opens datapaths and adds/removes ports;
// handler threads call recv(handler_id) and operate(); revalidator threads
// run flow dumps and operate().  Every method below is safe to call from any
// of these threads concurrently unless it says otherwise; none holds a
// provider lock across a blocking syscall.  Methods return errno-style
// errors (Error::code()) with OVS's meaning: ENOENT no such flow/port, EEXIST
// flow exists (put without kModify), EFBIG flow table full, EINVAL malformed
// key/actions, EOPNOTSUPP not provided by this datapath.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "grebe/conntrack/conntrack.h"
#include "grebe/util/result.h"

namespace grebe::netdev {
class Netdev;
}

namespace grebe::dpif {

using OdpPort = uint32_t;
inline constexpr OdpPort kOdppNone = UINT32_MAX;
inline constexpr OdpPort kOdppLocal = 0;  // the datapath's own (bridge) port

using Bytes = std::vector<uint8_t>;  // netlink attribute stream, owned
struct Ufid {
  std::array<uint32_t, 4> w{};
  bool operator==(const Ufid&) const = default;
};

struct DpStats {
  uint64_t n_hit = 0, n_missed = 0, n_lost = 0, n_flows = 0;
  uint64_t n_mask_hit = 0, n_masks = 0, n_cache_hit = 0;
};

struct DpifPort {
  std::string name;
  std::string type;  // netdev type: "system", "internal", "tap", "dummy", ...
  OdpPort port_no = kOdppNone;
};

struct FlowStats {
  uint64_t n_packets = 0;
  uint64_t n_bytes = 0;
  long long used = 0;  // time_msec() of last use, 0 = never
  uint16_t tcp_flags = 0;
};

// One datapath flow as dumped or fetched.
struct DpifFlow {
  Bytes key, mask, actions;
  Ufid ufid;
  bool ufid_present = false;
  FlowStats stats;
  int pmd_id = -1;  // userspace datapath: owning thread, else -1
};

// Batched operations (OVS's dpif_op), executed in order by operate().
enum PutFlags : uint32_t { kPutCreate = 1, kPutModify = 2, kPutZeroStats = 4 };
struct FlowPut {
  Bytes key, mask, actions;
  std::optional<Ufid> ufid;
  uint32_t flags = kPutCreate;
  FlowStats* stats_out = nullptr;  // previous stats when modifying
};
struct FlowDel {
  Bytes key;  // may be empty when ufid is given
  std::optional<Ufid> ufid;
  FlowStats* stats_out = nullptr;
};
struct FlowGet {
  Bytes key;
  std::optional<Ufid> ufid;
  DpifFlow* flow_out = nullptr;
};
struct Execute {
  std::vector<uint8_t> packet;  // full frame
  Bytes key;                    // metadata: in_port, recirc_id, ct state, tunnel...
  Bytes actions;
  bool probe = false;           // suppress error logging (feature probes)
  uint16_t mtu = 0;             // non-zero: fragment to this MTU on output
};
struct Op {
  enum class Type { kPut, kDel, kGet, kExecute } type;
  FlowPut put;
  FlowDel del;
  FlowGet get;
  Execute execute;
  Status result;  // filled by operate()
};

// A packet the datapath sends up (OVS's dpif_upcall).
struct Upcall {
  enum class Type { kMiss, kAction } type = Type::kMiss;
  std::vector<uint8_t> packet;
  Bytes key;          // the flow key extracted by the datapath
  Ufid ufid;
  Bytes userdata;     // OVS_USERSPACE_ATTR_USERDATA (action upcalls)
  Bytes actions;      // OVS_USERSPACE_ATTR_ACTIONS, when requested
  uint16_t mru = 0;   // reassembled packets: original max fragment size
  uint32_t hash = 0;  // datapath hash, for handler selection
};

class FlowDump;

class Dpif {
 public:
  virtual ~Dpif() = default;

  // Opens datapath `name` of provider `type` ("system", "netdev", "dummy"),
  // creating it if `create`.  EAFNOSUPPORT for an unknown type, ENODEV if it
  // does not exist and !create.  Main thread.
  static Result<std::unique_ptr<Dpif>> open(std::string_view type, std::string_view name,
                                            bool create);
  // The provider types available in this process (Open_vSwitch:datapath_types).
  static std::vector<std::string> types();

  virtual std::string_view type() const = 0;
  virtual const std::string& name() const = 0;
  // Deletes the datapath itself (dpctl/del-dp).  Main thread.
  virtual Status destroy() = 0;
  virtual DpStats stats() const = 0;
  // "<built-in>" for userspace, the module version for the kernel.
  virtual std::string version() const = 0;

  // Ports.  port_add attaches `netdev`; `requested` asks for a port number
  // (EBUSY if taken).  Returns the port number.  Main thread.
  virtual Result<OdpPort> port_add(netdev::Netdev& netdev,
                                   std::optional<OdpPort> requested) = 0;
  virtual Status port_del(OdpPort port) = 0;
  virtual Result<DpifPort> port_query(OdpPort port) const = 0;
  virtual Result<DpifPort> port_query(std::string_view devname) const = 0;
  virtual std::vector<DpifPort> ports() const = 0;
  // Netlink pid that action upcalls for packets received on `port` go to.
  virtual uint32_t port_upcall_pid(OdpPort port) const = 0;

  // Flows.  operate() runs each op and stores its result; it never throws
  // away an op silently.
  virtual void operate(std::vector<Op>& ops) = 0;
  virtual Status flow_flush() = 0;
  // Starts a dump; each revalidator thread calls FlowDump::next() on its
  // own FlowDump::Thread.  `terse` omits keys/masks/actions (ufid + stats).
  virtual std::unique_ptr<FlowDump> flow_dump(bool terse) = 0;

  // Upcalls.  handlers_set(n) sizes the per-handler queues/sockets; recv()
  // returns EAGAIN when handler `handler_id` has nothing; wait_fd() is an
  // fd that becomes readable when it might.  Handler threads.
  virtual Status handlers_set(uint32_t n_handlers) = 0;
  virtual Result<Upcall> recv(uint32_t handler_id) = 0;
  virtual int wait_fd(uint32_t handler_id) const = 0;
  virtual void recv_purge() = 0;

  // Meters (OpenFlow meters enforced in the datapath).  EOPNOTSUPP where
  // absent.  Main thread.
  struct MeterBand { uint64_t rate = 0, burst = 0; };  // kbps or pktps per flags
  virtual Status meter_set(uint32_t meter_id, uint32_t flags,
                           const std::vector<MeterBand>& bands) = 0;
  virtual Status meter_del(uint32_t meter_id) = 0;

  // Polls ports that have no thread of their own (userspace / dummy
  // datapaths: receive, lookup, execute, queue misses) and returns how many
  // packets it processed.  Kernel datapaths do nothing.  Main thread (or
  // the one polling thread); never blocks.
  virtual size_t run() { return 0; }
  // Caps the number of megaflows: a put creating flow number limit+1 fails
  // with EFBIG.  EOPNOTSUPP where the datapath has its own limit.
  virtual Status set_flow_limit(size_t limit) {
    (void)limit;
    return Error(EOPNOTSUPP, "flow limit not settable");
  }

  // Datapath-specific settings from Open_vSwitch:other_config, applied
  // whenever it changes; unknown keys are ignored, a bad value of a known
  // key gives EINVAL (the rest still applies).  The "netdev" provider
  // reads pmd-cpu-mask (hex; one receive thread per bit, pinned to that
  // CPU; default one unpinned thread).  Main thread.
  virtual Status set_config(const std::map<std::string, std::string>& other_config) {
    (void)other_config;
    return ok_status();
  }
  // Text for `ovs-appctl dpif-netdev/pmd-stats-show` and
  // `dpif-netdev/pmd-rxq-show` (userspace datapaths); EOPNOTSUPP elsewhere.
  // Any thread.
  virtual Result<std::string> pmd_stats_show() const {
    return Error(EOPNOTSUPP, "not a userspace datapath");
  }
  virtual Result<std::string> pmd_rxq_show() const {
    return Error(EOPNOTSUPP, "not a userspace datapath");
  }

  // Connection tracking (behind dpctl/dump-conntrack, flush-conntrack,
  // ct-stats-show, ct-set-maxconns, ct-set-limits): the userspace
  // datapaths' conntrack (grebe/conntrack/conntrack.h, whose
  // conntrack::format_entry() prints an Entry as dpctl does).  Every
  // method may be called from any thread and never blocks on packet
  // processing for long (one table mutex).  EOPNOTSUPP where absent.
  virtual Result<std::vector<conntrack::Entry>> ct_dump(std::optional<uint16_t> zone) const {
    (void)zone;
    return Error(EOPNOTSUPP, "conntrack not supported by this datapath");
  }
  // Removes every connection (of `zone` if given).
  virtual Status ct_flush(std::optional<uint16_t> zone) {
    (void)zone;
    return Error(EOPNOTSUPP, "conntrack not supported by this datapath");
  }
  virtual Result<conntrack::Stats> ct_stats() const {
    return Error(EOPNOTSUPP, "conntrack not supported by this datapath");
  }
  // Table-wide maximum (dpctl/ct-set-maxconns, ct-get-maxconns).
  virtual Status ct_set_maxconns(size_t n) {
    (void)n;
    return Error(EOPNOTSUPP, "conntrack not supported by this datapath");
  }
  virtual Result<size_t> ct_get_maxconns() const {
    return Error(EOPNOTSUPP, "conntrack not supported by this datapath");
  }
  // Per-zone limits (0 removes); ct_get_limits() -> zone -> (limit, count).
  virtual Status ct_set_limit(uint16_t zone, uint32_t limit) {
    (void)zone, (void)limit;
    return Error(EOPNOTSUPP, "conntrack not supported by this datapath");
  }
  virtual Result<std::map<uint16_t, std::pair<uint32_t, size_t>>> ct_get_limits() const {
    return Error(EOPNOTSUPP, "conntrack not supported by this datapath");
  }
};

class FlowDump {
 public:
  class Thread {
   public:
    virtual ~Thread() = default;
    // Fills up to `max` flows; returns how many (0 = dump finished).
    virtual size_t next(std::vector<DpifFlow>& out, size_t max) = 0;
  };
  virtual ~FlowDump() = default;
  virtual std::unique_ptr<Thread> thread() = 0;
  // Ends the dump; returns the first error any thread hit.
  virtual Status finish() = 0;
};

// Makes Netdev::open(name, "dummy") create dummy ports (lib/dpif's
// netdev-dummy), so dummy ports work in "netdev" datapaths too.  Idempotent;
// Dpif::open() and Dpif::types() call it.  Thread-safe.
void register_netdev_types();

// Providers register a factory once at start-up (main thread).
using DpifFactory = std::function<Result<std::unique_ptr<Dpif>>(std::string_view name, bool create)>;
void register_provider(std::string type, DpifFactory factory);

}  // namespace grebe::dpif

// Conntrack: connection tracking for the userspace datapath, what
// OVS_ACTION_ATTR_CT does (OVS's lib/conntrack.c, as ovs-actions(7) and
// ovs-fields(7) describe it).
//
// execute() looks a packet up by its 5-tuple in a zone and fills the ct_*
// metadata of its Flow (ct_state trk/new/est/rel/rpl/inv/snat/dnat,
// ct_zone, ct_mark, ct_label, and the original-direction tuple
// ct_nw_src/dst, ct_tp_src/dst, ct_nw_proto) for the recirculation that
// follows.  commit stores the connection; mark and label are set only on
// commit (as OVS requires); nat rewrites addresses/ports (SNAT/DNAT from
// an address and port range, chosen to keep the reply tuple unique) and,
// for later packets of a NATed connection, applies the translation in
// both directions.
//
// Protocols: TCP (a connection starts with SYN, else +inv; states
// SYN_SENT, SYN_RECV, ESTABLISHED, FIN_WAIT, CLOSE_WAIT, TIME_WAIT,
// CLOSE; RST closes; no window checks), UDP, ICMP/ICMPv6 echo (id as the
// port) and ICMP errors, which are +rel to the connection whose header
// they quote; anything else IP is tracked by addresses only.  Non-IP and
// fragments are +trk+inv.
//
// Expiry (ms, as OVS's userspace defaults): TCP SYN_SENT/SYN_RECV 30 s,
// ESTABLISHED 24 h, closing states 30 s, CLOSE 30 s; UDP 30 s, 180 s once
// replied; ICMP 30 s; other 30 s / 60 s.  Expired connections are swept
// lazily (sweep() and on lookup).  Limits: a table-wide maximum (default
// 3,000,000, OVS's) and per-zone limits; a commit over a limit leaves the
// packet +trk+inv and uncommitted.
//
// Thread-safety: every method may be called from any thread; one mutex
// guards the table and is held only for table work (never across I/O).
// Time comes from the caller (`now_ms`), so tests need no clock.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "grebe/netlink/attr.h"
#include "grebe/packet/flow.h"
#include "grebe/packet/packet.h"
#include "grebe/util/result.h"

namespace grebe::conntrack {

// One direction of a connection.  Addresses are 16 bytes (IPv4 in the
// first 4, network order); for ICMP, sport = echo id, dport = type<<8|code
// of the request (the reply's type for the reply tuple).
struct Tuple {
  uint16_t dl_type = 0;  // 0x0800 / 0x86dd
  std::array<uint8_t, 16> src{}, dst{};
  uint16_t sport = 0, dport = 0;
  uint8_t proto = 0;
  uint16_t zone = 0;
  bool operator==(const Tuple&) const = default;
};
struct TupleHash {
  size_t operator()(const Tuple& t) const;
};

enum class TcpState : uint8_t {
  kNone, kSynSent, kSynRecv, kEstablished, kFinWait, kCloseWait, kTimeWait, kClose
};
const char* tcp_state_name(TcpState s);  // "ESTABLISHED", ... as dpctl prints

// A connection as dumped (dpctl/dump-conntrack).
struct Entry {
  Tuple orig, reply;
  uint32_t mark = 0;
  U128 label{0, 0};
  TcpState tcp_state = TcpState::kNone;
  long long expires_in_ms = 0;  // at dump time
  uint32_t id = 0;
  bool snat = false, dnat = false;
};
// The dpctl/dump-conntrack line of `e`, as OVS prints it:
// "tcp,orig=(src=10.0.0.1,dst=10.0.0.2,sport=1234,dport=80),reply=(...),
//  zone=1,mark=5,labels=0x..,protoinfo=(state=ESTABLISHED)"; `verbose`
// adds id and timeout.
std::string format_entry(const Entry& e, bool verbose);

struct Stats {
  uint64_t n_conns = 0;
  std::map<std::string, uint64_t> by_proto;  // "TCP", "UDP", "ICMP", "ICMPV6", "OTHER"
  std::map<std::string, uint64_t> tcp_states;  // "ESTABLISHED" -> n
};

struct CtArgs;  // one ct action's parsed attributes (conntrack.cc)

class Conntrack {
 public:
  static constexpr size_t kDefaultMaxConns = 3000000;

  Conntrack();
  ~Conntrack();

  // Runs ct(...) with the nested OVS_CT_ATTR_* `attrs` on `pkt`, updating
  // `md`'s ct fields (and, with nat, the packet).  EINVAL for malformed
  // attributes (the packet is then untouched).  Packet-processing threads.
  Status execute(Packet& pkt, Flow& md, nl::Bytes attrs, long long now_ms);

  std::vector<Entry> dump(std::optional<uint16_t> zone, long long now_ms) const;
  // Removes every connection (of `zone` if given); returns how many.
  size_t flush(std::optional<uint16_t> zone);
  Stats stats() const;
  // Drops expired connections; returns how many.
  size_t sweep(long long now_ms);

  void set_max_conns(size_t n);
  size_t max_conns() const;
  // Per-zone connection limit (0 = none, the default).
  void set_zone_limit(uint16_t zone, uint32_t limit);
  std::map<uint16_t, uint32_t> zone_limits() const;
  size_t zone_count(uint16_t zone) const;

 private:
  struct Conn;
  using ConnPtr = std::shared_ptr<Conn>;

  ConnPtr lookup_locked(const Tuple& t, long long now, bool* reply);
  void remove_locked(const ConnPtr& c);
  ConnPtr commit_locked(const Tuple& t, const CtArgs& args, long long now, Status* err);
  bool pick_nat_locked(Conn& c, const CtArgs& args);

  mutable std::mutex mutex_;
  std::unordered_map<Tuple, ConnPtr, TupleHash> table_;  // both directions' tuples
  std::map<uint16_t, uint32_t> zone_limits_;
  std::map<uint16_t, size_t> zone_counts_;
  size_t n_conns_ = 0, max_conns_ = kDefaultMaxConns;
  uint32_t next_id_ = 1;
};

}  // namespace grebe::conntrack

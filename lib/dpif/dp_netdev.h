// DpNetdev: the userspace datapath core (OVS's dpif-netdev), shared by the
// "dummy" provider and, later, the "netdev" provider.  Internal to lib/dpif.
//
// Packet path (run() or inject()): batches of up to kMaxBurst packets ->
// flow extraction -> EMC -> megaflow table -> packets grouped by flow ->
// odp_execute; misses become Upcalls in bounded per-handler queues
// (n_lost counted when one is full).  recirc() re-enters the path with the
// new recirc_id (depth-limited).
//
// Lock order: run_mutex_ (one packet-processing thread at a time; guards
// the EMC) -> ports_mutex_ -> flow_mutex_ -> handler queue mutexes.  Packet
// processing takes flow_mutex_ shared only for lookup; flow statistics are
// atomics.  No lock is held while a netdev sends.
#pragma once

#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "dp_flow_table.h"
#include "dp_meter.h"
#include "grebe/dpif/dpif.h"
#include "grebe/netdev/netdev.h"
#include "grebe/netlink/attr.h"
#include "grebe/packet/packet.h"

namespace grebe::dpif {

class DpNetdev : public Dpif {
 public:
  static constexpr size_t kDefaultFlowLimit = 65536;  // OVS's MAX_FLOWS per PMD
  static constexpr size_t kMaxUpcallQueue = 1024;
  static constexpr int kMaxRecircDepth = 6;  // as OVS

  // `local_port` becomes port 0 (the datapath's own port); owned.
  DpNetdev(std::string type, std::string name, std::unique_ptr<netdev::Netdev> local_port);
  ~DpNetdev() override;

  std::string_view type() const override { return type_; }
  const std::string& name() const override { return name_; }
  Status destroy() override;
  DpStats stats() const override;
  std::string version() const override { return "<built-in>"; }

  Result<OdpPort> port_add(netdev::Netdev& netdev, std::optional<OdpPort> requested) override;
  Status port_del(OdpPort port) override;
  Result<DpifPort> port_query(OdpPort port) const override;
  Result<DpifPort> port_query(std::string_view devname) const override;
  std::vector<DpifPort> ports() const override;
  uint32_t port_upcall_pid(OdpPort port) const override { return port; }

  void operate(std::vector<Op>& ops) override;
  Status flow_flush() override;
  std::unique_ptr<FlowDump> flow_dump(bool terse) override;

  Status handlers_set(uint32_t n_handlers) override;
  Result<Upcall> recv(uint32_t handler_id) override;
  int wait_fd(uint32_t handler_id) const override;
  void recv_purge() override;

  Status meter_set(uint32_t meter_id, uint32_t flags, const std::vector<MeterBand>& bands) override;
  Status meter_del(uint32_t meter_id) override;

  size_t run() override;
  Status set_flow_limit(size_t limit) override;

  // Processes packets received on `in_port` as if the port delivered them
  // (run() calls this for each port's rx batch).  Any thread; serialized.
  void inject(OdpPort in_port, std::vector<Packet>& batch);

 private:
  struct Port {
    std::string name, type;
    netdev::Netdev* netdev = nullptr;
  };
  struct HandlerQueue {
    std::mutex mutex;
    std::deque<Upcall> queue;
    int event_fd = -1;
  };

  // Packet path (run_mutex_ held).
  void process(std::vector<Packet>& batch, const std::vector<Flow>& mds, int depth);
  void execute_flow(const DpFlowPtr& flow, std::vector<Packet*>& pkts, std::vector<Flow>& mds,
                    int depth);
  Status execute_actions(Packet& pkt, Flow& md, nl::Bytes actions, int depth);
  void output(const Packet& pkt, OdpPort port);
  void queue_upcall(Upcall&& upcall);
  Bytes key_from_flow(const Flow& flow) const;

  // Flow ops (dp_netdev_flow.cc).
  Status do_put(FlowPut& put);
  Status do_del(FlowDel& del);
  Status do_get(FlowGet& get);
  Status do_execute(Execute& exec);
  Result<DpFlowPtr> find_flow(const Bytes& key, const std::optional<Ufid>& ufid) const;

  std::string type_, name_;
  std::unique_ptr<netdev::Netdev> local_port_;
  uint32_t ufid_secret_;

  mutable std::recursive_mutex run_mutex_;  // recursive: Execute ops may recirculate
  Emc emc_;

  mutable std::shared_mutex ports_mutex_;
  std::map<OdpPort, Port> ports_;

  mutable std::shared_mutex flow_mutex_;
  DpFlowTable flows_;
  size_t flow_limit_ = kDefaultFlowLimit;

  mutable std::mutex handlers_mutex_;  // guards the handlers_ vector itself
  std::vector<std::unique_ptr<HandlerQueue>> handlers_;

  DpMeters meters_;

  std::atomic<uint64_t> n_hit_{0}, n_missed_{0}, n_lost_{0}, n_mask_hit_{0}, n_cache_hit_{0};
  bool destroyed_ = false;  // guarded by ports_mutex_
};

}  // namespace grebe::dpif

// DpNetdev: the userspace datapath core (OVS's dpif-netdev), shared by the
// "dummy" and "netdev" providers.  Internal to lib/dpif.
//
// Packet path (rx threads, run() or inject()): batches of up to kMaxBurst
// packets -> flow extraction -> EMC -> megaflow table -> packets grouped by
// flow -> odp_execute (or, for the common "one output" flow, straight into
// the output port's tx batch, no copy); misses become Upcalls in bounded
// per-handler queues (n_lost counted when one is full).  recirc re-enters
// the path with the new recirc_id (depth-limited).  Tx batches are sent
// once per rx batch.
//
// Offload metadata (netdev::VnetHdr: partial checksums, GSO super-frames)
// travels next to each packet from rx to tx, so TSO traffic between
// devices with vnet headers is forwarded without being segmented.  It is
// finished in software (checksum completed / segmented) only when the
// packet goes up to userspace, or before actions that rewrite headers.
//
// Threads: every packet-processing thread has a PmdContext (EMC, tx
// batches).  Receive threads (start_rx_threads(), the "netdev" provider)
// each own theirs and poll the ports that have an rx_fd(); run(),
// inject() and Execute ops share main_ctx_ under run_mutex_ and poll the
// rest.  port_del() waits until no thread still uses the removed port
// (each context's busy mutex is taken once: quiescence), so the caller may
// destroy the netdev when it returns.
//
// Lock order: a context's busy mutex (run_mutex_ for main_ctx_) ->
// ports_mutex_ -> flow_mutex_ -> a port's tx mutex -> handler queue
// mutexes.  Packet processing takes flow_mutex_ shared only for lookup;
// flow statistics are atomics.
#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <thread>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "dp_flow_table.h"
#include "dp_meter.h"
#include "grebe/conntrack/conntrack.h"
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

  Result<std::vector<conntrack::Entry>> ct_dump(std::optional<uint16_t> zone) const override;
  Status ct_flush(std::optional<uint16_t> zone) override;
  Result<conntrack::Stats> ct_stats() const override { return ct_.stats(); }
  Status ct_set_maxconns(size_t n) override {
    ct_.set_max_conns(n);
    return ok_status();
  }
  Result<size_t> ct_get_maxconns() const override { return ct_.max_conns(); }
  Status ct_set_limit(uint16_t zone, uint32_t limit) override {
    ct_.set_zone_limit(zone, limit);
    return ok_status();
  }
  Result<std::map<uint16_t, std::pair<uint32_t, size_t>>> ct_get_limits() const override;
  Status set_flow_limit(size_t limit) override;
  // pmd-cpu-mask (netdev datapaths only: the dummy one is polled by run()).
  Status set_config(const std::map<std::string, std::string>& other_config) override;

  // Processes packets received on `in_port` as if the port delivered them
  // (run() calls this for each port's rx batch).  Any thread; serialized.
  void inject(OdpPort in_port, std::vector<Packet>& batch);

  // Starts `n` receive threads (stopping any running ones) that poll every
  // port with an rx_fd() >= 0, blocking in epoll when idle.  Thread i is
  // pinned to cpus[i] when given.  n == 0 returns to polling from run().
  // Main thread.
  Status set_rx_threads(size_t n, const std::vector<int>& cpus);
  size_t n_rx_threads() const { return rx_threads_.size(); }
  // Text for dpif-netdev/pmd-stats-show and pmd-rxq-show style views.
  std::string pmd_stats_text() const;
  std::string pmd_rxq_text() const;

 private:
  struct Port {
    std::string name, type;
    netdev::Netdev* netdev = nullptr;
    int rx_fd = -1;  // netdev->rx_fd(), fixed for the device's life
    std::shared_ptr<std::mutex> tx_mutex = std::make_shared<std::mutex>();
  };
  // State of one packet-processing thread.
  struct PmdContext {
    Emc emc;
    std::map<OdpPort, netdev::PacketBatch> tx;  // flushed after each rx batch
    uint64_t n_packets = 0, n_batches = 0, n_upcalls = 0;
  };
  struct RxThread {
    std::thread thread;
    std::mutex busy;  // held while it touches ports (see port_del)
    PmdContext ctx;
    int epoll_fd = -1, wake_fd = -1;
    int cpu = -1;
    std::atomic<bool> stop{false};
    uint64_t gen = UINT64_MAX;  // ports_gen_ its port list reflects
    std::vector<std::pair<OdpPort, netdev::Netdev*>> ports;
    std::atomic<uint64_t> n_packets{0}, n_wakeups{0}, n_batches{0};
  };
  struct HandlerQueue {
    std::mutex mutex;
    std::deque<Upcall> queue;
    int event_fd = -1;
  };

  // Packet path (the context's busy mutex held).
  void process(PmdContext& ctx, std::vector<Packet>& batch, std::vector<netdev::VnetHdr>& vnets,
               const std::vector<Flow>& mds, int depth);
  void execute_flow(PmdContext& ctx, const DpFlowPtr& flow, std::vector<Packet*>& pkts,
                    std::vector<netdev::VnetHdr*>& vnets, std::vector<Flow>& mds, int depth);
  Status execute_actions(PmdContext& ctx, Packet& pkt, const netdev::VnetHdr& vnet, Flow& md,
                         nl::Bytes actions, int depth);
  void queue_tx(PmdContext& ctx, OdpPort port, std::vector<uint8_t>&& frame,
                const netdev::VnetHdr& vnet);
  void flush_tx(PmdContext& ctx);
  void rx_batch(PmdContext& ctx, OdpPort port_no, netdev::PacketBatch& rx);
  void queue_miss(const Packet& pkt, const netdev::VnetHdr& vnet, const Flow& flow,
                  uint32_t hash);
  void queue_upcall(Upcall&& upcall);
  // Rx threads (dp_netdev_rx.cc).
  void rx_thread_main(RxThread& t);
  void rx_thread_sync_ports(RxThread& t);
  void stop_rx_threads();
  void wake_rx_threads();
  // Waits until no packet-processing thread can hold a removed port.
  void quiesce();
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
  PmdContext main_ctx_;                     // guarded by run_mutex_

  mutable std::shared_mutex ports_mutex_;
  std::map<OdpPort, Port> ports_;
  std::atomic<uint64_t> ports_gen_{0};  // bumped on every port change
  std::vector<std::unique_ptr<RxThread>> rx_threads_;  // main thread only
  std::atomic<bool> rx_threads_on_{false};  // ports with an rx_fd are theirs
  std::string pmd_cpu_mask_;                 // last applied, main thread

  mutable std::shared_mutex flow_mutex_;
  DpFlowTable flows_;
  size_t flow_limit_ = kDefaultFlowLimit;

  mutable std::mutex handlers_mutex_;  // guards the handlers_ vector itself
  std::vector<std::unique_ptr<HandlerQueue>> handlers_;

  DpMeters meters_;
  // OVS_ACTION_ATTR_CT; ct_hook_ replaces it in tests.
  mutable conntrack::Conntrack ct_;
  std::function<Status(Packet&, Flow&, nl::Bytes)> ct_hook_;
  std::atomic<long long> next_ct_sweep_{0};

  std::atomic<uint64_t> n_hit_{0}, n_missed_{0}, n_lost_{0}, n_mask_hit_{0}, n_cache_hit_{0};
  bool destroyed_ = false;  // guarded by ports_mutex_
};

}  // namespace grebe::dpif

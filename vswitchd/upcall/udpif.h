// Udpif: the upcall machinery of one datapath (OVS's ofproto-dpif-upcall):
//
//  - handler threads (other_config:n-handler-threads) receive upcalls from
//    the datapath.  A miss is translated (xlate) through the bridge that
//    owns the input port; the handler installs the megaflow (the key with
//    the mask translation reported) and executes the packet.  An action
//    upcall (controller action) becomes a packet-in request for the main
//    thread.  Learned flows go to the main thread too.
//  - one revalidator thread dumps the datapath flows periodically and
//    whenever the tables changed (Backer::reconfigured()), re-translates
//    each one, deletes flows whose actions or mask changed and flows idle
//    for longer than max-idle, credits packet/byte deltas to the OpenFlow
//    rules, and enforces flow-limit.
//
// Ukeys (one per installed megaflow, by UFID) remember what we installed
// and the statistics already credited.
//
// Locks, in order: Backer::xlate_lock (shared, one translation at a time)
// -> Udpif::ukeys_mutex_ -> dpif internals.  Nothing is held while waiting
// for upcalls.  Work for the main thread is posted to its EventLoop.
//
// Threads: construct, configure and destroy on the main thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "connmgr/connmgr.h"
#include "grebe/dpif/dpif.h"
#include "ofproto/rule.h"
#include "ofproto_dpif/backer.h"

namespace grebe::event {
class EventLoop;
}

namespace grebe::upcall {

struct UdpifConfig {
  int n_handlers = 1;
  long long max_idle_msec = 10000;
  size_t flow_limit = 200000;
  long long revalidate_interval_msec = 500;
};

// What handlers and revalidators ask the main thread to do.  Each call is
// posted to the main loop; the sink runs there.
class UdpifSink {
 public:
  virtual ~UdpifSink() = default;
  // A controller action (or table miss to controller) fired on bridge
  // `bridge`: send this packet-in.
  virtual void packet_in(const std::string& bridge, connmgr::PacketInRequest pin) = 0;
  // Flow_mods from learn actions.
  virtual void learned(const std::string& bridge, std::vector<openflow::FlowMod> fms) = 0;
  // Statistics to credit: rule pointers of bridge `bridge` (they may have
  // been removed since: OfprotoTables::credit_stats checks).
  struct Credit {
    const ofproto::OfRule* rule;
    uint64_t packets, bytes;
    long long used;
  };
  virtual void credit(const std::string& bridge, std::vector<Credit> credits) = 0;
};

class Udpif {
 public:
  Udpif(std::shared_ptr<ofproto_dpif::Backer> backer, event::EventLoop& main_loop, UdpifSink& sink);
  ~Udpif();  // stops and joins the threads
  Udpif(const Udpif&) = delete;
  Udpif& operator=(const Udpif&) = delete;

  // (Re)starts the threads with `cfg`.  Main thread.
  void set_config(const UdpifConfig& cfg);
  const UdpifConfig& config() const { return cfg_; }

  // revalidator/wait: `done` runs on the main loop once a revalidation
  // pass that started after this call has finished.
  void wait_revalidation(std::function<void()> done);
  // revalidator/purge: deletes every datapath flow now.  Main thread.
  void purge();

  // upcall/show text for this datapath.
  std::string show() const;
  ofproto_dpif::Backer& backer() { return *backer_; }

 private:
  struct Ukey {
    dpif::Bytes key, mask, actions;
    std::vector<uint32_t> recirc_refs;  // released when the flow goes
    long long created = 0;
    uint64_t packets = 0, bytes = 0;  // already credited
  };
  struct UfidLess {
    bool operator()(const dpif::Ufid& a, const dpif::Ufid& b) const { return a.w < b.w; }
  };

  void start_threads();
  void stop_threads();
  void handler_main(uint32_t id);
  void handle_upcall(dpif::Upcall& upcall);
  void revalidator_main();
  void revalidate_once();
  void handle_controller_upcall(dpif::Upcall& upcall, const Flow& flow);
  void release(const Ukey& ukey);

  std::shared_ptr<ofproto_dpif::Backer> backer_;
  event::EventLoop& main_loop_;
  UdpifSink& sink_;
  UdpifConfig cfg_;

  std::vector<std::thread> handlers_;
  std::thread revalidator_;
  std::atomic<bool> exiting_{false};
  int stop_fd_ = -1;  // eventfd: wakes handlers when exiting

  mutable std::mutex ukeys_mutex_;
  std::map<dpif::Ufid, Ukey, UfidLess> ukeys_;

  // Revalidator scheduling.
  mutable std::mutex reval_mutex_;
  std::condition_variable reval_cv_;
  uint64_t reval_requests_ = 0;  // bumped by wait_revalidation / purge
  uint64_t reval_done_ = 0;      // requests covered by finished passes
  std::vector<std::pair<uint64_t, std::function<void()>>> waiters_;

  // Counters for upcall/show.
  std::atomic<uint64_t> n_upcalls_{0}, n_misses_{0}, n_action_upcalls_{0}, n_dumps_{0};
  std::atomic<uint64_t> last_dump_flows_{0}, max_n_flows_{0};
  std::atomic<long long> last_dump_duration_{0};
  std::atomic<size_t> flow_limit_{0};
};

}  // namespace grebe::upcall

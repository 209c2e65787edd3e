// Backer: the one datapath every bridge of a datapath type shares (OVS's
// dpif_backer): "system" bridges share "system@ovs-system", "dummy" ones
// "dummy@ovs-dummy", "netdev" ones "netdev@ovs-netdev".  It maps datapath
// ports to (bridge, OpenFlow port) so an upcall finds its bridge.
//
// Locking.  Translation (handler and revalidator threads, ofproto/trace)
// reads the bridges' tables, ports and groups; the main thread changes
// them.  `xlate_lock()` orders the two: translating threads hold it shared
// for one translation; the main thread holds it exclusively while it
// changes ports, frees removed rules (OfprotoTables::run) or swaps group
// tables.  (Flow_mods themselves need no exclusive hold: the classifier is
// versioned and removed rules stay allocated until run().)
// Lock order: Backer::xlate_lock -> Dpif internals.  Never held across a
// blocking call.
//
// Threads: created, reconfigured and destroyed on the main thread;
// lookup_port() from any thread holding xlate_lock (shared or exclusive).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "grebe/dpif/dpif.h"
#include "grebe/event/event_loop.h"
#include "grebe/util/result.h"
#include "xlate/recirc.h"

namespace grebe::ofproto_dpif {

class Ofproto;

class Backer {
 public:
  // The shared backer of `type` (the Bridge datapath_type, "system",
  // "netdev", "dummy"), opening datapath "ovs-<type>" on first use.
  // `provider` is the dpif provider that implements it (differs from
  // `type` under --enable-dummy=override).  Main thread.
  static Result<std::shared_ptr<Backer>> get(const std::string& type, const std::string& provider);
  // Every live backer, by type (dpif/show, dpctl).  Main thread.
  static std::vector<std::shared_ptr<Backer>> all();
  ~Backer();
  Backer(const Backer&) = delete;
  Backer& operator=(const Backer&) = delete;

  const std::string& type() const { return type_; }
  // "ovs-<type>".
  const std::string& dp_name() const { return dpif_->name(); }
  dpif::Dpif& dpif() { return *dpif_; }
  const dpif::Dpif& dpif() const { return *dpif_; }
  bool is_dummy() const { return provider_ == "dummy"; }

  std::shared_mutex& xlate_lock() const { return xlate_lock_; }
  // Recirculation ids of this datapath (thread-safe).
  xlate::RecircRegistry& recirc() const { return recirc_; }
  // Changes whenever something translation depends on changes (flow
  // tables, ports, groups): revalidators re-check flows.  Thread-safe.
  event::Seq& reconfigured() { return reconfigured_; }

  // Port ownership (main thread, xlate_lock held exclusively).
  void bind_port(dpif::OdpPort odp, Ofproto* ofproto, uint32_t ofp_port);
  void unbind_port(dpif::OdpPort odp);
  struct PortOwner {
    Ofproto* ofproto = nullptr;
    uint32_t ofp_port = 0;
  };
  // The bridge and OpenFlow port of datapath port `odp` (xlate_lock held).
  std::optional<PortOwner> lookup_port(dpif::OdpPort odp) const;

  // Bridges on this backer (main thread, or xlate_lock held).
  void add_ofproto(Ofproto* ofproto);
  void remove_ofproto(Ofproto* ofproto);
  const std::vector<Ofproto*>& ofprotos() const { return ofprotos_; }

 private:
  Backer(std::string type, std::string provider, std::unique_ptr<dpif::Dpif> dpif);

  const std::string type_, provider_;
  std::unique_ptr<dpif::Dpif> dpif_;
  mutable std::shared_mutex xlate_lock_;
  mutable xlate::RecircRegistry recirc_;
  event::Seq reconfigured_;
  std::map<dpif::OdpPort, PortOwner> ports_;
  std::vector<Ofproto*> ofprotos_;
};

}  // namespace grebe::ofproto_dpif

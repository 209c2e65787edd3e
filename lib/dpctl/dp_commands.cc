// Datapath and port commands: add-dp, del-dp, add-if, set-if, del-if,
// dump-dps, show.  Texts as OVS's lib/dpctl.c.
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>

#include "dpctl_private.h"
#include "grebe/dpif/netdev_dummy.h"
#include "grebe/netdev/netdev.h"

namespace grebe::dpctl {
namespace {

// Splits "name,key=value,key2" the way strtok_r(",") does: empty pieces
// vanish.
std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= s.size()) {
    size_t j = s.find(',', i);
    if (j == std::string::npos) j = s.size();
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

// "key=value" -> key, value ("" when there is no '=').  Like strtok_r("="),
// leading '='s are skipped.
void split_option(const std::string& opt, std::string* key, std::string* value) {
  size_t start = opt.find_first_not_of('=');
  if (start == std::string::npos) start = opt.size();
  size_t eq = opt.find('=', start);
  *key = opt.substr(start, eq == std::string::npos ? std::string::npos : eq - start);
  *value = eq == std::string::npos ? "" : opt.substr(eq + 1);
}

// atoi(), as OVS parses port_no (garbage reads as 0).
uint32_t atoi_port(const std::string& s) { return static_cast<uint32_t>(std::atoi(s.c_str())); }

}  // namespace

int cmd_add_dp(Ctx& ctx, const Args& argv) {
  std::unique_ptr<dpif::Dpif> dpif;
  int error = parsed_dpif_open(ctx, argv[1], true, &dpif);
  if (error) {
    ctx.error(error, "add_dp");
    return error;
  }
  dpif.reset();
  if (argv.size() > 2) error = cmd_add_if(ctx, argv);
  return error;
}

int cmd_del_dp(Ctx& ctx, const Args& argv) {
  std::unique_ptr<dpif::Dpif> dpif;
  int error = parsed_dpif_open(ctx, argv[1], false, &dpif);
  if (error) {
    ctx.error(error, "opening datapath");
    return error;
  }
  std::string full = dpif_name(*dpif);
  Status st = dpif->destroy();
  if (!st.ok()) {
    error = st.error().code();
    ctx.error(error, "del_dp");
  }
  dpif.reset();
  ctx.host.forget_datapath(full);
  return error;
}

int cmd_add_if(Ctx& ctx, const Args& argv) {
  std::unique_ptr<dpif::Dpif> dpif;
  int error = parsed_dpif_open(ctx, argv[1], false, &dpif);
  if (error) {
    ctx.error(error, "opening datapath");
    return error;
  }
  const std::string full = dpif_name(*dpif);
  int lasterror = 0;
  for (size_t i = 2; i < argv.size(); i++) {
    error = 0;
    std::vector<std::string> parts = split_commas(argv[i]);
    if (parts.empty()) {
      ctx.error(0, argv[i] + " is not a valid network device name");
      lasterror = EINVAL;
      continue;
    }
    const std::string& name = parts[0];
    std::string type = "system";
    std::optional<dpif::OdpPort> port_no;
    NetdevOptions args;
    for (size_t k = 1; k < parts.size(); k++) {
      std::string key, value;
      split_option(parts[k], &key, &value);
      if (key == "type") {
        type = value;
      } else if (key == "port_no") {
        port_no = atoi_port(value);
      } else if (!args.emplace(key, value).second) {
        ctx.error(0, "duplicate \"" + key + "\" option");
      }
    }

    auto netdev = ctx.host.open_netdev(name, type);
    if (!netdev.ok()) {
      error = netdev.error().code();
      ctx.error(error, name + ": failed to open network device");
      lasterror = error;
      continue;
    }
    Status st = ctx.host.set_netdev_config(**netdev, args);
    if (!st.ok()) {
      lasterror = st.error().code();
      continue;
    }
    auto added = dpif->port_add(**netdev, port_no);
    if (!added.ok()) {
      error = added.error().code();
      ctx.error(error, "adding " + name + " to " + argv[1] + " failed");
      lasterror = error;
      continue;
    }
    auto up = (*netdev)->update_flags(0, netdev::kUp);
    if (!up.ok()) {
      error = up.error().code();
      ctx.error(error, name + ": failed bringing interface up");
      lasterror = error;
    }
    ctx.host.attach_port(full, std::move(*netdev), std::move(args));
  }
  return lasterror;
}

int cmd_set_if(Ctx& ctx, const Args& argv) {
  std::unique_ptr<dpif::Dpif> dpif;
  int error = parsed_dpif_open(ctx, argv[1], false, &dpif);
  if (error) {
    ctx.error(error, "opening datapath");
    return error;
  }
  const std::string full = dpif_name(*dpif);
  int lasterror = 0;
  for (size_t i = 2; i < argv.size(); i++) {
    error = 0;
    std::vector<std::string> parts = split_commas(argv[i]);
    if (parts.empty()) {
      ctx.error(0, argv[i] + " is not a valid network device name");
      continue;
    }
    const std::string& name = parts[0];
    auto port = dpif->port_query(name);
    if (!port.ok()) {
      // Our Dpif says ENOENT for an unknown port name; OVS's providers say
      // ENODEV, and that is what gets printed.
      error = port.error().code() == ENOENT ? ENODEV : port.error().code();
      ctx.error(error, name + ": failed to query port in " + argv[1]);
      lasterror = error;
      continue;
    }
    NetdevOptions args = ctx.host.port_config(full, name);
    for (size_t k = 1; k < parts.size() && !error; k++) {
      std::string key, value;
      split_option(parts[k], &key, &value);
      if (key == "type") {
        if (value != port->type) {
          ctx.error(0, name + ": can't change type from " + port->type + " to " + value);
          error = EINVAL;
        }
      } else if (key == "port_no") {
        if (port->port_no != atoi_port(value)) {
          ctx.error(0, name + ": can't change port number from " +
                           std::to_string(port->port_no) + " to " +
                           std::to_string(std::atoi(value.c_str())));
          error = EINVAL;
        }
      } else if (value.empty()) {
        args.erase(key);
      } else {
        args[key] = value;
      }
    }
    if (!error) {
      // Reconfigure the device if we can reach it: ours, or a live dummy.
      netdev::Netdev* dev = ctx.host.port_netdev(full, name);
      if (!dev) dev = netdev::DummyNetdev::lookup(name);
      Status st = dev ? ctx.host.set_netdev_config(*dev, args) : ok_status();
      if (!st.ok()) {
        error = st.error().code();
        ctx.error(error, st.error().message().empty() ? "Error updating configuration"
                                                      : st.error().message());
      } else {
        ctx.host.set_port_config(full, name, args);
      }
    }
    if (error) lasterror = error;
  }
  return lasterror;
}

int cmd_del_if(Ctx& ctx, const Args& argv) {
  std::unique_ptr<dpif::Dpif> dpif;
  int error = parsed_dpif_open(ctx, argv[1], false, &dpif);
  if (error) {
    ctx.error(error, "opening datapath");
    return error;
  }
  const std::string full = dpif_name(*dpif);
  int lasterror = 0;
  for (size_t i = 2; i < argv.size(); i++) {
    const std::string& name = argv[i];
    dpif::OdpPort port;
    std::string devname;
    if (name.find_first_not_of("0123456789") == std::string::npos) {
      port = atoi_port(name);
      auto q = dpif->port_query(port);
      if (q.ok()) devname = q->name;
    } else {
      auto q = dpif->port_query(name);
      if (!q.ok()) {
        ctx.error(0, "no port named " + name);
        lasterror = ENOENT;
        continue;
      }
      port = q->port_no;
      devname = q->name;
    }
    Status st = dpif->port_del(port);
    if (!st.ok()) {
      error = st.error().code();
      ctx.error(error, "deleting port " + name + " from " + argv[1] + " failed");
      lasterror = error;
      continue;
    }
    if (!devname.empty()) ctx.host.detach_port(full, devname);
  }
  return lasterror;
}

namespace {

void dump_cb(Ctx& ctx, dpif::Dpif& dpif) { ctx.print(dpif_name(dpif) + "\n"); }

std::string stat(const char* leader, uint64_t value) {
  return leader + (value == UINT64_MAX ? std::string("?") : std::to_string(value));
}

std::string human_size(uint64_t value) {
  char buf[32] = "";
  if (value == UINT64_MAX) {
    // Unknown: nothing.
  } else if (value >= 1024ULL * 1024 * 1024 * 1024) {
    std::snprintf(buf, sizeof buf, " (%.1f TiB)", value / (1024.0 * 1024 * 1024 * 1024));
  } else if (value >= 1024ULL * 1024 * 1024) {
    std::snprintf(buf, sizeof buf, " (%.1f GiB)", value / (1024.0 * 1024 * 1024));
  } else if (value >= 1024ULL * 1024) {
    std::snprintf(buf, sizeof buf, " (%.1f MiB)", value / (1024.0 * 1024));
  } else if (value >= 1024) {
    std::snprintf(buf, sizeof buf, " (%.1f KiB)", value / 1024.0);
  }
  return buf;
}

// The netdev behind a port, to read its statistics: one dpctl attached, a
// live dummy device, or a fresh open.
netdev::Netdev* port_device(Ctx& ctx, const std::string& dp, const dpif::DpifPort& port,
                            std::unique_ptr<netdev::Netdev>* opened, int* error) {
  if (netdev::Netdev* d = ctx.host.port_netdev(dp, port.name)) return d;
  if (netdev::Netdev* d = netdev::DummyNetdev::lookup(port.name)) return d;
  auto r = netdev::Netdev::open(port.name, port.type);
  if (!r.ok()) {
    *error = r.error().code();
    return nullptr;
  }
  *opened = std::move(*r);
  return opened->get();
}

void show_port_stats(Ctx& ctx, const std::string& dp, const dpif::DpifPort& port) {
  std::unique_ptr<netdev::Netdev> opened;
  int error = 0;
  netdev::Netdev* dev = port_device(ctx, dp, port, &opened, &error);
  if (!dev) {
    ctx.print(", open failed (" + errno_string(error) + ")");
    return;
  }
  auto s = dev->get_stats();
  if (!s.ok()) {
    ctx.print(", could not retrieve stats (" + errno_string(s.error().code()) + ")");
    return;
  }
  // Counters a provider does not collect print as "?", as in OVS: dummy
  // devices report packets and bytes only; no provider reports the
  // overrun/frame/aborted/carrier detail yet.
  const bool dummy = port.type.rfind("dummy", 0) == 0;
  auto known = [dummy](uint64_t v) { return dummy ? UINT64_MAX : v; };
  std::string out;
  out += stat("    RX packets:", s->rx_packets);
  out += stat(" errors:", known(s->rx_errors));
  out += stat(" dropped:", known(s->rx_dropped));
  out += stat(" overruns:", UINT64_MAX);
  out += stat(" frame:", UINT64_MAX);
  out += "\n";
  out += stat("    TX packets:", s->tx_packets);
  out += stat(" errors:", known(s->tx_errors));
  out += stat(" dropped:", known(s->tx_dropped));
  out += stat(" aborted:", UINT64_MAX);
  out += stat(" carrier:", UINT64_MAX);
  out += "\n";
  out += stat("    collisions:", known(s->collisions));
  out += "\n";
  out += stat("    RX bytes:", s->rx_bytes);
  out += human_size(s->rx_bytes);
  out += stat("  TX bytes:", s->tx_bytes);
  out += human_size(s->tx_bytes);
  out += "\n";
  ctx.print(out);
}

// Whether a device reports option `key` back (netdev_get_config): dummy
// devices keep only their ifindex and stream settings, other devices
// everything they were configured with.
bool config_reported(const std::string& type, const std::string& key) {
  if (type.rfind("dummy", 0) != 0) return true;
  return key == "ifindex" || key == "pstream" || key == "stream";
}

void show_dpif(Ctx& ctx, dpif::Dpif& dpif) {
  const std::string full = dpif_name(dpif);
  std::string out = full + ":\n";
  dpif::DpStats st = dpif.stats();
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "  lookups: hit:%" PRIu64 " missed:%" PRIu64 " lost:%" PRIu64 "\n  flows: %" PRIu64
                "\n",
                st.n_hit, st.n_missed, st.n_lost, st.n_flows);
  out += buf;
  // Only the kernel datapath counts mask lookups (OVS's userspace datapath
  // reports them as unavailable, so nothing is printed).
  if (!is_userspace(dpif)) {
    uint64_t n_pkts = st.n_hit + st.n_missed;
    double avg = n_pkts ? static_cast<double>(st.n_mask_hit) / n_pkts : 0.0;
    std::snprintf(buf, sizeof buf, "  masks: hit:%" PRIu64 " total:%" PRIu32 " hit/pkt:%.2f\n",
                  st.n_mask_hit, static_cast<uint32_t>(st.n_masks), avg);
    out += buf;
    double rate = n_pkts ? static_cast<double>(st.n_cache_hit) / n_pkts * 100 : 0.0;
    std::snprintf(buf, sizeof buf, "  cache: hit:%" PRIu64 " hit-rate:%.2f%%\n", st.n_cache_hit,
                  rate);
    out += buf;
  }
  ctx.print(out);

  std::vector<dpif::DpifPort> ports = dpif.ports();
  std::sort(ports.begin(), ports.end(),
            [](const auto& a, const auto& b) { return a.port_no < b.port_no; });
  for (const dpif::DpifPort& port : ports) {
    std::string line = "  port " + std::to_string(port.port_no) + ": " + port.name;
    if (port.type != "system") {
      line += " (" + port.type;
      size_t j = 0;
      for (const auto& [k, v] : ctx.host.port_config(full, port.name)) {
        if (!config_reported(port.type, k)) continue;
        line += (j++ ? ", " : ": ") + k + "=" + v;
      }
      line += ")";
    }
    line += "\n";
    ctx.print(line);
    if (ctx.p.print_statistics) show_port_stats(ctx, full, port);
  }
}

}  // namespace

int cmd_dump_dps(Ctx& ctx, const Args&) { return dps_for_each(ctx, dump_cb); }

int cmd_show(Ctx& ctx, const Args& argv) {
  if (argv.size() <= 1) return dps_for_each(ctx, show_dpif);
  int lasterror = 0;
  for (size_t i = 1; i < argv.size(); i++) {
    std::unique_ptr<dpif::Dpif> dpif;
    int error = parsed_dpif_open(ctx, argv[i], false, &dpif);
    if (!error) {
      show_dpif(ctx, *dpif);
    } else {
      ctx.error(error, "opening datapath " + argv[i] + " failed");
      lasterror = error;
    }
  }
  return lasterror;
}

}  // namespace grebe::dpctl

// The dummy netdev.  See grebe/dpif/netdev_dummy.h.
#include "grebe/dpif/netdev_dummy.h"

#include <atomic>
#include <cctype>
#include <iterator>
#include <map>

#include "grebe/netlink/attr.h"
#include "grebe/odp/odp_flow.h"
#include "grebe/odp/odp_key.h"
#include "grebe/packet/flow_compose.h"
#include "grebe/util/clock.h"

namespace grebe::netdev {

namespace {

bool parse_hex(std::string_view s, std::vector<uint8_t>* out) {
  if (s.empty() || s.size() % 2) return false;
  for (size_t i = 0; i < s.size(); i += 2) {
    if (!std::isxdigit(static_cast<unsigned char>(s[i])) ||
        !std::isxdigit(static_cast<unsigned char>(s[i + 1]))) {
      return false;
    }
    out->push_back(static_cast<uint8_t>(std::stoi(std::string(s.substr(i, 2)), nullptr, 16)));
  }
  return true;
}
// Live devices by name, for lookup().  A later device with the same name
// shadows an earlier one until it goes away.
std::mutex registry_mutex;
std::multimap<std::string, DummyNetdev*, std::less<>>& registry() {
  static auto* r = new std::multimap<std::string, DummyNetdev*, std::less<>>;
  return *r;
}

}  // namespace

DummyNetdev* DummyNetdev::lookup(std::string_view name) {
  std::lock_guard lock(registry_mutex);
  auto [lo, hi] = registry().equal_range(name);
  return lo == hi ? nullptr : std::prev(hi)->second;
}

std::vector<std::string> DummyNetdev::names() {
  std::lock_guard lock(registry_mutex);
  std::vector<std::string> out;
  for (const auto& [name, dev] : registry()) {
    if (out.empty() || out.back() != name) out.push_back(name);
  }
  return out;
}

DummyNetdev::~DummyNetdev() {
  std::lock_guard lock(registry_mutex);
  for (auto it = registry().begin(); it != registry().end(); ++it) {
    if (it->second == this) {
      registry().erase(it);
      break;
    }
  }
}

std::unique_ptr<DummyNetdev> DummyNetdev::create(std::string name, std::string type) {
  auto d = std::unique_ptr<DummyNetdev>(new DummyNetdev(std::move(name), std::move(type)));
  {
    std::lock_guard lock(registry_mutex);
    registry().emplace(d->name_, d.get());
  }
  // OVS gives dummy devices aa:55:aa:55:00:xx addresses, xx counting up.
  static std::atomic<uint8_t> next{1};
  d->mac_.octets = {0xaa, 0x55, 0xaa, 0x55, 0x00, next++};
  return d;
}

Status DummyNetdev::receive(std::vector<uint8_t> frame) {
  std::lock_guard lock(mutex_);
  if (!(flags_ & kUp)) {
    stats_.rx_dropped++;
    return Error(ENETDOWN, name_ + ": device is down");
  }
  if (rx_pcap_) (void)rx_pcap_->write(frame.data(), frame.size(), time_wall_msec());
  if (rxq_.size() >= kMaxRxQueue) {
    stats_.rx_dropped++;
    return Error(ENOBUFS, name_ + ": receive queue full");
  }
  rxq_.push_back(std::move(frame));
  return ok_status();
}

Result<std::vector<uint8_t>> DummyNetdev::parse_packet(std::string_view s) {
  std::vector<uint8_t> frame;
  if (s.find_first_not_of(" \t") == std::string_view::npos) {
    return Error(EINVAL, "bad packet or flow syntax: empty packet");
  }
  if (parse_hex(s, &frame)) return frame;
  nl::AttrBuilder key;
  Status st = odp::odp_flow_from_string(s, key, nullptr);
  if (!st.ok()) return Error(EINVAL, "bad packet or flow syntax: " + st.error().message());
  Flow flow = make_flow();
  std::string err;
  if (odp::odp_flow_key_to_flow(key.bytes(), &flow, &err) == odp::OdpKeyFitness::kError) {
    return Error(EINVAL, "bad flow: " + err);
  }
  return flow_compose(flow);
}

std::vector<std::vector<uint8_t>> DummyNetdev::take_sent() {
  std::lock_guard lock(mutex_);
  std::vector<std::vector<uint8_t>> out(std::make_move_iterator(txq_.begin()),
                                        std::make_move_iterator(txq_.end()));
  txq_.clear();
  return out;
}

size_t DummyNetdev::n_sent() const {
  std::lock_guard lock(mutex_);
  return txq_.size();
}

Status DummyNetdev::set_config(const std::map<std::string, std::string>& options) {
  std::shared_ptr<PcapWriter> rx, tx;
  auto open = [](const std::string& path) -> Result<std::shared_ptr<PcapWriter>> {
    auto w = PcapWriter::create(path);
    if (!w.ok()) return w.take_error();
    return std::make_shared<PcapWriter>(std::move(*w));
  };
  if (auto it = options.find("pcap"); it != options.end()) {
    auto w = open(it->second);
    if (!w.ok()) return w.take_error();
    rx = tx = *w;
  } else {
    if (auto it = options.find("rxq_pcap"); it != options.end()) {
      auto w = open(it->second);
      if (!w.ok()) return w.take_error();
      rx = *w;
    }
    if (auto it = options.find("tx_pcap"); it != options.end()) {
      auto w = open(it->second);
      if (!w.ok()) return w.take_error();
      tx = *w;
    }
  }
  std::lock_guard lock(mutex_);
  rx_pcap_ = rx;
  tx_pcap_ = tx;
  return ok_status();
}

void DummyNetdev::set_admin_state(bool up) {
  std::lock_guard lock(mutex_);
  flags_ = up ? (flags_ | kUp) : (flags_ & ~uint32_t{kUp});
}

Result<int> DummyNetdev::get_mtu() const {
  std::lock_guard lock(mutex_);
  return mtu_;
}

Status DummyNetdev::set_mtu(int mtu) {
  if (mtu < 68 || mtu > 65535) return Error(EINVAL, "MTU out of range");
  std::lock_guard lock(mutex_);
  mtu_ = mtu;
  return ok_status();
}

Result<EthAddr> DummyNetdev::get_etheraddr() const {
  std::lock_guard lock(mutex_);
  return mac_;
}

Status DummyNetdev::set_etheraddr(const EthAddr& mac) {
  std::lock_guard lock(mutex_);
  mac_ = mac;
  return ok_status();
}

Result<uint32_t> DummyNetdev::get_flags() const {
  std::lock_guard lock(mutex_);
  return flags_;
}

Result<uint32_t> DummyNetdev::update_flags(uint32_t off, uint32_t on) {
  std::lock_guard lock(mutex_);
  uint32_t old = flags_;
  flags_ = (flags_ & ~off) | on;
  return old;
}

Result<bool> DummyNetdev::get_carrier() const {
  std::lock_guard lock(mutex_);
  return (flags_ & kUp) != 0;
}

Result<Stats> DummyNetdev::get_stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

Result<size_t> DummyNetdev::rx_recv(PacketBatch& batch) {
  std::lock_guard lock(mutex_);
  if (rxq_.empty()) return Error(EAGAIN);
  size_t n = 0;
  while (!rxq_.empty() && n < kMaxBurst) {
    stats_.rx_packets++;
    stats_.rx_bytes += rxq_.front().size();
    batch.push_back(Packet{std::move(rxq_.front()), {}});
    rxq_.pop_front();
    n++;
  }
  return n;
}

Result<size_t> DummyNetdev::send(const PacketBatch& batch) {
  std::lock_guard lock(mutex_);
  size_t n = 0;
  for (const Packet& p : batch) {
    if (!(flags_ & kUp)) {
      stats_.tx_dropped++;
      continue;
    }
    if (tx_pcap_) (void)tx_pcap_->write(p.data.data(), p.data.size(), time_wall_msec());
    txq_.push_back(p.data);
    stats_.tx_packets++;
    stats_.tx_bytes += p.data.size();
    n++;
  }
  return n;
}

}  // namespace grebe::netdev

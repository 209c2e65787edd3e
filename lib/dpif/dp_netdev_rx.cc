// Receive threads of the userspace datapath (OVS's PMD threads, but
// event-driven: this project runs on small machines, so a thread blocks in
// epoll when its ports are idle instead of spinning).  See dp_netdev.h.
#include <pthread.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdio>

#include "dp_netdev.h"
#include "grebe/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(dpif_netdev_rx);

namespace grebe::dpif {

namespace {
// Batches taken from one port before the next ready port gets its turn.
constexpr int kBatchesPerWake = 16;
// epoll timeout: only to notice stop/port changes missed by a wakeup.
constexpr int kIdleTimeoutMs = 500;
}  // namespace

Status DpNetdev::set_rx_threads(size_t n, const std::vector<int>& cpus) {
  stop_rx_threads();
  for (size_t i = 0; i < n; i++) {
    auto t = std::make_unique<RxThread>();
    t->epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
    t->wake_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (t->epoll_fd < 0 || t->wake_fd < 0) {
      Error e = errno_error("rx thread setup");
      if (t->epoll_fd >= 0) ::close(t->epoll_fd);
      if (t->wake_fd >= 0) ::close(t->wake_fd);
      stop_rx_threads();
      return e;
    }
    t->cpu = i < cpus.size() ? cpus[i] : -1;
    rx_threads_.push_back(std::move(t));
  }
  // Ports move from run() to the threads: make sure run() is not inside
  // one of them while a thread starts on it.
  {
    std::lock_guard run_lock(run_mutex_);
    rx_threads_on_ = n > 0;
  }
  for (size_t i = 0; i < rx_threads_.size(); i++) {
    RxThread* t = rx_threads_[i].get();
    t->thread = std::thread([this, t] { rx_thread_main(*t); });
    std::string name = "pmd-rx" + std::to_string(i % 1000);
    pthread_setname_np(t->thread.native_handle(), name.c_str());
  }
  if (n) VLOG_INFO("%s: %zu receive thread(s)", name_.c_str(), n);
  return ok_status();
}

Status DpNetdev::set_config(const std::map<std::string, std::string>& other_config) {
  if (type_ != "netdev") return ok_status();
  auto it = other_config.find("pmd-cpu-mask");
  std::string mask = it == other_config.end() ? "" : it->second;
  if (mask == pmd_cpu_mask_) return ok_status();
  std::vector<int> cpus;
  if (!mask.empty()) {
    std::string hex = mask.rfind("0x", 0) == 0 || mask.rfind("0X", 0) == 0 ? mask.substr(2) : mask;
    if (hex.empty() || hex.size() > 16 ||
        hex.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) {
      return Error(EINVAL, "pmd-cpu-mask: \"" + mask + "\" is not a hexadecimal CPU mask");
    }
    uint64_t bits = std::stoull(hex, nullptr, 16);
    for (int cpu = 0; cpu < 64; cpu++) {
      if (bits & (uint64_t{1} << cpu)) cpus.push_back(cpu);
    }
    if (cpus.empty()) return Error(EINVAL, "pmd-cpu-mask: no CPU selected");
  }
  pmd_cpu_mask_ = mask;
  VLOG_INFO("%s: pmd-cpu-mask %s", name_.c_str(), mask.empty() ? "(default)" : mask.c_str());
  return set_rx_threads(cpus.empty() ? 1 : cpus.size(), cpus);
}

void DpNetdev::stop_rx_threads() {
  for (auto& t : rx_threads_) t->stop = true;
  wake_rx_threads();
  for (auto& t : rx_threads_) {
    if (t->thread.joinable()) t->thread.join();
    ::close(t->epoll_fd);
    ::close(t->wake_fd);
  }
  rx_threads_.clear();
  rx_threads_on_ = false;
}

void DpNetdev::wake_rx_threads() {
  for (auto& t : rx_threads_) {
    uint64_t one = 1;
    ssize_t n = ::write(t->wake_fd, &one, sizeof one);
    (void)n;  // saturation only means "already woken"
  }
}

void DpNetdev::quiesce() {
  for (auto& t : rx_threads_) {
    std::lock_guard lock(t->busy);
  }
  std::lock_guard run_lock(run_mutex_);
}

// Rebuilds the thread's port list and epoll set: ports with an rx fd are
// spread over the threads round-robin in port-number order.  t.busy held.
void DpNetdev::rx_thread_sync_ports(RxThread& t) {
  size_t index = 0, n_threads = 1;
  for (size_t i = 0; i < rx_threads_.size(); i++) {
    if (rx_threads_[i].get() == &t) index = i;
  }
  n_threads = rx_threads_.size();
  // A fresh epoll set: fds of deleted ports may already be closed.
  ::close(t.epoll_fd);
  t.epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = UINT64_MAX;
  (void)::epoll_ctl(t.epoll_fd, EPOLL_CTL_ADD, t.wake_fd, &ev);
  t.ports.clear();
  std::shared_lock lock(ports_mutex_);
  t.gen = ports_gen_.load();
  size_t k = 0;
  for (const auto& [no, p] : ports_) {
    if (p.rx_fd < 0) continue;
    if (k++ % n_threads != index) continue;
    ev.data.u64 = t.ports.size();
    if (::epoll_ctl(t.epoll_fd, EPOLL_CTL_ADD, p.rx_fd, &ev) != 0) {
      VLOG_WARN("%s: cannot poll port %s: %s", name_.c_str(), p.name.c_str(),
                errno_string(errno).c_str());
      continue;
    }
    t.ports.emplace_back(no, p.netdev);
  }
}

void DpNetdev::rx_thread_main(RxThread& t) {
  if (t.cpu >= 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(t.cpu, &set);
    if (pthread_setaffinity_np(pthread_self(), sizeof set, &set) != 0) {
      VLOG_WARN("%s: cannot pin receive thread to cpu %d", name_.c_str(), t.cpu);
    }
  }
  {
    std::lock_guard lock(t.busy);
    rx_thread_sync_ports(t);
  }
  epoll_event events[16];
  while (!t.stop.load()) {
    int n = ::epoll_wait(t.epoll_fd, events, 16, kIdleTimeoutMs);
    t.n_wakeups.fetch_add(1, std::memory_order_relaxed);
    std::lock_guard lock(t.busy);
    if (t.gen != ports_gen_.load()) {
      rx_thread_sync_ports(t);
      continue;  // the events refer to the old port list
    }
    for (int i = 0; i < n; i++) {
      uint64_t idx = events[i].data.u64;
      if (idx == UINT64_MAX) {
        uint64_t v;
        ssize_t r = ::read(t.wake_fd, &v, sizeof v);
        (void)r;
        continue;
      }
      if (idx >= t.ports.size()) continue;
      auto [port_no, dev] = t.ports[idx];
      for (int b = 0; b < kBatchesPerWake; b++) {
        netdev::PacketBatch rx;
        auto got = dev->rx_recv(rx);
        if (!got.ok() || *got == 0) break;
        t.n_packets.fetch_add(rx.size(), std::memory_order_relaxed);
        t.n_batches.fetch_add(1, std::memory_order_relaxed);
        rx_batch(t.ctx, port_no, rx);
      }
    }
  }
}

std::string DpNetdev::pmd_stats_text() const {
  std::string out;
  char line[256];
  if (rx_threads_.empty()) {
    std::lock_guard run_lock(run_mutex_);
    std::snprintf(line, sizeof line, "main thread:\n  packets received: %llu\n",
                  static_cast<unsigned long long>(main_ctx_.n_packets));
    out += line;
  }
  for (size_t i = 0; i < rx_threads_.size(); i++) {
    const RxThread& t = *rx_threads_[i];
    uint64_t pk = t.n_packets.load(), b = t.n_batches.load();
    std::snprintf(line, sizeof line,
                  "pmd thread numa_id 0 core_id %d:\n  packets received: %llu\n"
                  "  avg. packets per output batch: %.2f\n  wakeups: %llu\n",
                  t.cpu, static_cast<unsigned long long>(pk), b ? double(pk) / double(b) : 0.0,
                  static_cast<unsigned long long>(t.n_wakeups.load()));
    out += line;
  }
  DpStats s = stats();
  std::snprintf(line, sizeof line,
                "  emc hits: %llu\n  megaflow hits: %llu\n  miss with success upcall: %llu\n"
                "  miss with failed upcall: %llu\n",
                static_cast<unsigned long long>(s.n_cache_hit),
                static_cast<unsigned long long>(s.n_hit - s.n_cache_hit),
                static_cast<unsigned long long>(s.n_missed - s.n_lost),
                static_cast<unsigned long long>(s.n_lost));
  out += line;
  return out;
}

std::string DpNetdev::pmd_rxq_text() const {
  std::string out;
  for (size_t i = 0; i < rx_threads_.size(); i++) {
    RxThread& t = *rx_threads_[i];
    std::lock_guard lock(t.busy);
    out += "pmd thread numa_id 0 core_id " + std::to_string(t.cpu) + ":\n";
    for (auto [no, dev] : t.ports) out += "  port: " + dev->name() + "  queue-id:  0\n";
  }
  return out;
}

}  // namespace grebe::dpif

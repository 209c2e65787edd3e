// dns_resolve(): getaddrinfo() with a cache, synchronous or in a detached
// background thread per pending name.  See grebe/stream/dns.h.
#include "grebe/stream/dns.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "grebe/util/clock.h"
#include "grebe/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(dns_resolve);

namespace grebe::stream {

namespace {

constexpr long long kCacheMsec = 60'000;

struct Entry {
  std::optional<std::string> addr;  // nullopt: did not resolve
  long long expires = 0;
  bool pending = false;  // a background lookup is running
};

struct Cache {
  std::mutex mutex;
  std::map<std::string, Entry, std::less<>> entries;
};

Cache& cache() {
  static Cache* c = new Cache;  // never destroyed: lookups may finish after exit starts
  return *c;
}

std::atomic<bool> g_is_daemon{false};

std::optional<std::string> lookup_family(const std::string& name, int family) {
  addrinfo hints{};
  hints.ai_family = family;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(name.c_str(), nullptr, &hints, &res) != 0 || !res) return std::nullopt;
  char buf[INET6_ADDRSTRLEN] = "";
  const void* addr = family == AF_INET
                         ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(res->ai_addr)->sin_addr)
                         : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(res->ai_addr)->sin6_addr);
  bool ok = inet_ntop(family, addr, buf, sizeof buf) != nullptr;
  freeaddrinfo(res);
  if (!ok) return std::nullopt;
  return std::string(buf);
}

// Blocking: A first, then AAAA, as OVS asks unbound.
std::optional<std::string> lookup(const std::string& name) {
  auto v4 = lookup_family(name, AF_INET);
  if (v4) return v4;
  return lookup_family(name, AF_INET6);
}

void store(const std::string& name, std::optional<std::string> addr) {
  if (addr) {
    VLOG_DBG("%s: resolved to %s", name.c_str(), addr->c_str());
  } else {
    VLOG_DBG("%s: failed to resolve", name.c_str());
  }
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  Entry& e = c.entries[name];
  e.addr = std::move(addr);
  e.expires = time_msec() + kCacheMsec;
  e.pending = false;
}

}  // namespace

void dns_resolve_init(bool is_daemon) { g_is_daemon = is_daemon; }

std::optional<std::string> dns_resolve(std::string_view name_view, bool* in_progress) {
  if (in_progress) *in_progress = false;
  std::string name(name_view);
  if (!g_is_daemon) {
    {
      Cache& c = cache();
      std::lock_guard<std::mutex> lock(c.mutex);
      auto it = c.entries.find(name);
      if (it != c.entries.end() && it->second.expires > time_msec()) return it->second.addr;
    }
    auto addr = lookup(name);
    store(name, addr);
    return addr;
  }

  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  Entry& e = c.entries[name];
  bool fresh = e.expires > time_msec();
  if (!fresh && !e.pending) {
    e.pending = true;
    std::thread([name] { store(name, lookup(name)); }).detach();
  }
  if (!e.addr && e.pending && in_progress) *in_progress = true;
  return e.addr;
}

void dns_flush_cache() {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  // Keep entries with a lookup running so its result has a home.
  for (auto it = c.entries.begin(); it != c.entries.end();) {
    it = it->second.pending ? std::next(it) : c.entries.erase(it);
  }
}

}  // namespace grebe::stream

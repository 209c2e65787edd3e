// dpctl/dump-conntrack text of a connection.  See grebe/conntrack/conntrack.h.
#include <arpa/inet.h>

#include <cinttypes>
#include <cstdio>

#include "grebe/conntrack/conntrack.h"

namespace grebe::conntrack {

namespace {

const char* proto_name(uint8_t p) {
  switch (p) {
    case 1: return "icmp";
    case 6: return "tcp";
    case 17: return "udp";
    case 58: return "icmpv6";
    case 132: return "sctp";
    default: return nullptr;
  }
}

std::string addr(const Tuple& t, const std::array<uint8_t, 16>& a) {
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(t.dl_type == 0x0800 ? AF_INET : AF_INET6, a.data(), buf, sizeof buf);
  return buf;
}

std::string tuple_text(const Tuple& t) {
  std::string s = "src=" + addr(t, t.src) + ",dst=" + addr(t, t.dst);
  if (t.proto == 1 || t.proto == 58) {
    s += ",id=" + std::to_string(t.sport) + ",type=" + std::to_string(t.dport >> 8) +
         ",code=" + std::to_string(t.dport & 0xff);
  } else if (t.proto == 6 || t.proto == 17 || t.proto == 132) {
    s += ",sport=" + std::to_string(t.sport) + ",dport=" + std::to_string(t.dport);
  }
  return s;
}

}  // namespace

std::string format_entry(const Entry& e, bool verbose) {
  std::string s;
  if (const char* n = proto_name(e.orig.proto))
    s = n;
  else
    s = std::to_string(e.orig.proto);
  s += ",orig=(" + tuple_text(e.orig) + "),reply=(" + tuple_text(e.reply) + ")";
  if (verbose) s += ",id=" + std::to_string(e.id);
  if (e.orig.zone) s += ",zone=" + std::to_string(e.orig.zone);
  if (verbose) s += ",timeout=" + std::to_string((e.expires_in_ms + 999) / 1000);
  if (e.mark) s += ",mark=" + std::to_string(e.mark);
  if (!e.label.is_zero()) {
    char buf[40];
    if (e.label.hi)
      std::snprintf(buf, sizeof buf, "0x%" PRIx64 "%016" PRIx64, e.label.hi, e.label.lo);
    else
      std::snprintf(buf, sizeof buf, "0x%" PRIx64, e.label.lo);
    s += std::string(",labels=") + buf;
  }
  if (e.orig.proto == 6) s += std::string(",protoinfo=(state=") + tcp_state_name(e.tcp_state) + ")";
  return s;
}

}  // namespace grebe::conntrack

// OVS-syntax IPv4/IPv6 address parsing.  See grebe/stream/inet.h.
#include "grebe/stream/inet.h"

#include <arpa/inet.h>
#include <net/if.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "grebe/stream/dns.h"
#include "grebe/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(socket_util);

namespace grebe::stream {

namespace {

// Splits "A:B" the way OVS does: a colon inside brackets does not count, and
// with two or more unbracketed colons the whole string is the host.
// `host_first` selects "HOST:PORT" (true) or "PORT:HOST" (false).
struct Tokens {
  std::optional<std::string> host, port;
};

std::string unbracket(std::string s) {
  if (!s.empty() && s.front() == '[') {
    s.erase(0, 1);
    if (!s.empty() && s.back() == ']') s.pop_back();
  }
  return s;
}

Tokens split_tokens(std::string_view s, bool host_first) {
  size_t colon = std::string_view::npos;
  bool in_brackets = false;
  int n_colons = 0;
  for (size_t i = 0; i < s.size(); i++) {
    if (s[i] == '[') {
      in_brackets = true;
    } else if (s[i] == ']') {
      in_brackets = false;
    } else if (s[i] == ':' && !in_brackets) {
      n_colons++;
      colon = i;
    }
  }
  Tokens t;
  if (n_colons > 1) {
    t.host = std::string(s);
    return t;
  }
  std::optional<std::string>& first = host_first ? t.host : t.port;
  std::optional<std::string>& second = host_first ? t.port : t.host;
  if (colon != std::string_view::npos) {
    second = unbracket(std::string(s.substr(colon + 1)));
    first = unbracket(std::string(s.substr(0, colon)));
  } else {
    first = unbracket(std::string(s));
  }
  return t;
}

Error parse_error(std::string msg) {
  VLOG_ERR("%s", msg.c_str());
  return Error(EAFNOSUPPORT, std::move(msg));
}

// Like OVS's str_to_int(): strtol semantics, the whole string consumed.
std::optional<long> parse_int(const std::string& s) {
  if (s.empty()) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  long v = strtol(s.c_str(), &end, 10);
  if (errno || *end != '\0' || end == s.c_str()) return std::nullopt;
  return v;
}

Result<sockaddr_storage> parse_v6(std::string host, int port, std::string_view target) {
  sockaddr_storage ss{};
  auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
  sin6->sin6_family = AF_INET6;
  sin6->sin6_port = htons(static_cast<uint16_t>(port));
  std::string scope;
  size_t pct = host.find('%');
  if (pct != std::string::npos) {
    scope = host.substr(pct + 1);
    host.resize(pct);
  }
  if (host.empty() || inet_pton(AF_INET6, host.c_str(), &sin6->sin6_addr) != 1) {
    // OVS fails here without a message of its own; say what went wrong.
    return parse_error(std::string(target) + ": bad IPv6 address \"" + host + "\"");
  }
  if (!scope.empty()) {
    if (scope.find_first_not_of("0123456789") == std::string::npos) {
      sin6->sin6_scope_id = static_cast<uint32_t>(atoi(scope.c_str()));
    } else {
      sin6->sin6_scope_id = if_nametoindex(scope.c_str());
      if (!sin6->sin6_scope_id) {
        return parse_error(std::string(target) + ": bad IPv6 scope \"" + scope + "\" (" +
                           errno_string(errno) + ")");
      }
    }
  }
  return ss;
}

// A host that is not an address literal: look it up, or say why not.
Result<std::string> resolve(const std::string& host, std::string_view target) {
  bool in_progress = false;
  auto addr = dns_resolve(host, &in_progress);
  if (addr) return *addr;
  std::string t(target);
  if (in_progress) {
    VLOG_DBG("%s: resolving \"%s\"", t.c_str(), host.c_str());
    return Error(EAGAIN, t + ": host name \"" + host + "\" is being resolved");
  }
  return parse_error(t + ": could not resolve host name \"" + host + "\"");
}

Result<sockaddr_storage> parse_components(const std::optional<std::string>& host_in,
                                          const std::optional<std::string>& port_s,
                                          int default_port, std::string_view target,
                                          bool resolve_host) {
  std::optional<std::string> host = host_in;
  int port = default_port;
  if (port_s && !port_s->empty()) {
    auto v = parse_int(*port_s);
    if (!v || *v < 0 || *v > 65535) {
      return parse_error(std::string(target) + ": bad port number \"" + *port_s + "\"");
    }
    port = static_cast<int>(*v);
  } else if (default_port < 0) {
    return parse_error(std::string(target) + ": port must be specified");
  }

  if (host && host->find(':') != std::string::npos) return parse_v6(*host, port, target);

  sockaddr_storage ss{};
  auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
  sin->sin_family = AF_INET;
  sin->sin_port = htons(static_cast<uint16_t>(port));
  if (host && inet_pton(AF_INET, host->c_str(), &sin->sin_addr) != 1) {
    if (!resolve_host || host->empty()) {
      return parse_error(std::string(target) + ": bad IP address \"" + *host + "\"");
    }
    auto addr = resolve(*host, target);
    if (!addr.ok()) return addr.take_error();
    return parse_components(*addr, port_s, default_port, target, false);
  }
  return ss;
}

}  // namespace

Result<sockaddr_storage> inet_parse_active(std::string_view target, int default_port,
                                           bool resolve_host) {
  Tokens t = split_tokens(target, true);
  if (!t.host) return parse_error(std::string(target) + ": host must be specified");
  if (!t.port && default_port < 0) {
    return parse_error(std::string(target) + ": port must be specified");
  }
  return parse_components(t.host, t.port, default_port, target, resolve_host);
}

Result<sockaddr_storage> inet_parse_passive(std::string_view target, int default_port,
                                            bool resolve_host) {
  Tokens t = split_tokens(target, false);
  if (!t.port && default_port < 0) {
    return parse_error(std::string(target) + ": port must be specified");
  }
  return parse_components(t.host, t.port, default_port, target, resolve_host);
}

std::string ss_format_ip(const sockaddr_storage& ss) {
  char buf[INET6_ADDRSTRLEN];
  if (ss.ss_family == AF_INET) {
    const auto* sin = reinterpret_cast<const sockaddr_in*>(&ss);
    return inet_ntop(AF_INET, &sin->sin_addr, buf, sizeof buf) ? buf : "";
  }
  if (ss.ss_family == AF_INET6) {
    const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&ss);
    std::string s = inet_ntop(AF_INET6, &sin6->sin6_addr, buf, sizeof buf) ? buf : "";
    if (sin6->sin6_scope_id) s += "%" + std::to_string(sin6->sin6_scope_id);
    return s;
  }
  return {};
}

std::string ss_format_address(const sockaddr_storage& ss) {
  std::string ip = ss_format_ip(ss);
  return ss.ss_family == AF_INET6 ? "[" + ip + "]" : ip;
}

uint16_t ss_get_port(const sockaddr_storage& ss) {
  if (ss.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&ss)->sin_port);
  if (ss.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&ss)->sin6_port);
  }
  return 0;
}

socklen_t ss_length(const sockaddr_storage& ss) {
  switch (ss.ss_family) {
    case AF_INET:
      return sizeof(sockaddr_in);
    case AF_INET6:
      return sizeof(sockaddr_in6);
    default:
      return sizeof ss;
  }
}

}  // namespace grebe::stream

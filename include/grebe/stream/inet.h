// IPv4/IPv6 socket address parsing and formatting in OVS's syntax.
//
//   active  "HOST[:PORT]"   host required; "1.2.3.4:6653", "[::1]:6653"
//   passive "[PORT][:HOST]" "6653", "6653:127.0.0.1", "0:[::1]", ":1.2.3.4"
//
// IPv6 addresses may be bracketed; an unbracketed string with two or more
// colons is taken as a bare IPv6 host ("::1:2:3:4:80" is a host, not host +
// port).  An IPv6 host may carry a scope ("fe80::1%eth0" or "%2").
//
// With `resolve_host`, a host that is not an address literal is looked up
// with dns_resolve() (grebe/stream/dns.h); without it, it is a bad address.
//
// Errors are EAFNOSUPPORT with OVS's log text as the message, e.g.
// "1.2.3.4: port must be specified"; EAGAIN while a daemon's background
// DNS lookup for the host is still running.  Thread-safe.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "grebe/util/result.h"

namespace grebe::stream {

// `default_port` < 0 makes the port mandatory.
Result<sockaddr_storage> inet_parse_active(std::string_view target, int default_port,
                                           bool resolve_host = false);
Result<sockaddr_storage> inet_parse_passive(std::string_view target, int default_port,
                                            bool resolve_host = false);

// "1.2.3.4", "::1" (no brackets), "fe80::1%2".
std::string ss_format_ip(const sockaddr_storage& ss);
// "1.2.3.4", "[::1]": as OVS prints addresses next to ports.
std::string ss_format_address(const sockaddr_storage& ss);
uint16_t ss_get_port(const sockaddr_storage& ss);
socklen_t ss_length(const sockaddr_storage& ss);

}  // namespace grebe::stream

// Host-name resolution for tcp:/ssl: names, as OVS's dns-resolve does it:
// a command-line tool resolves synchronously; a daemon (after
// dns_resolve_init(true)) never blocks its loop: an unknown name starts a
// background lookup and the caller retries later (the reconnect backoff
// does that naturally).  IPv4 (A) answers are preferred over IPv6.
//
// Results are cached for 60 s (getaddrinfo() gives no TTL); in daemon mode
// an expired entry is still returned while it is refreshed in the
// background.  Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace grebe::stream {

// Daemons call this once at startup with true.  Default: synchronous.
void dns_resolve_init(bool is_daemon);

// The address of `name` as text ("192.0.2.1", "2001:db8::1"), or nullopt.
// With nullopt, *in_progress (if non-null) tells whether a background
// lookup is still running (retry later) or the name does not resolve.
std::optional<std::string> dns_resolve(std::string_view name, bool* in_progress = nullptr);

// Drops every cached answer (tests).
void dns_flush_cache();

}  // namespace grebe::stream

// SSL/TLS configuration for ssl: and pssl: streams (OpenSSL).
//
// Like OVS, the configuration is process-wide: one private key, one
// certificate and one CA certificate serve every SSL stream (OVS's
// --private-key, --certificate, --ca-cert, --bootstrap-ca-cert,
// --peer-ca-cert, --ssl-protocols, --ssl-ciphers options, and the
// Open_vSwitch SSL table).  Peers are always verified against the CA
// certificate, unless the CA cert file is "none" (OVS's escape hatch, logged
// as a security risk).  TLS 1.2 is the minimum version.
//
// Setters may be called repeatedly (a daemon calls them on every
// reconfiguration): a file is re-read only when its name or modification
// time changed.  Each new ssl:/pssl: stream also re-checks the files'
// modification times, so rotated keys are picked up without a restart.
//
// Bootstrap (ssl_set_ca_cert_file(file, true) with `file` missing): the
// first successful client connection takes the peer's self-signed CA
// certificate from the chain it presents, saves it to `file`, trusts it from
// then on, and drops that first connection (EPROTO) so the caller retries
// with verification on, exactly as OVS does.
//
// The first SSL session sets SIGPIPE to SIG_IGN process-wide (as OVS's
// fatal-signal module does): OpenSSL writes with write(2), and a vanished
// peer must give EPIPE, not kill the process.
//
// Thread-safety: all functions may be called from any thread; the
// configuration is guarded by one internal mutex (a leaf lock).  Errors are
// logged in OVS's words and also returned.
#pragma once

#include <string>
#include <string_view>

#include "grebe/util/result.h"

namespace grebe::stream {

// True once any of key, certificate or CA cert has been set.
bool ssl_is_configured();

// Record a PEM file and load it (again, if its name or mtime changed).
// Errors: ENOPROTOOPT with OpenSSL's reason ("SSL_use_PrivateKey_file:
// ..."), also logged; the name stays configured, so a file that appears or
// is fixed later is picked up by the next stream open.
Status ssl_set_private_key_file(std::string_view file_name);
Status ssl_set_certificate_file(std::string_view file_name);
Status ssl_set_key_and_cert(std::string_view private_key_file,
                            std::string_view certificate_file);
// "none" disables peer verification.  `bootstrap`: see above.
Status ssl_set_ca_cert_file(std::string_view file_name, bool bootstrap);
// A CA certificate sent to peers along with ours, so that they can
// bootstrap their CA cert from it.
Status ssl_set_peer_ca_cert_file(std::string_view file_name);
// "TLSv1.2,TLSv1.3" (space, comma or tab separated; case-insensitive).
// Versions below TLSv1.2 are refused.  EINVAL "TLSv9: SSL protocol not
// recognized" / "SSL protocol settings invalid".
Status ssl_set_protocols(std::string_view protocols);
// An OpenSSL cipher list ("HIGH:!aNULL:!MD5" is the default).
Status ssl_set_ciphers(std::string_view ciphers);

// Applies one of the SSL command-line options every OVS tool takes, given
// its long name without dashes: "private-key" (-p), "certificate" (-c),
// "ca-cert" (-C), "bootstrap-ca-cert", "peer-ca-cert", "ssl-protocols",
// "ssl-ciphers".  Returns false if `option` is not one of them.  A bad value
// is logged (as OVS does) and reported through `status` if non-null.
bool ssl_handle_option(std::string_view option, std::string_view value,
                       Status* status = nullptr);

// Forgets all configuration (tests; and a daemon whose SSL row is deleted).
void ssl_reset();

}  // namespace grebe::stream

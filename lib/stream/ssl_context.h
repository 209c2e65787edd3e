// The process-wide SSL configuration as seen by SSL streams (internal).
//
// The configuration builds an immutable SSL_CTX snapshot; each SSL session
// takes a reference to the snapshot current when it was created, so a
// reconfiguration never changes a handshake in flight.
#pragma once

#include <openssl/ssl.h>

#include <string>

#include "grebe/util/result.h"

namespace grebe::stream::detail {

// A new SSL session on connected (or connecting) socket `fd`.  Checks that
// key, certificate and CA cert are configured (ENOPROTOOPT with OVS's
// message otherwise) and re-reads changed files first.
struct SslSession {
  SSL* ssl;
  bool bootstrap;  // created while bootstrapping the CA cert: unverified
};
Result<SslSession> ssl_new_session(int fd, bool client);
// Checks the configuration without creating a session (pssl: open).
Status ssl_check_configured();

// After a handshake of a bootstrap session: saves the peer's CA cert and
// trusts it.  Always returns an error (the connection is dropped so that it
// is retried with verification), EPROTO unless a file operation failed.
Error ssl_finish_bootstrap(SSL* ssl);

// Drains OpenSSL's error queue into one line ("error:0A000086:SSL
// routines::certificate verify failed"), or "" if it is empty.
std::string ssl_error_queue_string();

}  // namespace grebe::stream::detail

// SSL configuration: files, protocols, ciphers, and the SSL_CTX snapshot
// built from them.  See grebe/stream/ssl.h.
#include "ssl_context.h"

#include <fcntl.h>
#include <signal.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <mutex>
#include <vector>

#include "grebe/stream/ssl.h"
#include "grebe/util/vlog.h"
#include "log_modules.h"

namespace grebe::stream::detail {
::grebe::vlog::Module stream_ssl_module("stream_ssl");
}  // namespace grebe::stream::detail
STREAM_USE_LOG_MODULE(stream_ssl_module);

namespace grebe::stream {

namespace {

constexpr const char* kDefaultCiphers = "HIGH:!aNULL:!MD5";

struct ConfigFile {
  std::string name;  // "" = not configured
  timespec mtime{};  // of the file when last read
  bool read = false;  // loaded successfully
};

struct Config {
  std::mutex mutex;
  ConfigFile private_key, certificate, ca_cert, peer_ca_cert;
  bool bootstrap_requested = false;
  bool bootstrapping = false;  // CA file missing: take it from the first peer
  bool verify_peer = true;
  int min_version = TLS1_2_VERSION;
  int max_version = 0;  // 0 = highest supported
  std::string ciphers = kDefaultCiphers;
  SSL_CTX* ctx = nullptr;  // current snapshot, rebuilt when `dirty`
  bool dirty = true;
};

Config& config() {
  static Config* c = new Config;  // never destroyed: streams may outlive main()
  return *c;
}

timespec file_mtime(const std::string& name) {
  struct stat st;
  if (::stat(name.c_str(), &st) != 0) return timespec{};
  return st.st_mtim;
}

bool same_time(const timespec& a, const timespec& b) {
  return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

// True if `f` must be (re)read: it is configured, and its mtime changed.
bool file_changed(const ConfigFile& f) {
  return !f.name.empty() && !same_time(f.mtime, file_mtime(f.name));
}

Error ssl_fail(std::string msg) {
  VLOG_ERR("%s", msg.c_str());
  return Error(ENOPROTOOPT, std::move(msg));
}

Status load_key(SSL_CTX* ctx, ConfigFile& f) {
  f.mtime = file_mtime(f.name);
  f.read = SSL_CTX_use_PrivateKey_file(ctx, f.name.c_str(), SSL_FILETYPE_PEM) == 1;
  if (!f.read) {
    return ssl_fail("SSL_use_PrivateKey_file: " + detail::ssl_error_queue_string());
  }
  return ok_status();
}

Status load_certificate(SSL_CTX* ctx, ConfigFile& f) {
  f.mtime = file_mtime(f.name);
  f.read = SSL_CTX_use_certificate_chain_file(ctx, f.name.c_str()) == 1;
  if (!f.read) {
    return ssl_fail("SSL_use_certificate_file: " + detail::ssl_error_queue_string());
  }
  return ok_status();
}

void log_ca_cert(const std::string& file_name, X509* cert) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  std::string fp;
  if (X509_digest(cert, EVP_sha1(), digest, &n)) {
    char hex[4];
    for (unsigned int i = 0; i < n; i++) {
      snprintf(hex, sizeof hex, i ? ":%02x" : "%02x", digest[i]);
      fp += hex;
    }
  }
  char* subject = X509_NAME_oneline(X509_get_subject_name(cert), nullptr, 0);
  VLOG_INFO("Trusting CA cert from %s (%s) (fingerprint %s)", file_name.c_str(),
            subject ? subject : "<unknown>", fp.c_str());
  OPENSSL_free(subject);
}

Status load_ca_cert(Config& c, SSL_CTX* ctx) {
  ConfigFile& f = c.ca_cert;
  f.mtime = file_mtime(f.name);
  if (f.name == "none") {
    c.verify_peer = false;
    c.bootstrapping = false;
    f.read = true;
    return ok_status();
  }
  c.verify_peer = true;
  struct stat st;
  if (c.bootstrap_requested && ::stat(f.name.c_str(), &st) != 0 && errno == ENOENT) {
    c.bootstrapping = true;
    f.read = false;
    return ok_status();
  }
  c.bootstrapping = false;
  STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(f.name.c_str());
  if (!names) {
    f.read = false;
    return ssl_fail("failed to load client certificates from " + f.name + ": " +
                    detail::ssl_error_queue_string());
  }
  SSL_CTX_set_client_CA_list(ctx, names);
  if (SSL_CTX_load_verify_locations(ctx, f.name.c_str(), nullptr) != 1) {
    f.read = false;
    return ssl_fail("SSL_CTX_load_verify_locations: " + detail::ssl_error_queue_string());
  }
  f.read = true;
  return ok_status();
}

Status load_peer_ca_cert(SSL_CTX* ctx, ConfigFile& f) {
  f.mtime = file_mtime(f.name);
  FILE* file = fopen(f.name.c_str(), "r");
  if (!file) {
    f.read = false;
    return ssl_fail("failed to open " + f.name + " for reading: " + errno_string(errno));
  }
  // Every certificate in the file goes into the chain we present.
  int n = 0;
  while (X509* cert = PEM_read_X509(file, nullptr, nullptr, nullptr)) {
    if (SSL_CTX_add_extra_chain_cert(ctx, cert) != 1) {
      X509_free(cert);
      fclose(file);
      return ssl_fail("SSL_CTX_add_extra_chain_cert: " + detail::ssl_error_queue_string());
    }
    n++;
  }
  ERR_clear_error();  // the read loop ends with a "no start line" error
  fclose(file);
  f.read = n > 0;
  if (!f.read) return ssl_fail("PEM_read_X509 failed reading " + f.name);
  return ok_status();
}

// Builds a new SSL_CTX from `c`.  Returns the first load error, but always
// installs the new context: whatever did load is usable.
Status rebuild(Config& c) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_method());
  if (!ctx) return ssl_fail("SSL_CTX_new: " + detail::ssl_error_queue_string());
  SSL_CTX_set_min_proto_version(ctx, c.min_version);
  SSL_CTX_set_max_proto_version(ctx, c.max_version);
  // A peer that closes TCP without close_notify is seen as end of stream.
  SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_dh_auto(ctx, 1);

  Status first = ok_status();
  auto keep = [&first](Status s) {
    if (first.ok() && !s.ok()) first = std::move(s);
  };
  if (SSL_CTX_set_cipher_list(ctx, c.ciphers.c_str()) != 1) {
    keep(ssl_fail("SSL_CTX_set_cipher_list: " + detail::ssl_error_queue_string()));
  }
  if (!c.private_key.name.empty()) keep(load_key(ctx, c.private_key));
  if (!c.certificate.name.empty()) keep(load_certificate(ctx, c.certificate));
  if (!c.ca_cert.name.empty()) keep(load_ca_cert(c, ctx));
  if (!c.peer_ca_cert.name.empty()) keep(load_peer_ca_cert(ctx, c.peer_ca_cert));

  if (c.ctx) SSL_CTX_free(c.ctx);
  c.ctx = ctx;
  c.dirty = false;
  return first;
}

// Rebuilds if a setter changed something or a file changed on disk.
// Caller holds c.mutex.
void refresh(Config& c) {
  if (c.dirty || file_changed(c.private_key) || file_changed(c.certificate) ||
      file_changed(c.ca_cert) || file_changed(c.peer_ca_cert)) {
    (void)rebuild(c);
  }
}

Status set_file(ConfigFile Config::*member, std::string_view file_name) {
  Config& c = config();
  std::lock_guard<std::mutex> lock(c.mutex);
  ConfigFile& f = c.*member;
  if (f.name == file_name && !file_changed(f) && !c.dirty) return ok_status();
  f.name = std::string(file_name);
  return rebuild(c);
}

}  // namespace

bool ssl_is_configured() {
  Config& c = config();
  std::lock_guard<std::mutex> lock(c.mutex);
  return !c.private_key.name.empty() || !c.certificate.name.empty() || !c.ca_cert.name.empty();
}

Status ssl_set_private_key_file(std::string_view file_name) {
  return set_file(&Config::private_key, file_name);
}

Status ssl_set_certificate_file(std::string_view file_name) {
  return set_file(&Config::certificate, file_name);
}

Status ssl_set_key_and_cert(std::string_view private_key_file,
                            std::string_view certificate_file) {
  // The key and the certificate must change together or OpenSSL rejects the
  // mismatched pair, so record both before loading either.
  Config& c = config();
  std::lock_guard<std::mutex> lock(c.mutex);
  if (c.private_key.name == private_key_file && c.certificate.name == certificate_file &&
      !file_changed(c.private_key) && !file_changed(c.certificate) && !c.dirty) {
    return ok_status();
  }
  c.private_key.name = std::string(private_key_file);
  c.certificate.name = std::string(certificate_file);
  return rebuild(c);
}

Status ssl_set_ca_cert_file(std::string_view file_name, bool bootstrap) {
  Config& c = config();
  std::lock_guard<std::mutex> lock(c.mutex);
  if (c.ca_cert.name == file_name && c.bootstrap_requested == bootstrap &&
      !file_changed(c.ca_cert) && !c.dirty) {
    return ok_status();
  }
  c.ca_cert.name = std::string(file_name);
  c.bootstrap_requested = bootstrap;
  Status s = rebuild(c);
  if (file_name == "none") VLOG_WARN("Peer certificate validation disabled (this is a security risk)");
  return s;
}

Status ssl_set_peer_ca_cert_file(std::string_view file_name) {
  return set_file(&Config::peer_ca_cert, file_name);
}

Status ssl_set_protocols(std::string_view protocols) {
  int lo = 0, hi = 0;
  std::string s(protocols);
  char* save = nullptr;
  bool any_word = false;
  for (char* w = strtok_r(s.data(), " ,\t", &save); w; w = strtok_r(nullptr, " ,\t", &save)) {
    any_word = true;
    int v;
    if (!strcasecmp(w, "TLSv1.2")) {
      v = TLS1_2_VERSION;
    } else if (!strcasecmp(w, "TLSv1.3")) {
      v = TLS1_3_VERSION;
    } else if (!strcasecmp(w, "TLSv1") || !strcasecmp(w, "TLSv1.1")) {
      VLOG_WARN("%s: SSL protocol older than TLSv1.2 is not supported, ignoring", w);
      continue;
    } else {
      std::string msg = std::string(w) + ": SSL protocol not recognized";
      VLOG_ERR("%s", msg.c_str());
      return Error(EINVAL, msg);
    }
    lo = lo ? std::min(lo, v) : v;
    hi = std::max(hi, v);
  }
  if (!any_word || !lo) {
    VLOG_ERR("SSL protocol settings invalid");
    return Error(EINVAL, "SSL protocol settings invalid");
  }
  Config& c = config();
  std::lock_guard<std::mutex> lock(c.mutex);
  if (c.min_version != lo || c.max_version != hi) {
    c.min_version = lo;
    c.max_version = hi;
    c.dirty = true;
  }
  return ok_status();
}

Status ssl_set_ciphers(std::string_view ciphers) {
  // Validate on a scratch context so a bad list leaves the old one in force.
  SSL_CTX* scratch = SSL_CTX_new(TLS_method());
  bool ok = scratch && SSL_CTX_set_cipher_list(scratch, std::string(ciphers).c_str()) == 1;
  SSL_CTX_free(scratch);
  if (!ok) return ssl_fail("SSL_CTX_set_cipher_list: " + detail::ssl_error_queue_string());
  Config& c = config();
  std::lock_guard<std::mutex> lock(c.mutex);
  if (c.ciphers != ciphers) {
    c.ciphers = std::string(ciphers);
    c.dirty = true;
  }
  return ok_status();
}

void ssl_reset() {
  Config& c = config();
  std::lock_guard<std::mutex> lock(c.mutex);
  c.private_key = c.certificate = c.ca_cert = c.peer_ca_cert = ConfigFile{};
  c.bootstrap_requested = c.bootstrapping = false;
  c.verify_peer = true;
  c.min_version = TLS1_2_VERSION;
  c.max_version = 0;
  c.ciphers = kDefaultCiphers;
  if (c.ctx) SSL_CTX_free(c.ctx);
  c.ctx = nullptr;
  c.dirty = true;
}

namespace detail {

std::string ssl_error_queue_string() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

namespace {

// Caller holds c.mutex.
Status check_configured_locked(Config& c) {
  refresh(c);
  // Log every missing piece, as OVS does, and return the first.
  Status result = ok_status();
  auto missing = [&result](const char* what) {
    Error e = ssl_fail(std::string(what) + " must be configured to use SSL");
    if (result.ok()) result = e;
  };
  if (!c.private_key.read) missing("Private key");
  if (!c.certificate.read) missing("Certificate");
  if (!c.ca_cert.read && c.verify_peer && !c.bootstrapping) missing("CA certificate");
  if (result.ok() && SSL_CTX_check_private_key(c.ctx) != 1) {
    result = ssl_fail("Private key does not match certificate public key: " +
                      ssl_error_queue_string());
  }
  return result;
}

}  // namespace

Status ssl_check_configured() {
  Config& c = config();
  std::lock_guard<std::mutex> lock(c.mutex);
  return check_configured_locked(c);
}

Result<SslSession> ssl_new_session(int fd, bool client) {
  // OpenSSL writes to the socket with write(2), so a peer that went away
  // would kill us with SIGPIPE.  OVS ignores SIGPIPE process-wide; so do we.
  static std::once_flag ignore_sigpipe;
  std::call_once(ignore_sigpipe, [] { signal(SIGPIPE, SIG_IGN); });

  Config& c = config();
  std::lock_guard<std::mutex> lock(c.mutex);
  GREBE_TRY(check_configured_locked(c));
  SSL* ssl = SSL_new(c.ctx);  // holds its own reference to the snapshot
  if (!ssl) return ssl_fail("SSL_new: " + ssl_error_queue_string());
  if (SSL_set_fd(ssl, fd) != 1) {
    SSL_free(ssl);
    return ssl_fail("SSL_set_fd: " + ssl_error_queue_string());
  }
  bool bootstrap = c.bootstrapping && client;
  if (!c.verify_peer || bootstrap) SSL_set_verify(ssl, SSL_VERIFY_NONE, nullptr);
  return SslSession{ssl, bootstrap};
}

Error ssl_finish_bootstrap(SSL* ssl) {
  Config& c = config();
  std::lock_guard<std::mutex> lock(c.mutex);
  if (!c.bootstrapping) {
    // Another connection finished the bootstrap first; this one was never
    // verified against the CA it saved, so it must go.
    VLOG_INFO("rejecting SSL connection during bootstrap race window");
    return Error(EPROTO, "rejecting SSL connection during bootstrap race window");
  }
  STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl);
  if (!chain || !sk_X509_num(chain)) {
    VLOG_ERR("could not bootstrap CA cert: no certificate presented by peer");
    return Error(EPROTO, "could not bootstrap CA cert: no certificate presented by peer");
  }
  X509* cert = sk_X509_value(chain, sk_X509_num(chain) - 1);
  int issued = X509_check_issued(cert, cert);
  if (issued != X509_V_OK) {
    std::string msg = std::string("could not bootstrap CA cert: obtained certificate is "
                                  "not self-signed (") +
                      X509_verify_cert_error_string(issued) + ")";
    VLOG_ERR("%s", msg.c_str());
    if (sk_X509_num(chain) < 2) {
      VLOG_ERR("only one certificate was received, so probably the peer is not "
               "configured to send its CA certificate");
    }
    return Error(EPROTO, msg);
  }
  const std::string& file = c.ca_cert.name;
  int fd = ::open(file.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0444);
  if (fd < 0) {
    int err = errno;
    if (err == EEXIST) {
      VLOG_INFO("reading CA cert %s created by another process", file.c_str());
      (void)rebuild(c);
      return Error(EPROTO, "CA cert " + file + " created by another process");
    }
    std::string msg = "could not bootstrap CA cert: creating " + file + " failed: " +
                      errno_string(err);
    VLOG_ERR("%s", msg.c_str());
    return Error(err, msg);
  }
  FILE* out = fdopen(fd, "w");
  bool ok = out && PEM_write_X509(out, cert) == 1;
  if (out) ok = (fclose(out) == 0) && ok;
  else ::close(fd);
  if (!ok) {
    std::string msg = "could not bootstrap CA cert: writing " + file + " failed";
    VLOG_ERR("%s", msg.c_str());
    ::unlink(file.c_str());
    return Error(EIO, msg);
  }
  VLOG_INFO("successfully bootstrapped CA cert to %s", file.c_str());
  log_ca_cert(file, cert);
  (void)rebuild(c);  // the file now exists: load it and verify from now on
  VLOG_INFO("killing successful connection to retry using CA cert");
  return Error(EPROTO, "killing successful connection to retry using CA cert");
}

}  // namespace detail

}  // namespace grebe::stream

// Tool-facing helpers: --help text for connection methods, SSL options, and
// protocol mix-up detection.
#include <cstdint>
#include <string>

#include "grebe/stream/ssl.h"
#include "grebe/stream/stream.h"
#include "grebe/util/vlog.h"
#include "log_modules.h"

STREAM_USE_LOG_MODULE(stream_module);

namespace grebe::stream {

std::string stream_usage(std::string_view name, bool active, bool passive, bool bootstrap) {
  std::string n(name);
  std::string out = "\n";
  if (active) {
    out += "Active " + n + " connection methods:\n";
    out += "  tcp:HOST:PORT           PORT at remote HOST\n";
    out += "  ssl:HOST:PORT           SSL PORT at remote HOST\n";
    out += "  unix:FILE               Unix domain socket named FILE\n";
  }
  if (passive) {
    out += "Passive " + n + " connection methods:\n";
    out += "  ptcp:PORT[:IP]          listen to TCP PORT on IP\n";
    out += "  pssl:PORT[:IP]          listen for SSL on PORT on IP\n";
    out += "  punix:FILE              listen on Unix domain socket FILE\n";
  }
  out +=
      "PKI configuration (required to use SSL):\n"
      "  -p, --private-key=FILE  file with private key\n"
      "  -c, --certificate=FILE  file with certificate for private key\n"
      "  -C, --ca-cert=FILE      file with peer CA certificate\n";
  if (bootstrap) {
    out += "  --bootstrap-ca-cert=FILE  file with peer CA certificate to read or create\n";
  }
  out +=
      "SSL options:\n"
      "  --ssl-protocols=PROTOS  list of SSL protocols to enable\n"
      "  --ssl-ciphers=CIPHERS   list of SSL ciphers to enable\n";
  return out;
}

bool ssl_handle_option(std::string_view option, std::string_view value, Status* status) {
  Status s;
  if (option == "private-key" || option == "p") {
    s = ssl_set_private_key_file(value);
  } else if (option == "certificate" || option == "c") {
    s = ssl_set_certificate_file(value);
  } else if (option == "ca-cert" || option == "C") {
    s = ssl_set_ca_cert_file(value, false);
  } else if (option == "bootstrap-ca-cert") {
    s = ssl_set_ca_cert_file(value, true);
  } else if (option == "peer-ca-cert") {
    s = ssl_set_peer_ca_cert_file(value);
  } else if (option == "ssl-protocols") {
    s = ssl_set_protocols(value);
  } else if (option == "ssl-ciphers") {
    s = ssl_set_ciphers(value);
  } else {
    return false;
  }
  if (status) *status = std::move(s);
  return true;
}

ContentType guess_content(const void* data, size_t n) {
  if (n < 2) return ContentType::kUnknown;
  const auto* p = static_cast<const uint8_t*>(data);
  if (p[0] == 0x16 && p[1] == 0x03) return ContentType::kSsl;  // TLS handshake record
  if (p[0] == '{' && p[1] == '"') return ContentType::kJsonRpc;
  if (p[0] == 0x01 && p[1] == 0x00) return ContentType::kOpenFlow;  // OF1.0 hello
  return ContentType::kUnknown;
}

const char* content_type_name(ContentType type) {
  switch (type) {
    case ContentType::kJsonRpc: return "JSON-RPC";
    case ContentType::kOpenFlow: return "OpenFlow";
    case ContentType::kSsl: return "SSL";
    case ContentType::kUnknown: break;
  }
  return "unknown";
}

void report_content(const void* data, size_t n, ContentType expected,
                    std::string_view stream_name) {
  static vlog::RateLimit rl(5, 5);
  ContentType actual = guess_content(data, n);
  if (actual != expected && actual != ContentType::kUnknown) {
    VLOG_WARN_RL(&rl, "%.*s: received %s data on %s channel", static_cast<int>(stream_name.size()),
                 stream_name.data(), content_type_name(actual), content_type_name(expected));
  }
}

}  // namespace grebe::stream

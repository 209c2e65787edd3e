// --bundle: sends flow/group mods inside one atomic, ordered bundle and
// prints the errors the switch reports (OVS: vconn_bundle_transact() and
// ovs-ofctl's bundle_print_errors()).
#include <cstdio>

#include "conn.h"
#include "grebe/openflow/bundle.h"
#include "grebe/openflow/ofp_errors.h"
#include "grebe/openflow/ofp_msgs.h"
#include "grebe/openflow/ofp_print.h"
#include "grebe/util/byteorder.h"

namespace grebe::ofctl {

using namespace grebe::openflow;
using vconn::OfpMsg;

namespace {

bool is_error(const OfpMsg& m) { return m.size() >= kOfpHeaderLen && m[1] == kOfptError; }

// Sends one bundle control request and checks the reply (OVS
// vconn_bundle_control_transact()); an error reply goes to `errors`.
Status control_transact(Conn& c, BundleCtrl& bc, uint16_t type, std::vector<OfpMsg>& errors) {
  bc.type = type;
  uint32_t xid = c.vc->next_xid();
  auto req = encode_bundle_ctrl(c.version(), bc, xid);
  if (!req.ok()) return req.error();
  if (Status s = c.vc->send_block(std::move(*req)); !s.ok()) return s;
  auto reply = c.vc->recv_xid(xid, &errors);
  if (!reply.ok()) return reply.error();
  if (is_error(*reply)) {
    errors.push_back(std::move(*reply));
    return Error(EPROTO, "");
  }
  auto got = decode_bundle_ctrl(reply->data(), reply->size());
  if (!got.ok() || got->bundle_id != bc.bundle_id || got->type != type + 1)
    return Error(EPROTO, "");
  return Status();
}

// Collects errors that already arrived without blocking, so the socket
// buffer does not fill with them while adds are still being sent.
void drain_errors(Conn& c, std::vector<OfpMsg>& errors) {
  for (;;) {
    auto m = c.vc->recv();
    if (!m.ok()) return;
    if (is_error(*m)) errors.push_back(std::move(*m));
  }
}

Status bundle_transact_(Conn& c, const std::vector<OfpMsg>& requests, uint16_t flags,
                        std::vector<OfpMsg>& errors) {
  BundleCtrl bc;
  bc.flags = flags;
  if (Status s = control_transact(c, bc, kBundleOpenRequest, errors); !s.ok()) return s;
  Status st;
  for (const OfpMsg& r : requests) {
    auto add = encode_bundle_add(c.version(), bc.bundle_id, bc.flags, r);
    if (!add.ok()) {
      st = add.error();
      break;
    }
    st = c.vc->send_block(std::move(*add));
    if (!st.ok()) break;
    drain_errors(c, errors);
  }
  if (st.ok()) {
    // A failed add is only left out of the bundle, so sync before deciding
    // whether to commit.
    uint32_t xid = c.vc->next_xid();
    st = c.vc->send_block(encode_barrier(false, c.version(), xid));
    if (st.ok()) {
      auto r = c.vc->recv_xid(xid, &errors);
      if (!r.ok()) st = r.error();
    }
  }
  if (st.ok() && !errors.empty()) st = Error(EPROTO, "");
  if (st.ok()) return control_transact(c, bc, kBundleCommitRequest, errors);
  (void)control_transact(c, bc, kBundleDiscardRequest, errors);
  return st;
}

const char* error_name(const OfpMsg& e, size_t* payload) {
  if (e.size() < 12) return nullptr;
  *payload = 12;
  const char* n = ofperr_decode(e[0], load_be16(&e[8]), load_be16(&e[10]));
  if (!n && load_be16(&e[8]) == 0xffff && e.size() >= 16) {
    n = ofperr_decode_experimenter(e[0], load_be32(&e[12]), load_be16(&e[10]));
    *payload = 16;
  }
  return n;
}

void print_errors(const Options& opts, const std::vector<OfpMsg>& errors,
                  const std::vector<OfpMsg>& requests) {
  size_t next = 0;  // errors come back in request order; search onward
  for (const OfpMsg& e : errors) {
    size_t payload = 0;
    const char* name = error_name(e, &payload);
    if (!name) {
      std::fputs("***decode error***", stderr);
      continue;
    }
    const uint8_t* msg = e.data() + payload;
    size_t len = e.size() - payload;
    uint32_t xid = load_be32(&e[4]);
    for (size_t i = next; i < requests.size(); ++i) {
      if (requests[i].size() >= 8 && load_be32(&requests[i][4]) == xid) {
        msg = requests[i].data();
        len = requests[i].size();
        next = i + 1;
        break;
      }
    }
    std::string text = ofp_to_string(msg, len, opts.verbosity + 1);
    std::fprintf(stderr, "Error %s for: %s", name, text.c_str());
  }
  std::fflush(stderr);
}

}  // namespace

int bundle_transact(const Options& opts, Conn& c, const std::vector<OfpMsg>& requests) {
  std::vector<OfpMsg> errors;
  Status st = bundle_transact_(c, requests, kBundleOrdered | kBundleAtomic, errors);
  print_errors(opts, errors, requests);
  if (!st.ok()) {
    const Error& e = st.error();
    std::string why = e.code() == EPROTO || e.message().empty() ? errno_string(e.code())
                                                                : e.to_string();
    return fail("talking to " + c.vc->name() + " (" + why + ")");
  }
  return 0;
}

}  // namespace grebe::ofctl

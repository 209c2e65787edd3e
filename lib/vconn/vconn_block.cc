// Blocking helpers for command-line tools: poll(2) on the vconn's fd until
// the non-blocking operation completes.  See grebe/vconn/vconn.h.
#include <poll.h>

#include <climits>

#include "grebe/openflow/ofp_msgs.h"
#include "grebe/util/byteorder.h"
#include "grebe/util/clock.h"
#include "grebe/util/vlog.h"
#include "grebe/vconn/vconn.h"

VLOG_DEFINE_THIS_MODULE(vconn_block);

namespace grebe::vconn {

namespace {

vlog::RateLimit xid_rl(60, 60);

long long deadline_after(long long timeout_msec) {
  return timeout_msec < 0 ? LLONG_MAX : time_msec() + timeout_msec;
}

uint32_t xid_of(const OfpMsg& m) { return load_be32(m.data() + 4); }

}  // namespace

// Waits until fd() is ready for what the vconn waits for, or `deadline`.
// Returns ETIMEDOUT past the deadline.
Status Vconn::wait_poll(bool want_recv, long long deadline) {
  if (want_recv && recv_pending()) return ok_status();
  short events = 0;
  uint32_t want = wait_events(want_recv);
  if (want & 0x001) events |= POLLIN;
  if (want & 0x004) events |= POLLOUT;
  if (!events) return ok_status();  // nothing to wait for: retry at once
  long long now = time_msec();
  if (now >= deadline) return Error(ETIMEDOUT);
  int timeout = deadline == LLONG_MAX ? -1 : static_cast<int>(std::min(deadline - now, 1000LL));
  struct pollfd pfd = {fd(), events, 0};
  if (::poll(&pfd, 1, timeout) < 0 && errno != EINTR) return errno_error("poll");
  return ok_status();
}

Result<std::unique_ptr<Vconn>> Vconn::open_block(std::string_view name, uint32_t allowed_versions,
                                                 uint8_t dscp, long long timeout_msec) {
  auto v = open(name, allowed_versions, dscp);
  if (!v.ok()) return v;
  GREBE_TRY((*v)->connect_block(timeout_msec));
  return v;
}

Status Vconn::connect_block(long long timeout_msec) {
  long long deadline = deadline_after(timeout_msec);
  for (;;) {
    Status s = connect();
    if (s.ok() || !s.error().would_block()) return s;
    run();
    if (time_msec() > deadline) return Error(ETIMEDOUT);
    GREBE_TRY(wait_poll(false, deadline));
  }
}

Status Vconn::send_block(OfpMsg msg) {
  GREBE_TRY(connect_block());
  GREBE_TRY(send(std::move(msg)));
  while (tx_backlog()) {
    run();
    if (status()) return Error(status(), retval_to_string(status()));
    if (!tx_backlog()) break;
    GREBE_TRY(wait_poll(false, LLONG_MAX));
  }
  return ok_status();
}

Result<OfpMsg> Vconn::recv_block() {
  for (;;) {
    auto r = recv();
    if (r.ok() || !r.error().would_block()) return r;
    run();
    GREBE_TRY(wait_poll(true, LLONG_MAX));
  }
}

Result<OfpMsg> Vconn::recv_xid(uint32_t xid, std::vector<OfpMsg>* errors) {
  for (;;) {
    auto r = recv_block();
    if (!r.ok()) return r;
    uint32_t got = xid_of(*r);
    if (got == xid) return r;
    if (errors && (*r)[1] == openflow::kOfptError) {
      errors->push_back(std::move(*r));
    } else {
      VLOG_DBG_RL(&xid_rl, "%s: received reply with xid %08x != expected %08x", name().c_str(), got,
                  xid);
    }
  }
}

Result<OfpMsg> Vconn::transact(OfpMsg request) {
  if (request.size() < openflow::kOfpHeaderLen) return Error(EINVAL, "short request");
  uint32_t xid = xid_of(request);
  GREBE_TRY(send_block(std::move(request)));
  return recv_xid(xid);
}

Result<std::optional<OfpMsg>> Vconn::transact_noreply(OfpMsg request) {
  GREBE_TRY(connect_block());
  if (request.size() < openflow::kOfpHeaderLen) return Error(EINVAL, "short request");
  uint32_t request_xid = xid_of(request);
  uint32_t barrier_xid = next_xid();
  if (barrier_xid == request_xid) barrier_xid = next_xid();
  GREBE_TRY(send_block(std::move(request)));
  GREBE_TRY(
      send_block(openflow::encode_barrier(false, static_cast<uint8_t>(version()), barrier_xid)));
  std::optional<OfpMsg> reply;
  for (;;) {
    auto r = recv_block();
    if (!r.ok()) return r.take_error();
    uint32_t got = xid_of(*r);
    if (got == request_xid) {
      if (!reply) reply = std::move(*r);
    } else if (got == barrier_xid) {
      return reply;
    } else {
      VLOG_DBG_RL(&xid_rl, "%s: received reply with xid %08x not in {%08x, %08x}", name().c_str(),
                  got, request_xid, barrier_xid);
    }
  }
}

Result<std::optional<OfpMsg>> Vconn::transact_multiple_noreply(std::vector<OfpMsg> requests) {
  for (auto& request : requests) {
    auto r = transact_noreply(std::move(request));
    if (!r.ok() || r->has_value()) return r;
  }
  return std::optional<OfpMsg>();
}

Result<std::vector<OfpMsg>> Vconn::transact_multipart(OfpMsg request) {
  if (request.size() < openflow::kOfpHeaderLen) return Error(EINVAL, "short request");
  uint32_t xid = xid_of(request);
  GREBE_TRY(send_block(std::move(request)));
  std::vector<OfpMsg> replies;
  for (;;) {
    auto r = recv_xid(xid);
    if (!r.ok()) return r.take_error();
    bool is_error = (*r)[1] == openflow::kOfptError;
    // Every version puts the multipart flags right after the 2-byte type.
    bool more = !is_error && r->size() >= 12 && (load_be16(r->data() + 10) & 1);
    replies.push_back(std::move(*r));
    if (!more) return replies;
  }
}

Status Vconn::barrier() {
  GREBE_TRY(connect_block());
  auto r = transact(openflow::encode_barrier(false, static_cast<uint8_t>(version()), next_xid()));
  if (!r.ok()) return r.take_error();
  if ((*r)[1] == openflow::kOfptError) return Error(EPROTO, "barrier request failed");
  return ok_status();
}

}  // namespace grebe::vconn

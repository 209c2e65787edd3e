// Generic netlink socket over libnl-genl-3 (see grebe/netlink/genl_socket.h).
//
// libnl is used to open/connect the socket, to resolve families and groups,
// and to fill in message headers; replies are read with recv() on the fd and
// split here, so the datagram parsing is ours and unit-testable.
#include "grebe/netlink/genl_socket.h"

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/errno.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/socket.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

#include "grebe/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(genl_socket);

namespace grebe::nl {

namespace {

// libnl returns its own NLE_* codes; map the ones that matter to errno.
int nle_to_errno(int nle) {
  switch (nle < 0 ? -nle : nle) {
    case NLE_AGAIN:
      return EAGAIN;
    case NLE_NOMEM:
      return ENOMEM;
    case NLE_EXIST:
      return EEXIST;
    case NLE_INVAL:
      return EINVAL;
    case NLE_RANGE:
      return ERANGE;
    case NLE_MSGSIZE:
      return EMSGSIZE;
    case NLE_OPNOTSUPP:
      return EOPNOTSUPP;
    case NLE_OBJ_NOTFOUND:
      return ENOENT;
    case NLE_NOACCESS:
    case NLE_PERM:
      return EPERM;
    case NLE_BUSY:
      return EBUSY;
    case NLE_NODEV:
      return ENODEV;
    case NLE_BAD_SOCK:
      return EBADF;
    default:
      return EIO;
  }
}

Error nl_error(std::string what, int nle) {
  return Error(nle_to_errno(nle), what + ": " + nl_geterror(nle));
}

}  // namespace

Bytes GenlMessage::attrs(size_t user_hdr_len) const {
  if (payload.size() < user_hdr_len) return {};
  return Bytes(payload).subspan(user_hdr_len);
}

Result<std::unique_ptr<GenlSocket>> GenlSocket::open() {
  nl_sock* sock = nl_socket_alloc();
  if (!sock) return Error(ENOMEM, "nl_socket_alloc failed");
  int err = genl_connect(sock);
  if (err < 0) {
    nl_socket_free(sock);
    return nl_error("genl_connect", err);
  }
  // We match replies to requests ourselves.
  nl_socket_disable_seq_check(sock);
  return std::unique_ptr<GenlSocket>(new GenlSocket(sock));
}

GenlSocket::~GenlSocket() { nl_socket_free(sock_); }

int GenlSocket::fd() const { return nl_socket_get_fd(sock_); }

Status GenlSocket::set_recv_buffer_size(int bytes) {
  if (setsockopt(fd(), SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) == 0) {
    return ok_status();
  }
  if (setsockopt(fd(), SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes) == 0) return ok_status();
  return errno_error("setting netlink receive buffer size");
}
uint32_t GenlSocket::local_port() const { return nl_socket_get_local_port(sock_); }

Result<uint16_t> GenlSocket::resolve_family(std::string_view name) {
  std::string n(name);
  int id = genl_ctrl_resolve(sock_, n.c_str());
  if (id < 0) {
    if (-id == NLE_OBJ_NOTFOUND) {
      return Error(ENOENT, "Generic Netlink family '" + n + "' not found");
    }
    return nl_error("resolving Generic Netlink family '" + n + "'", id);
  }
  return static_cast<uint16_t>(id);
}

Result<uint32_t> GenlSocket::resolve_mcgroup(std::string_view family, std::string_view group) {
  std::string f(family), g(group);
  int id = genl_ctrl_resolve_grp(sock_, f.c_str(), g.c_str());
  if (id < 0) {
    if (-id == NLE_OBJ_NOTFOUND) {
      return Error(ENOENT,
                   "Generic Netlink multicast group '" + g + "' of family '" + f + "' not found");
    }
    return nl_error("resolving multicast group '" + g + "'", id);
  }
  return static_cast<uint32_t>(id);
}

Status GenlSocket::join_mcgroup(uint32_t group) {
  int err = nl_socket_add_membership(sock_, static_cast<int>(group));
  if (err < 0) return nl_error("joining multicast group " + std::to_string(group), err);
  return ok_status();
}

Status GenlSocket::send(uint16_t family, uint8_t cmd, uint8_t version, Bytes payload,
                        uint16_t flags, uint32_t* seq) {
  nl_msg* msg = nlmsg_alloc_size(NLMSG_HDRLEN + GENL_HDRLEN + payload.size() + 64);
  if (!msg) return Error(ENOMEM, "nlmsg_alloc failed");
  Status st;
  if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, flags, cmd, version) ||
      (payload.size() &&
       nlmsg_append(msg, const_cast<uint8_t*>(payload.data()), payload.size(), 0) < 0)) {
    st = Error(EMSGSIZE, "genetlink message too large");
  } else {
    int err = nl_send_auto(sock_, msg);
    if (err < 0) st = nl_error("sending genetlink request", err);
    *seq = nlmsg_hdr(msg)->nlmsg_seq;
  }
  nlmsg_free(msg);
  return st;
}

Result<std::vector<GenlMessage>> GenlSocket::recv(bool wait) {
  // Peek with MSG_TRUNC to learn the datagram size, then read it whole.
  int flags = wait ? 0 : MSG_DONTWAIT;
  uint8_t probe;
  ssize_t len;
  do {
    len = ::recv(fd(), &probe, 1, flags | MSG_PEEK | MSG_TRUNC);
  } while (len < 0 && errno == EINTR);
  if (len < 0) return errno_error("netlink receive");
  std::vector<uint8_t> buf(static_cast<size_t>(len));
  do {
    len = ::recv(fd(), buf.data(), buf.size(), flags);
  } while (len < 0 && errno == EINTR);
  if (len < 0) return errno_error("netlink receive");
  buf.resize(static_cast<size_t>(len));
  return split_genl_datagram(buf);
}

Result<std::vector<GenlMessage>> GenlSocket::collect(uint32_t seq) {
  std::vector<GenlMessage> replies;
  for (;;) {
    auto msgs = recv(true);
    if (!msgs.ok()) return msgs.take_error();
    for (GenlMessage& m : *msgs) {
      if (m.seq != seq) {
        VLOG_DBG("dropping netlink message with seq %u (want %u)", m.seq, seq);
        continue;
      }
      if (m.nlmsg_type == NLMSG_DONE) return replies;
      if (m.nlmsg_type == NLMSG_ERROR) return replies;  // the ack
      // transact() asks for an ack and a dump ends with NLMSG_DONE, so
      // both keep reading until that terminator.
      replies.push_back(std::move(m));
    }
  }
}

Result<std::vector<GenlMessage>> GenlSocket::transact(uint16_t family, uint8_t cmd, uint8_t version,
                                                      Bytes payload, uint16_t extra_flags) {
  uint32_t seq = 0;
  GREBE_TRY(send(family, cmd, version, payload, NLM_F_REQUEST | NLM_F_ACK | extra_flags, &seq));
  return collect(seq);
}

Result<std::vector<GenlMessage>> GenlSocket::dump(uint16_t family, uint8_t cmd, uint8_t version,
                                                  Bytes payload) {
  uint32_t seq = 0;
  GREBE_TRY(send(family, cmd, version, payload, NLM_F_REQUEST | NLM_F_DUMP, &seq));
  return collect(seq);
}

Result<std::vector<GenlMessage>> split_genl_datagram(Bytes dgram) {
  std::vector<GenlMessage> out;
  size_t pos = 0;
  while (dgram.size() - pos >= sizeof(nlmsghdr)) {
    nlmsghdr h;
    std::memcpy(&h, dgram.data() + pos, sizeof h);
    if (h.nlmsg_len < sizeof h || h.nlmsg_len > dgram.size() - pos) {
      return Error(EPROTO, "netlink message with bad length " + std::to_string(h.nlmsg_len));
    }
    Bytes body = dgram.subspan(pos + NLMSG_HDRLEN, h.nlmsg_len - NLMSG_HDRLEN);
    GenlMessage m;
    m.nlmsg_type = h.nlmsg_type;
    m.nlmsg_flags = h.nlmsg_flags;
    m.seq = h.nlmsg_seq;
    m.pid = h.nlmsg_pid;
    if (h.nlmsg_type == NLMSG_ERROR) {
      int32_t error = 0;
      if (body.size() < sizeof error) return Error(EPROTO, "truncated netlink error message");
      std::memcpy(&error, body.data(), sizeof error);
      if (error != 0) {
        int code = error < 0 ? -error : error;
        return Error(code, "netlink error reply");
      }
    } else if (h.nlmsg_type != NLMSG_DONE && h.nlmsg_type != NLMSG_NOOP) {
      if (body.size() < GENL_HDRLEN) return Error(EPROTO, "truncated genetlink message");
      m.cmd = body[0];
      m.version = body[1];
      m.payload.assign(body.begin() + GENL_HDRLEN, body.end());
    }
    out.push_back(std::move(m));
    pos += NLMSG_ALIGN(h.nlmsg_len);
  }
  return out;
}

}  // namespace grebe::nl

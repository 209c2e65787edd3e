// rtnetlink link statistics and link-change monitoring.  See
// grebe/netdev/link_monitor.h.
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "grebe/netdev/link_monitor.h"
#include "grebe/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(netdev_rtnl);

namespace grebe::netdev {

namespace {

constexpr size_t align4(size_t n) { return (n + 3) & ~size_t(3); }

// Calls `fn(type, payload, len)` for each attribute in [p, p+len); stops
// at the first malformed one.
template <class F>
void for_each_attr(const uint8_t* p, size_t len, F fn) {
  while (len >= sizeof(rtattr)) {
    rtattr a;
    std::memcpy(&a, p, sizeof a);
    if (a.rta_len < sizeof(rtattr) || a.rta_len > len) return;
    fn(a.rta_type & NLA_TYPE_MASK, p + sizeof(rtattr), a.rta_len - sizeof(rtattr));
    size_t step = align4(a.rta_len);
    if (step >= len) return;
    p += step;
    len -= step;
  }
}

// Decodes one RTM_NEWLINK/RTM_DELLINK body; false if too short.
bool parse_link(const nlmsghdr& h, const uint8_t* body, size_t len, LinkChange& c,
                rtnl_link_stats64* stats) {
  if (len < sizeof(ifinfomsg)) return false;
  ifinfomsg ifi;
  std::memcpy(&ifi, body, sizeof ifi);
  c.ifindex = ifi.ifi_index;
  c.removed = h.nlmsg_type == RTM_DELLINK;
  c.up = ifi.ifi_flags & IFF_UP;
  c.carrier = ifi.ifi_flags & IFF_LOWER_UP;
  size_t off = align4(sizeof ifi);
  if (off > len) return true;
  for_each_attr(body + off, len - off, [&](unsigned type, const uint8_t* v, size_t n) {
    if (type == IFLA_IFNAME)
      c.name.assign(reinterpret_cast<const char*>(v), strnlen(reinterpret_cast<const char*>(v), n));
    if (type == IFLA_STATS64 && stats && n >= sizeof *stats) std::memcpy(stats, v, sizeof *stats);
  });
  return true;
}

// Walks the netlink messages in `buf`; calls `fn(hdr, body, len)` for
// link messages and returns the first NLMSG_ERROR code (0 if none).
template <class F>
int for_each_msg(const uint8_t* buf, size_t len, F fn) {
  while (len >= sizeof(nlmsghdr)) {
    nlmsghdr h;
    std::memcpy(&h, buf, sizeof h);
    if (h.nlmsg_len < sizeof h || h.nlmsg_len > len) return 0;
    const uint8_t* body = buf + NLMSG_HDRLEN;
    size_t blen = h.nlmsg_len - NLMSG_HDRLEN;
    if (h.nlmsg_type == NLMSG_ERROR && blen >= sizeof(nlmsgerr)) {
      nlmsgerr e;
      std::memcpy(&e, body, sizeof e);
      if (e.error) return -e.error;
    } else if (h.nlmsg_type == RTM_NEWLINK || h.nlmsg_type == RTM_DELLINK) {
      fn(h, body, blen);
    }
    size_t step = NLMSG_ALIGN(h.nlmsg_len);
    if (step >= len) return 0;
    buf += step;
    len -= step;
  }
  return 0;
}

int rtnl_socket(unsigned groups) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
  if (fd < 0) return -1;
  sockaddr_nl sa{};
  sa.nl_family = AF_NETLINK;
  sa.nl_groups = groups;
  if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0) {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

}  // namespace

Result<Stats> rtnl_get_stats(int ifindex) {
  int fd = rtnl_socket(0);
  if (fd < 0) return errno_error("netlink socket");
  struct {
    nlmsghdr h;
    ifinfomsg ifi;
  } req{};
  req.h.nlmsg_len = sizeof req;
  req.h.nlmsg_type = RTM_GETLINK;
  req.h.nlmsg_flags = NLM_F_REQUEST;
  req.h.nlmsg_seq = 1;
  req.ifi.ifi_family = AF_UNSPEC;
  req.ifi.ifi_index = ifindex;
  std::vector<uint8_t> buf(32768);
  ssize_t n = -1;
  if (send(fd, &req, sizeof req, 0) == ssize_t(sizeof req)) {
    // The kernel answers synchronously, before send() returns.
    do n = recv(fd, buf.data(), buf.size(), 0);
    while (n < 0 && errno == EINTR);
  }
  int e = errno;
  close(fd);
  if (n < 0) return Error(e, "RTM_GETLINK");
  rtnl_link_stats64 st{};
  bool found = false;
  int err = for_each_msg(buf.data(), size_t(n), [&](const nlmsghdr& h, const uint8_t* b, size_t l) {
    LinkChange c;
    if (parse_link(h, b, l, c, &st) && c.ifindex == ifindex) found = true;
  });
  if (err) return Error(err, "RTM_GETLINK ifindex " + std::to_string(ifindex));
  if (!found) return Error(EPROTO, "RTM_GETLINK: no link in reply");
  Stats s;
  s.rx_packets = st.rx_packets, s.tx_packets = st.tx_packets;
  s.rx_bytes = st.rx_bytes, s.tx_bytes = st.tx_bytes;
  s.rx_errors = st.rx_errors, s.tx_errors = st.tx_errors;
  s.rx_dropped = st.rx_dropped, s.tx_dropped = st.tx_dropped;
  s.multicast = st.multicast, s.collisions = st.collisions;
  return s;
}

Result<std::unique_ptr<LinkMonitor>> LinkMonitor::open() {
  std::unique_ptr<LinkMonitor> m(new LinkMonitor());
  m->fd_ = rtnl_socket(1u << (RTNLGRP_LINK - 1));
  if (m->fd_ < 0) return errno_error("netlink socket (RTNLGRP_LINK)");
  return m;
}

LinkMonitor::~LinkMonitor() {
  if (fd_ >= 0) close(fd_);
}

Result<size_t> LinkMonitor::run(const std::function<void(const LinkChange&)>& cb) {
  std::vector<uint8_t> buf(65536);
  size_t count = 0;
  for (;;) {
    ssize_t n = recv(fd_, buf.data(), buf.size(), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) break;
      if (errno == ENOBUFS) {
        seq_++;
        VLOG_WARN("netlink receive buffer overflowed: link changes lost");
        return Error(ENOBUFS, "link monitor overflow");
      }
      return errno_error("netlink recv (link monitor)");
    }
    for_each_msg(buf.data(), size_t(n), [&](const nlmsghdr& h, const uint8_t* b, size_t l) {
      LinkChange c;
      if (!parse_link(h, b, l, c, nullptr)) return;
      seq_++;
      count++;
      cb(c);
    });
  }
  return count;
}

}  // namespace grebe::netdev

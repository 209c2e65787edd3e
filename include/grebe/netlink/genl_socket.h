// Generic netlink socket, over libnl-genl-3.
//
// One GenlSocket is one NETLINK_GENERIC socket.  It is not thread-safe: each
// thread (the dpif's handler threads, the main thread) owns its own sockets.
// Every call that talks to the kernel blocks until the kernel answers, except
// recv(false) which returns EAGAIN when nothing is queued.
//
// Messages are exchanged as GenlMessage: the genetlink command and version,
// then the family-specific payload (for the OVS families an ovs_header
// {int dp_ifindex} followed by attributes).  The payload is bytes so this
// layer knows nothing about openvswitch.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "grebe/netlink/attr.h"
#include "grebe/util/result.h"

struct nl_sock;

namespace grebe::nl {

struct GenlMessage {
  uint16_t nlmsg_type = 0;   // the family id
  uint16_t nlmsg_flags = 0;  // NLM_F_*
  uint32_t seq = 0;
  uint32_t pid = 0;
  uint8_t cmd = 0;
  uint8_t version = 0;
  std::vector<uint8_t> payload;  // after the genlmsghdr

  // Attributes that follow a fixed `user_hdr_len`-byte header in payload
  // (empty span if the payload is shorter).
  Bytes attrs(size_t user_hdr_len = 0) const;
};

class GenlSocket {
 public:
  // Opens and connects a NETLINK_GENERIC socket.  Errors carry the errno.
  static Result<std::unique_ptr<GenlSocket>> open();
  ~GenlSocket();
  GenlSocket(const GenlSocket&) = delete;
  GenlSocket& operator=(const GenlSocket&) = delete;

  // Resolves a generic netlink family name (e.g. "ovs_datapath") to its id.
  // Blocks for one round trip.  ENOENT with "Generic Netlink family
  // 'name' not found" if the kernel does not know it (module not loaded).
  Result<uint16_t> resolve_family(std::string_view name);
  // Resolves a multicast group of a family to its id (ENOENT if absent).
  Result<uint32_t> resolve_mcgroup(std::string_view family, std::string_view group);
  // Joins a multicast group so recv() also returns its notifications.
  Status join_mcgroup(uint32_t group);

  // Sends a request with NLM_F_REQUEST|NLM_F_ACK|extra_flags and returns the
  // replies up to the ack (none for a pure ack).  A kernel NLMSG_ERROR
  // becomes an Error with that errno.
  Result<std::vector<GenlMessage>> transact(uint16_t family, uint8_t cmd, uint8_t version,
                                            Bytes payload, uint16_t extra_flags = 0);
  // transact() with NLM_F_DUMP: all the multipart replies until NLMSG_DONE.
  Result<std::vector<GenlMessage>> dump(uint16_t family, uint8_t cmd, uint8_t version,
                                        Bytes payload);
  // Receives the next message(s) (notifications, upcalls).  With wait=false
  // returns an Error with EAGAIN if none is queued.
  Result<std::vector<GenlMessage>> recv(bool wait);

  // Socket receive buffer (SO_RCVBUF; SO_RCVBUFFORCE first when root, as
  // OVS does for upcall sockets so bursts are not dropped).
  Status set_recv_buffer_size(int bytes);

  int fd() const;               // for an event loop
  uint32_t local_port() const;  // netlink port id (the upcall pid)

 private:
  explicit GenlSocket(nl_sock* sock) : sock_(sock) {}
  Status send(uint16_t family, uint8_t cmd, uint8_t version, Bytes payload, uint16_t flags,
              uint32_t* seq);
  Result<std::vector<GenlMessage>> collect(uint32_t seq);
  nl_sock* sock_;
};

// Splits a raw datagram into genetlink messages (exposed for tests).
// NLMSG_ERROR with a nonzero error is returned as that Error; an ack
// (error 0) is returned as a message with nlmsg_type NLMSG_ERROR.
Result<std::vector<GenlMessage>> split_genl_datagram(Bytes datagram);

}  // namespace grebe::nl

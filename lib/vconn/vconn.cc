// Vconn: framing, hello/version negotiation, echo replies, send queue.
// See grebe/vconn/vconn.h.
#include "grebe/vconn/vconn.h"

#include <algorithm>

#include "grebe/openflow/ofp_msgs.h"
#include "grebe/openflow/ofp_protocol.h"
#include "grebe/stream/stream.h"
#include "grebe/util/byteorder.h"
#include "grebe/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(vconn);

namespace grebe::vconn {

namespace {

vlog::RateLimit bad_ofmsg_rl(1, 5);
vlog::RateLimit frame_rl(5, 5);

uint8_t msg_version(const OfpMsg& m) { return m[0]; }
uint8_t msg_type(const OfpMsg& m) { return m[1]; }
uint32_t msg_xid(const OfpMsg& m) { return load_be32(m.data() + 4); }

// Name of a message type for logs; the number when unknown.
std::string type_text(const OfpMsg& m) {
  const char* name = openflow::ofp_type_name(msg_version(m), msg_type(m));
  if (name) return name;
  return "type " + std::to_string(msg_type(m));
}

// The first 32 bits of a hello's version-bitmap element (type 1), read
// without regard to the header version; nullopt if there is none.
std::optional<uint32_t> hello_bitmap_element(const OfpMsg& m) {
  size_t ofs = openflow::kOfpHeaderLen;
  while (ofs + 4 <= m.size()) {
    uint16_t type = load_be16(m.data() + ofs), len = load_be16(m.data() + ofs + 2);
    if (len < 4 || ofs + len > m.size()) return std::nullopt;
    if (type == 1 && len >= 8) return load_be32(m.data() + ofs + 4);
    ofs += (len + 7u) / 8 * 8;
  }
  return std::nullopt;
}

}  // namespace

Vconn::Vconn(std::string name, std::unique_ptr<stream::Stream> stream, uint32_t allowed_versions)
    : name_(std::move(name)), stream_(std::move(stream)), allowed_versions_(allowed_versions) {}

Vconn::~Vconn() {
  // Best effort: an error (e.g. HELLO_FAILED) queued just before closing
  // should reach the peer.
  if (stream_ && !txq_.empty() && state_ != State::kConnecting) (void)flush_tx();
}

Result<std::unique_ptr<Vconn>> Vconn::open(std::string_view name, uint32_t allowed_versions,
                                           uint8_t dscp) {
  auto s = stream::Stream::open_with_default_port(name, stream::kOfpPort, dscp);
  if (!s.ok()) return s.take_error();
  return std::unique_ptr<Vconn>(new Vconn(std::string(name), std::move(*s), allowed_versions));
}

std::unique_ptr<Vconn> Vconn::from_stream(std::unique_ptr<stream::Stream> stream,
                                          uint32_t allowed_versions) {
  std::string name = stream->name();
  return std::unique_ptr<Vconn>(new Vconn(std::move(name), std::move(stream), allowed_versions));
}

int Vconn::fd() const { return stream_->fd(); }
bool Vconn::recv_pending() const { return stream_->pending() > 0; }
std::string Vconn::peer_name() const { return stream_->peer_name(); }
uint16_t Vconn::peer_port() const { return stream_->peer_port(); }

uint32_t Vconn::wait_events(bool want_recv) const {
  using Op = stream::Stream::Op;
  uint32_t events = 0;
  switch (state_) {
    case State::kConnecting:
      return stream_->poll_events(Op::kConnect);
    case State::kRecvHello:
      events |= stream_->poll_events(Op::kRecv);
      break;
    case State::kConnected:
      if (want_recv) events |= stream_->poll_events(Op::kRecv);
      break;
    case State::kSendHello:
    case State::kSendError:
    case State::kDisconnected:
      break;
  }
  if (!txq_.empty()) events |= stream_->poll_events(Op::kSend);
  return events;
}

void Vconn::fail(int error) {
  state_ = State::kDisconnected;
  if (!error_) error_ = error;
}

void Vconn::enqueue(OfpMsg msg) {
  if (msg.size() >= openflow::kOfpHeaderLen) {
    store_be16(msg.data() + 2, static_cast<uint16_t>(std::min<size_t>(msg.size(), 65535)));
  }
  txq_bytes_ += msg.size();
  txq_.push_back(std::move(msg));
}

Status Vconn::flush_tx() {
  while (!txq_.empty()) {
    const OfpMsg& m = txq_.front();
    auto n = stream_->send(m.data() + tx_offset_, m.size() - tx_offset_);
    if (!n.ok()) {
      if (n.error().would_block()) return n.take_error();
      // The connection is dead: drop the backlog so nobody waits to write.
      fail(n.error().code());
      txq_.clear();
      tx_offset_ = 0;
      txq_bytes_ = 0;
      return n.take_error();
    }
    tx_offset_ += *n;
    txq_bytes_ -= *n;
    if (tx_offset_ < m.size()) return Error(EAGAIN);
    txq_.pop_front();
    tx_offset_ = 0;
  }
  return ok_status();
}

void Vconn::step_connecting() {
  Status s = stream_->connect();
  if (s.ok()) {
    state_ = State::kSendHello;
  } else if (!s.error().would_block()) {
    fail(s.error().code());
  }
}

Status Vconn::connect() {
  State last;
  do {
    last = state_;
    switch (state_) {
      case State::kConnecting:
        step_connecting();
        break;
      case State::kSendHello:
        // The hello is queued like any message; a partial write finishes
        // in flush_tx() while we already wait for the peer's hello.
        enqueue(openflow::encode_hello(allowed_versions_, next_xid()));
        state_ = State::kRecvHello;
        (void)flush_tx();
        break;
      case State::kRecvHello:
        step_recv_hello();
        break;
      case State::kConnected:
        return ok_status();
      case State::kSendError:
        step_send_error();
        break;
      case State::kDisconnected:
        return Error(error_, retval_to_string(error_));
    }
  } while (state_ != last);
  return Error(EAGAIN);
}

void Vconn::run() {
  if (state_ == State::kConnecting || state_ == State::kSendHello || state_ == State::kRecvHello ||
      state_ == State::kSendError) {
    (void)connect();
  }
  if (stream_ && !txq_.empty()) (void)flush_tx();
}

void Vconn::step_recv_hello() {
  auto r = recv_frame();
  if (!r.ok()) {
    if (r.error().would_block()) return;
    // A peer that leaves before its hello did not close "normally".
    int code = r.error().code();
    state_ = State::kDisconnected;
    error_ = code == kEof ? ECONNRESET : code;
    return;
  }
  const OfpMsg& msg = *r;
  if (msg_type(msg) == openflow::kOfptHello && msg_version(msg) >= 1) {
    handle_hello(msg);
    return;
  }
  VLOG_WARN_RL(&bad_ofmsg_rl, "%s: received message while expecting hello: %s (version 0x%02x)",
               name_.c_str(), type_text(msg).c_str(), msg_version(msg));
  fail(EPROTO);
}

void Vconn::handle_hello(const OfpMsg& msg) {
  auto bitmap = openflow::decode_hello(msg.data(), msg.size());
  if (bitmap.ok()) {
    peer_versions_ = *bitmap;
  } else {
    // A hello from a version newer than we know is fine: it offers every
    // version up to its own, or what its bitmap element says.  Anything
    // else is logged, and OVS falls back the same way.
    uint8_t v = std::min<uint8_t>(msg_version(msg), 31);
    peer_versions_ = ((v == 31 ? 0xffffffffu : (1u << (v + 1)) - 1)) & ~1u;
    if (bitmap.error().message() == "OFPBRC_BAD_VERSION") {
      if (auto elem = hello_bitmap_element(msg)) peer_versions_ = *elem;
    } else {
      VLOG_WARN_RL(&bad_ofmsg_rl, "%s: unknown data in hello:\n%s", name_.c_str(),
                   openflow::hex_dump(msg.data(), msg.size()).c_str());
    }
  }
  std::string local_s = version_bitmap_to_string(allowed_versions_);
  std::string peer_s = version_bitmap_to_string(peer_versions_);
  uint32_t common = peer_versions_ & allowed_versions_;
  if (!common) {
    version_ = highest_version(peer_versions_);
    VLOG_WARN_RL(&bad_ofmsg_rl, "%s: version negotiation failed (we support %s, peer supports %s)",
                 name_.c_str(), local_s.c_str(), peer_s.c_str());
    state_ = State::kSendError;
  } else {
    version_ = highest_version(common);
    VLOG_DBG("%s: negotiated OpenFlow version 0x%02x (we support %s, peer supports %s)",
             name_.c_str(), version_, local_s.c_str(), peer_s.c_str());
    state_ = State::kConnected;
  }
}

void Vconn::step_send_error() {
  std::string text = "We support " + version_bitmap_to_string(allowed_versions_) +
                     ", you support " + version_bitmap_to_string(peer_versions_) +
                     ", no common versions.";
  // OVS's hello errors fall back to OpenFlow 1.0 for an unknown version:
  // HELLO_FAILED is meant to be understood by every version.
  uint8_t v = version_;
  if (v < openflow::kOfp10 || v > openflow::kOfp15) v = openflow::kOfp10;
  auto err = openflow::encode_error(v, "OFPHFC_INCOMPATIBLE", 0,
                                    std::vector<uint8_t>(text.begin(), text.end()));
  if (err.ok()) {
    enqueue(std::move(*err));
    (void)flush_tx();
  }
  fail(EPROTO);
}

Result<OfpMsg> Vconn::recv_frame() {
  // Read the header first, then exactly the rest of the frame, so no byte
  // of the next message is consumed (and split reads just resume).
  size_t want = openflow::kOfpHeaderLen;
  if (rx_.size() >= openflow::kOfpHeaderLen) want = load_be16(rx_.data() + 2);
  for (;;) {
    if (rx_.size() >= openflow::kOfpHeaderLen && want == openflow::kOfpHeaderLen) {
      want = load_be16(rx_.data() + 2);
      if (want < openflow::kOfpHeaderLen) {
        VLOG_ERR_RL(&frame_rl, "%s: received too-short ofp_header (%zu bytes)", name_.c_str(),
                    want);
        fail(EPROTO);
        return Error(EPROTO);
      }
      if (want > max_msg_len_) {
        VLOG_ERR_RL(&frame_rl, "%s: received oversized OpenFlow message (%zu bytes > %zu)",
                    name_.c_str(), want, max_msg_len_);
        fail(EPROTO);
        return Error(EPROTO);
      }
    }
    if (rx_.size() == want) break;
    size_t have = rx_.size();
    rx_.resize(want);
    auto n = stream_->recv(rx_.data() + have, want - have);
    rx_.resize(have + (n.ok() ? *n : 0));
    if (!n.ok()) {
      if (!n.error().would_block()) fail(n.error().code());
      return n.take_error();
    }
    if (*n == 0) {
      if (have) {
        VLOG_ERR_RL(&frame_rl, "%s: connection dropped mid-packet", name_.c_str());
        fail(EPROTO);
        return Error(EPROTO);
      }
      fail(kEof);
      return Error(kEof, "End of file");
    }
  }
  OfpMsg msg;
  msg.swap(rx_);
  return msg;
}

// Returns true if `msg` goes to the caller; handles echo requests and
// wrong-version messages itself.
bool Vconn::filter_received(const OfpMsg& msg) {
  uint8_t type = msg_type(msg);
  if (!recv_any_version_ && msg_version(msg) != version_ && type != openflow::kOfptHello &&
      type != openflow::kOfptError && type != openflow::kOfptEchoRequest &&
      type != openflow::kOfptEchoReply) {
    VLOG_ERR_RL(&bad_ofmsg_rl, "%s: received OpenFlow version 0x%02x != expected %02x",
                name_.c_str(), msg_version(msg), version_);
    uint8_t v = msg_version(msg);
    if (v < openflow::kOfp10 || v > openflow::kOfp15) v = version_;
    OfpMsg data(msg.begin(), msg.begin() + std::min<size_t>(msg.size(), 64));
    auto err = openflow::encode_error(v, "OFPBRC_BAD_VERSION", msg_xid(msg), data);
    if (err.ok()) {
      enqueue(std::move(*err));
      (void)flush_tx();
    }
    return false;
  }
  if (type == openflow::kOfptEchoRequest && auto_echo_reply_) {
    OfpMsg payload(msg.begin() + openflow::kOfpHeaderLen, msg.end());
    enqueue(openflow::encode_echo(true, msg_version(msg), msg_xid(msg), payload));
    (void)flush_tx();
    return false;
  }
  return true;
}

Result<OfpMsg> Vconn::recv() {
  GREBE_TRY(connect());
  for (;;) {
    auto r = recv_frame();
    if (!r.ok()) return r;
    if (VLOG_IS_DBG_ENABLED()) {
      VLOG_DBG("%s: received: %s (xid=0x%x, %zu bytes)", name_.c_str(), type_text(*r).c_str(),
               msg_xid(*r), r->size());
    }
    if (filter_received(*r)) return r;
    if (state_ == State::kDisconnected) return Error(error_, retval_to_string(error_));
  }
}

Status Vconn::send(OfpMsg msg) {
  GREBE_TRY(connect());
  if (msg.size() < openflow::kOfpHeaderLen || msg.size() > 65535) {
    return Error(EINVAL, "OpenFlow message length out of range");
  }
  if (VLOG_IS_DBG_ENABLED()) {
    VLOG_DBG("%s: sent: %s (xid=0x%x, %zu bytes)", name_.c_str(), type_text(msg).c_str(),
             msg_xid(msg), msg.size());
  }
  enqueue(std::move(msg));
  Status s = flush_tx();
  if (!s.ok() && !s.error().would_block()) return s;
  return ok_status();
}

}  // namespace grebe::vconn

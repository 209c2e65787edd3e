// Packet buffer; see packet.h.
#include "grebe/packet/packet.h"

#include <cstring>

namespace grebe {

Packet Packet::copy_of(const uint8_t* data, size_t size, size_t headroom) {
  Packet p(headroom);
  std::memcpy(p.put(size), data, size);
  return p;
}

Packet Packet::adopt(std::vector<uint8_t>&& frame) {
  Packet p(0);
  p.buf_ = std::move(frame);
  return p;
}

std::vector<uint8_t> Packet::take_frame() {
  if (start_) buf_.erase(buf_.begin(), buf_.begin() + static_cast<long>(start_));
  start_ = 0;
  layers_ = PacketLayers{};
  std::vector<uint8_t> out = std::move(buf_);
  buf_.clear();
  return out;
}

namespace {
void shift(int& off, size_t n) {
  if (off >= 0) off += static_cast<int>(n);
}
}  // namespace

uint8_t* Packet::push(size_t n) {
  if (n > start_) {
    // Grow the headroom to at least the default again.
    size_t grow = n - start_ + kDefaultHeadroom;
    buf_.insert(buf_.begin(), grow, 0);
    start_ += grow;
  }
  start_ -= n;
  shift(layers_.l2, n);
  shift(layers_.l2_5, n);
  shift(layers_.l3, n);
  shift(layers_.l4, n);
  shift(layers_.l7, n);
  return data();
}

bool Packet::pull(size_t n) {
  if (n > size()) return false;
  start_ += n;
  layers_ = PacketLayers{};  // offsets no longer meaningful
  return true;
}

uint8_t* Packet::put(size_t n) {
  size_t old = buf_.size();
  buf_.resize(old + n, 0);
  return buf_.data() + old;
}

void Packet::resize(size_t size) { buf_.resize(start_ + size, 0); }

Flow Packet::extract(const Flow* metadata) {
  return flow_extract(data(), size(), metadata, &layers_);
}

}  // namespace grebe

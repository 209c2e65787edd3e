// Packet: a packet buffer with headroom (so encapsulation can push headers
// without copying) and the layer offsets flow extraction found.
//
// Thread-safety: a Packet is owned by one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "grebe/packet/flow_extract.h"

namespace grebe {

class Packet {
 public:
  static constexpr size_t kDefaultHeadroom = 128;

  explicit Packet(size_t headroom = kDefaultHeadroom) : buf_(headroom), start_(headroom) {}
  // A packet holding a copy of data[0..size).
  static Packet copy_of(const uint8_t* data, size_t size, size_t headroom = kDefaultHeadroom);
  // A packet that takes `frame` as its buffer without copying (no
  // headroom: the first push() grows it).  For datapaths that receive
  // frames into vectors.
  static Packet adopt(std::vector<uint8_t>&& frame);
  // Moves the frame out, leaving this packet empty; copies only when there
  // is headroom to drop.
  std::vector<uint8_t> take_frame();

  uint8_t* data() { return buf_.data() + start_; }
  const uint8_t* data() const { return buf_.data() + start_; }
  size_t size() const { return buf_.size() - start_; }
  size_t headroom() const { return start_; }

  // Prepends n bytes (uninitialized) and returns them; grows the headroom
  // when needed.  Layer offsets shift by n.
  uint8_t* push(size_t n);
  // Removes n bytes from the front (n <= size()).  Returns false otherwise.
  bool pull(size_t n);
  // Appends n zeroed bytes and returns them.
  uint8_t* put(size_t n);
  // Shrinks or grows the end to `size` bytes (new bytes zeroed).
  void resize(size_t size);

  // Re-runs flow extraction; fills layers() and returns the flow.
  Flow extract(const Flow* metadata = nullptr);
  const PacketLayers& layers() const { return layers_; }

 private:
  std::vector<uint8_t> buf_;
  size_t start_;
  PacketLayers layers_;
};

}  // namespace grebe

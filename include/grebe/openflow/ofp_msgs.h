// OpenFlow message framing and the simple messages (hello with version
// bitmap, echo, error, barrier, features, get/set config), for every
// version 1.0-1.5.  Bodies are decoded with bounds checks; malformed input
// yields the OFPERR name OVS reports (Error::message() = "OFPBRC_BAD_LEN").
//
// Thread-safety: plain values; functions are pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "grebe/util/result.h"

namespace grebe::openflow {

inline constexpr size_t kOfpHeaderLen = 8;

struct OfpHeader {
  uint8_t version = 0;
  uint8_t type = 0;
  uint16_t length = 0;
  uint32_t xid = 0;
};

// Message types whose numbers are the same in every version.
enum OfpType : uint8_t {
  kOfptHello = 0,
  kOfptError = 1,
  kOfptEchoRequest = 2,
  kOfptEchoReply = 3,
  kOfptVendor = 4,  // OF1.0 VENDOR, OF1.1+ EXPERIMENTER
  kOfptFeaturesRequest = 5,
  kOfptFeaturesReply = 6,
  kOfptGetConfigRequest = 7,
  kOfptGetConfigReply = 8,
  kOfptSetConfig = 9,
  kOfptPacketIn = 10,
  kOfptFlowRemoved = 11,
  kOfptPortStatus = 12,
  kOfptPacketOut = 13,
  kOfptFlowMod = 14,
};
// Barrier numbers differ: OF1.0 18/19, OF1.1+ 20/21.
uint8_t ofpt_barrier_request(uint8_t version);
uint8_t ofpt_barrier_reply(uint8_t version);

inline constexpr uint32_t kNxVendorId = 0x00002320;
inline constexpr uint32_t kNxtFlowMod = 13;

// "OFPT_HELLO", "OFPT_MULTIPART_REQUEST", ...; nullptr if unknown.
const char* ofp_type_name(uint8_t version, uint8_t type);

// Parses the 8-byte header; checks the length field against `size`.
// Errors: "OFPBRC_BAD_LEN", "OFPBRC_BAD_VERSION".
Result<OfpHeader> decode_header(const uint8_t* data, size_t size);

// Builds one message: header first, length fixed up by finish().
class OfpBuf {
 public:
  OfpBuf(uint8_t version, uint8_t type, uint32_t xid);
  void put8(uint8_t v) { data_.push_back(v); }
  void put16(uint16_t v);
  void put32(uint32_t v);
  void put64(uint64_t v);
  void put_bytes(const void* p, size_t n);
  void put_zeros(size_t n) { data_.insert(data_.end(), n, 0); }
  void pad_to(size_t alignment);
  size_t size() const { return data_.size(); }
  std::vector<uint8_t>& bytes() { return data_; }
  // Sets the header length and returns the message.
  std::vector<uint8_t> finish();

 private:
  std::vector<uint8_t> data_;
};

// Hello: header version = highest version in the bitmap; includes the
// version-bitmap element when the bitmap is more than "all up to max".
std::vector<uint8_t> encode_hello(uint32_t version_bitmap, uint32_t xid);
// The versions a hello offers (bitmap element, or all up to header version).
Result<uint32_t> decode_hello(const uint8_t* data, size_t size);

std::vector<uint8_t> encode_echo(bool reply, uint8_t version, uint32_t xid,
                                 const std::vector<uint8_t>& payload = {});
std::vector<uint8_t> encode_barrier(bool reply, uint8_t version, uint32_t xid);
std::vector<uint8_t> encode_features_request(uint8_t version, uint32_t xid);
// Error `name` ("OFPBRC_BAD_TYPE"); `data` is usually the offending
// message's first 64 bytes.  Fails if the version has no code for it.
Result<std::vector<uint8_t>> encode_error(uint8_t version, std::string_view name, uint32_t xid,
                                          const std::vector<uint8_t>& data);

struct SwitchFeatures {
  uint64_t datapath_id = 0;
  uint32_t n_buffers = 0;
  uint8_t n_tables = 0;
  uint8_t auxiliary_id = 0;
  uint32_t capabilities = 0;
  uint32_t actions = 0;  // OF1.0 only
};
std::vector<uint8_t> encode_features_reply(uint8_t version, uint32_t xid, const SwitchFeatures& f);
Result<SwitchFeatures> decode_features_reply(const uint8_t* data, size_t size);

struct SwitchConfig {
  uint16_t flags = 0;  // OFPC_FRAG_* in the low 2 bits
  uint16_t miss_send_len = 128;
};
std::vector<uint8_t> encode_set_config(uint8_t version, uint32_t xid, const SwitchConfig& c,
                                       bool reply = false);
Result<SwitchConfig> decode_switch_config(const uint8_t* data, size_t size);

// Controller role (OF1.2+ OFPT_ROLE_REQUEST/REPLY).
enum class ControllerRole : uint32_t { kNoChange = 0, kEqual = 1, kPrimary = 2, kSecondary = 3 };
struct RoleMessage {
  ControllerRole role = ControllerRole::kNoChange;
  uint64_t generation_id = ~0ull;  // ~0: none
};
std::vector<uint8_t> encode_role(bool reply, uint8_t version, uint32_t xid, const RoleMessage& r);
Result<RoleMessage> decode_role(const uint8_t* data, size_t size);
// " role=primary generation_id=7" as ofp-print shows the body.
std::string format_role(const RoleMessage& r);

// OVS's hex dump: "00000000  01 02 ...-.. |ascii|" lines.
std::string hex_dump(const uint8_t* data, size_t size, size_t ofs = 0, bool ascii = true);

}  // namespace grebe::openflow

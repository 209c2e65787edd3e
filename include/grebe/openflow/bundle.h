// Bundles: OFPT_BUNDLE_CONTROL / OFPT_BUNDLE_ADD_MESSAGE (OpenFlow 1.4+)
// and the same bodies as ONF experimenter messages 2300/2301 in OpenFlow
// 1.3 (the ONF extension OVS implements).  Encode and decode both
// directions plus the ofp-print text.
//
// Thread-safety: plain values; functions are pure.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "grebe/util/result.h"

namespace grebe::openflow {

enum BundleCtrlType : uint16_t {
  kBundleOpenRequest = 0,
  kBundleOpenReply = 1,
  kBundleCloseRequest = 2,
  kBundleCloseReply = 3,
  kBundleCommitRequest = 4,
  kBundleCommitReply = 5,
  kBundleDiscardRequest = 6,
  kBundleDiscardReply = 7,
};
inline constexpr uint16_t kBundleAtomic = 1 << 0, kBundleOrdered = 1 << 1;
inline constexpr uint8_t kOfptBundleControl = 33, kOfptBundleAddMessage = 34;
inline constexpr uint32_t kOnftBundleControl = 2300, kOnftBundleAddMessage = 2301;

struct BundleCtrl {
  uint32_t bundle_id = 0;
  uint16_t type = kBundleOpenRequest;
  uint16_t flags = 0;
};

struct BundleAdd {
  uint32_t bundle_id = 0;
  uint16_t flags = 0;
  std::vector<uint8_t> msg;  // the inner message, whole
};

// True if the message is a bundle control / add message (OF1.4+ or ONF).
bool is_bundle_ctrl(const uint8_t* data, size_t size);
bool is_bundle_add(const uint8_t* data, size_t size);

// Errors: "bundles need OpenFlow 1.3 or later" for OF1.0-1.2.
Result<std::vector<uint8_t>> encode_bundle_ctrl(uint8_t version, const BundleCtrl& bc,
                                                uint32_t xid);
// A reply to `request` (same xid, version and encoding) of `type`.
Result<std::vector<uint8_t>> encode_bundle_ctrl_reply(const uint8_t* request, size_t size,
                                                      const BundleCtrl& bc);
// Errors: OFPBRC_BAD_LEN, OFPBRC_BAD_TYPE (not a bundle control message).
Result<BundleCtrl> decode_bundle_ctrl(const uint8_t* data, size_t size);

// Wraps `inner` (whose version must be `version`); the bundle message
// carries the inner message's xid as OpenFlow requires.
Result<std::vector<uint8_t>> encode_bundle_add(uint8_t version, uint32_t bundle_id, uint16_t flags,
                                               const std::vector<uint8_t>& inner);
// Errors as OVS checks them: OFPBFC_MSG_BAD_LEN, OFPBFC_BAD_VERSION,
// OFPBFC_MSG_BAD_XID, OFPBFC_MSG_UNSUP (not a flow/group/port mod or
// packet-out).
Result<BundleAdd> decode_bundle_add(const uint8_t* data, size_t size);

// "\n bundle_id=0x1 type=OPEN_REQUEST flags=atomic ordered".
std::string format_bundle_ctrl(const BundleCtrl& bc);
// "\n bundle_id=0x1 flags=atomic ordered\n" + the inner message's text.
std::string format_bundle_add(const BundleAdd& ba, int verbosity);

}  // namespace grebe::openflow

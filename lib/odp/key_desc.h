// Private: constexpr descriptions of the fixed-layout OVS_KEY_ATTR_* structs
// (field names, offsets, how each field is printed and scanned), so one
// table drives both the formatter and the parser.
#pragma once

#include <linux/openvswitch.h>

#include <cstddef>
#include <cstdint>

namespace grebe::odp {

// Not in every <linux/openvswitch.h>: OVS's userspace-datapath extensions.
struct OvsKeyNdExtensions {
  uint32_t nd_reserved;  // be32
  uint8_t nd_options_type;
};
inline constexpr uint16_t kOvsKeyAttrNdExtensions = OVS_KEY_ATTR_ND_EXTENSIONS;
inline constexpr uint16_t kOvsKeyAttrMaxOvs31 = OVS_KEY_ATTR_TUNNEL_INFO;  // OVS 3.1 max

enum class FieldType : uint8_t {
  kEth,        // 6 bytes, xx:xx:..
  kIpv4,       // 4 bytes, dotted quad
  kIn6,        // 16 bytes
  kU8u,        // decimal
  kU8x,        // hex
  kBe16,       // decimal
  kBe16x,      // hex
  kBe32Hex0x,  // "0x%x" always fully masked on output (nd_reserved)
  kIpv6Label,  // be32, 20 significant bits
  kFrag,       // enum no/first/later
};

struct FieldDesc {
  const char* name = nullptr;       // as printed, e.g. "src"
  const char* scan_name = nullptr;  // as parsed if different (ct_tuple6 ports)
  uint8_t offset = 0;
  FieldType type = FieldType::kU8u;
};

struct StructDesc {
  uint16_t attr;
  uint8_t size;  // payload length
  uint8_t n_fields;
  FieldDesc fields[7];
};

// Descriptor for a fixed-layout struct attribute, or nullptr.
const StructDesc* find_struct_desc(uint16_t attr);
// Size in bytes of a field type (kFrag/kU8* = 1).
size_t field_size(FieldType type);

// True if the mask attribute payload is all-0 (wildcard) / all-1 (exact) in
// the bits OVS considers for that attribute (odp_mask_is_constant__).
bool odp_mask_is_constant(uint16_t attr, const uint8_t* mask, size_t size, bool ones);

}  // namespace grebe::odp

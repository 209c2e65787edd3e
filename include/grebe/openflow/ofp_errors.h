// OpenFlow error codes by OVS name ("OFPBMC_BAD_PREREQ"), with their
// (type, code) for each protocol version.  Only the standard OpenFlow
// assignments are encoded; vendor-extension errors keep their names.
//
// Thread-safety: constant table; pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

namespace grebe::openflow {

// (type, code) of error `name` in `version`, or nullopt if the version has
// no standard encoding for it.
std::optional<std::pair<uint16_t, uint16_t>> ofperr_encode(std::string_view name, uint8_t version);
// Name of (type, code) in `version`, or nullptr if unknown.
const char* ofperr_decode(uint8_t version, uint16_t type, uint16_t code);
// OFPET_EXPERIMENTER encodings (OpenFlow 1.3's ONF extension errors, such
// as the bundle errors): (experimenter id, exp_code) of `name`, or nullopt.
std::optional<std::pair<uint32_t, uint16_t>> ofperr_encode_experimenter(std::string_view name,
                                                                       uint8_t version);
const char* ofperr_decode_experimenter(uint8_t version, uint32_t experimenter, uint16_t exp_code);
// True if `name` is a known OVS error name.
bool ofperr_is_known(std::string_view name);

}  // namespace grebe::openflow

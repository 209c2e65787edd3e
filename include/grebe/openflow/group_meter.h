// Group and meter modifications: text syntax (ovs-ofctl add-group /
// add-meter, ovs-ofctl(8) "Group Syntax" / "Meter Syntax") and wire codec
// (OFPT_GROUP_MOD for OF1.1-1.4, OFPT_METER_MOD for OF1.3+).
//
// Thread-safety: plain values; functions are pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "grebe/openflow/actions.h"
#include "grebe/openflow/ofp_port.h"
#include "grebe/openflow/ofp_protocol.h"
#include "grebe/util/result.h"

namespace grebe::openflow {

enum class GroupCommand : uint16_t {
  kAdd = 0, kModify = 1, kDelete = 2, kAddOrMod = 0x8000,
  kInsertBucket = 3, kRemoveBucket = 5,
};
enum class GroupType : uint8_t { kAll = 0, kSelect = 1, kIndirect = 2, kFf = 3 };

inline constexpr uint32_t kOfpgMax = 0xffffff00;
inline constexpr uint32_t kOfpgAll = 0xfffffffc;
inline constexpr uint32_t kBucketAll = 0xffffffff;   // OFPG15_BUCKET_ALL
inline constexpr uint32_t kBucketFirst = 0xfffffffe;
inline constexpr uint32_t kBucketLast = 0xfffffffd;

struct Bucket {
  uint32_t bucket_id = kBucketAll;  // unset: assigned in order when encoded
  uint16_t weight = 0;
  uint32_t watch_port = kOfppNone;
  uint32_t watch_group = 0xffffffff;
  ActionList actions;
};

struct GroupMod {
  GroupCommand command = GroupCommand::kAdd;
  GroupType type = GroupType::kAll;
  uint32_t group_id = 0xffffffff;
  uint32_t command_bucket_id = kBucketAll;
  std::string selection_method;
  uint64_t selection_method_param = 0;
  std::vector<std::string> fields;  // selection fields, as written
  std::vector<Bucket> buckets;
};

struct ParsedGroupMod {
  GroupMod gm;
  Protocols usable = kPAny;
};

// Parses a group spec ("group_id=1,type=all,bucket=output:2,...").
// `command_from_text` allows a leading add/delete/modify/... keyword.
Result<ParsedGroupMod> parse_group_mod(std::string_view s, GroupCommand command,
                                       const PortMap* ports = nullptr,
                                       bool command_from_text = false);
// The group_mod message text as "ovs-ofctl parse-group" prints it for
// `version` ("NXT_GROUP_MOD (xid=0x1):\n ADD group_id=1,...").
std::string format_group_mod_message(const GroupMod& gm, uint8_t version, uint32_t xid,
                                     const PortMap* ports = nullptr);

// What "ovs-ofctl parse-group" prints: usable protocols, the chosen
// version among `allowed`, then the message; `error` "no usable protocol"
// when none fits.
struct ParseGroupReport {
  std::string out;
  std::string error;
};
ParseGroupReport report_parse_group(const ParsedGroupMod& pg, Protocols allowed,
                                    const PortMap* ports = nullptr);

// OFPT_GROUP_MOD for OF1.1-1.4.
Result<std::vector<uint8_t>> encode_group_mod(const GroupMod& gm, uint8_t version, uint32_t xid);
Result<GroupMod> decode_group_mod(const uint8_t* data, size_t size);

enum class MeterCommand : uint16_t { kAdd = 0, kModify = 1, kDelete = 2 };
inline constexpr uint16_t kMeterKbps = 1 << 0, kMeterPktps = 1 << 1, kMeterBurst = 1 << 2,
                          kMeterStats = 1 << 3;
inline constexpr uint32_t kMeterAll = 0xffffffff, kMeterController = 0xfffffffd,
                          kMeterSlowpath = 0xfffffffe;

struct MeterBand {
  uint16_t type = 0;  // 1 drop, 2 dscp_remark
  uint32_t rate = 0;
  uint32_t burst_size = 0;
  uint8_t prec_level = 0;
};

struct MeterMod {
  MeterCommand command = MeterCommand::kAdd;
  uint32_t meter_id = 0;
  uint16_t flags = 0;
  std::vector<MeterBand> bands;
};

// Parses a meter spec ("meter=1,kbps,band=type=drop,rate=5000").
Result<MeterMod> parse_meter_mod(std::string_view s, MeterCommand command);
// "meter=1 kbps bands=\ntype=drop rate=5000" (ofputil_format_meter_config).
std::string format_meter_config(const MeterMod& mm);
Result<std::vector<uint8_t>> encode_meter_mod(const MeterMod& mm, uint8_t version, uint32_t xid);
Result<MeterMod> decode_meter_mod(const uint8_t* data, size_t size);

}  // namespace grebe::openflow

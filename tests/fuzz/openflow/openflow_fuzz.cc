// libFuzzer harness: OpenFlow message decoding and flow/action text parsing.
// Build with clang -fsanitize=fuzzer (GREBE_FUZZ); the first input byte
// picks the target.
#include <cstddef>
#include <cstdint>
#include <string>

#include "grebe/openflow/flow_mod.h"
#include "grebe/openflow/flow_stats.h"
#include "grebe/openflow/group_meter.h"
#include "grebe/openflow/ofp_codec.h"
#include "grebe/openflow/ofp_print.h"

using namespace grebe::openflow;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  uint8_t which = data[0] % 3;
  ++data;
  --size;
  if (which == 0) {
    (void)ofp_to_string(data, size, 5);
    (void)decode_flow_mod(data, size);
    (void)decode_flow_stats_reply(data, size);
    (void)decode_nx_flow_stats_reply(data, size);
  } else if (which == 1) {
    std::string s(reinterpret_cast<const char*>(data), size);
    auto r = parse_flow_mod(s, FlowModCommand::kAdd);
    if (r.ok()) (void)encode_flow_mod(r->fm, kPOf13Oxm, 1);
    (void)parse_group_mod(s, GroupCommand::kAdd);
  } else {
    (void)nx_pull_match(data, size);
    (void)decode_actions(data, size, kOfp13);
    (void)decode_instructions(data, size, kOfp15);
  }
  return 0;
}

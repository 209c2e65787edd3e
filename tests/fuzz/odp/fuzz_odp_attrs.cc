// libFuzzer target: datapath netlink attributes (keys, masks, actions).
#include "odp_fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  grebe::odp::fuzz::fuzz_odp_attrs(data, size);
  return 0;
}

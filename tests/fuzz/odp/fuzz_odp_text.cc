// libFuzzer target: datapath flow and action text.
#include "odp_fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  grebe::odp::fuzz::fuzz_odp_text(data, size);
  return 0;
}

// OpenFlow 1.5 group_mod (struct ofp15_group_mod with ofp15_bucket and
// bucket properties), the only wire form of insert-bucket / remove-bucket.
// Decoding only: the switch side.  Group properties (OVS's selection
// method experimenter property) are skipped.
//
// Thread-safety: pure function.
#pragma once

#include <cstddef>
#include <cstdint>

#include "grebe/openflow/group_meter.h"
#include "grebe/util/result.h"

namespace grebe::openflow {

// Errors: OFPBRC_BAD_LEN, OFPGMFC_BAD_BUCKET (bad bucket or property
// lengths), OFPBPC_BAD_TYPE (unknown bucket property), action errors.
Result<GroupMod> decode_group_mod15(const uint8_t* data, size_t size);

}  // namespace grebe::openflow

// ofp-print text for the statistics families (table, port, queue, group,
// group desc/features, meter, meter config/features): requests and
// replies.  Used by ofp_print.cc; separate so each family's printing sits
// next to nothing else.
//
// Thread-safety: pure function.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "grebe/openflow/ofp_port.h"
#include "grebe/util/result.h"

namespace grebe::openflow {

// The body text (after "OFPST_X reply (OF1.3) (xid=0x2):") of a multipart
// message of one of these families; nullopt if the message belongs to
// another family; an error (OFPERR name) if it does not decode.
Result<std::optional<std::string>> stats_family_text(const uint8_t* data, size_t size,
                                                     const PortMap* ports = nullptr);

}  // namespace grebe::openflow

// Internal: Nicira extension actions with structured bodies (learn, ct,
// conjunction, controller, output_reg, dec_ttl ids), used by the action
// codec.  Not a public API.
#pragma once

#include <functional>
#include <optional>
#include <vector>

#include "grebe/openflow/actions.h"

namespace grebe::openflow {

using NestedEncoder = std::function<Result<std::vector<uint8_t>>(const ActionList&, uint8_t)>;
using NestedDecoder = std::function<Result<ActionList>(const uint8_t*, size_t, uint8_t)>;

// Appends `a` if it is one of these actions; false if not handled.
Result<bool> encode_nx_structured(std::vector<uint8_t>& out, const Action& a, uint8_t version,
                                  const NestedEncoder& nested);
// Decodes an NX action of one of these subtypes (p has `len` >= 16 bytes);
// nullopt if the subtype is not one of them.
Result<std::optional<Action>> decode_nx_structured(const uint8_t* p, size_t len, uint8_t version,
                                                   const NestedDecoder& nested);

}  // namespace grebe::openflow

// Wire codecs for matches (OF1.0 ofp_match, NXM, OXM), actions and
// instructions (OF1.0, OF1.1+, Nicira extensions) and flow_mod messages
// (OFPT_FLOW_MOD in OF1.0/OF1.1+ and NXT_FLOW_MOD).
//
// Decoding is bounds-checked everywhere; failures carry the OFPERR name the
// OpenFlow spec/OVS uses as Error::message() (e.g. "OFPBMC_BAD_PREREQ",
// "OFPBAC_BAD_LEN").  Encoding fails (Error message names the action) for
// the few actions this codec does not carry yet.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <vector>

#include "grebe/openflow/actions.h"
#include "grebe/openflow/flow_mod.h"
#include "grebe/openflow/ofp_msgs.h"
#include "grebe/openflow/ofp_protocol.h"

namespace grebe::openflow {

// NXM (oxm=false) or OXM (oxm=true, for `version`) TLVs for `match`,
// appended to `out`; returns the number of bytes appended (unpadded).
size_t nx_put_match(std::vector<uint8_t>& out, const Match& match, bool oxm, uint8_t version);
// Parses `len` bytes of NXM/OXM TLVs into a match.
Result<Match> nx_pull_match(const uint8_t* p, size_t len);

// OF1.0 40-byte ofp_match.
void ofp10_put_match(std::vector<uint8_t>& out, const Match& match);
Match ofp10_pull_match(const uint8_t* p);  // p has 40 bytes

// Actions (and, for OF1.1+, instructions) in `version`'s encoding.
Result<std::vector<uint8_t>> encode_actions(const ActionList& actions, uint8_t version);
Result<std::vector<uint8_t>> encode_instructions(const ActionList& actions, uint8_t version);
Result<ActionList> decode_actions(const uint8_t* p, size_t len, uint8_t version);
Result<ActionList> decode_instructions(const uint8_t* p, size_t len, uint8_t version);

// flow_mod in `protocol`'s message format.
Result<std::vector<uint8_t>> encode_flow_mod(const FlowMod& fm, Protocols protocol, uint32_t xid);
// Decodes OFPT_FLOW_MOD or NXT_FLOW_MOD (any version).
Result<FlowMod> decode_flow_mod(const uint8_t* data, size_t size);

}  // namespace grebe::openflow

// Internals shared by the action parser files (not a public API; lives in
// include/ so lib/openflow sources and unit tests can both reach it).
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "grebe/openflow/actions.h"

namespace grebe::openflow {

struct ActionParseCtx {
  const PortMap* ports;
  ActionList* out;
  Protocols* usable;
  bool allow_instructions;
};

// Parses a comma-separated action list into ctx.out.
Status parse_action_list(std::string_view s, ActionParseCtx& ctx);
// OVS's ofpacts_verify(): conjunction rules and instruction ordering.
Status verify_action_list(const ActionList& actions, bool allow_instructions);

// Number parsers with OVS's error text ("invalid TTL \"x\"",
// "invalid numeric format x", "missing required numeric argument").
Result<uint8_t> str_to_u8(std::string_view s, const char* name);
Result<uint16_t> str_to_u16(std::string_view s, const char* name);
Result<uint32_t> str_to_u32(std::string_view s);
Result<uint64_t> str_to_u64(std::string_view s);
// "01.02.ab" / "0102ab" hex bytes (periods optional), as note: and userdata=.
std::optional<std::vector<uint8_t>> parse_hex_bytes(std::string_view s);
std::string format_hex_bytes(const std::vector<uint8_t>& bytes);

Result<ActRegMove> parse_reg_move(std::string_view s);

Status parse_set_field(std::string_view arg, ActionParseCtx& ctx);
Status parse_load(std::string_view arg, ActionParseCtx& ctx);
Status parse_bundle(std::string_view arg, ActionParseCtx& ctx);
Status parse_bundle_load(std::string_view arg, ActionParseCtx& ctx);
Status parse_learn(std::string_view arg, ActionParseCtx& ctx);
Status parse_multipath(std::string_view arg, ActionParseCtx& ctx);
Status parse_sample(std::string_view arg, ActionParseCtx& ctx);
Status parse_ct(std::string_view arg, ActionParseCtx& ctx);

}  // namespace grebe::openflow

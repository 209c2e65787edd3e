// Private declarations shared by the action codec source files.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "grebe/netlink/attr.h"
#include "grebe/odp/odp_key.h"
#include "grebe/util/result.h"

namespace grebe::odp {

inline constexpr size_t kScanFail = SIZE_MAX;

// struct user_action_cookie layout: u16 type, u16 ofp_in_port, 16-byte
// ofproto UUID, then a per-type union at offset 20 (host byte order
// except where noted).
inline constexpr size_t kCookieType = 0;
inline constexpr size_t kCookieInPort = 2;
inline constexpr size_t kCookieUuid = 4;
inline constexpr size_t kCookieUnion = 20;
inline constexpr uint16_t kOfppNone = 0xffff;  // OpenFlow 1.0 OFPP_NONE

inline Error action_syntax_error() { return Error(EINVAL, "odp_actions_from_string: error"); }

// Formats / parses one action of the named family.  Parsers take the
// NUL-terminated text at the action's start and return characters consumed.
void format_userspace_action(std::string& out, nl::Attr attr);
Result<size_t> parse_userspace_action(const char* s, nl::AttrBuilder& actions);
void format_ct_action(std::string& out, nl::Attr attr);
void format_tnl_push_action(std::string& out, nl::Attr attr);
Result<size_t> parse_tnl_push_action(const char* s, nl::AttrBuilder& actions);
// Returns 0 if `s` does not start with "ct".
Result<size_t> parse_ct_action(const char* s, nl::AttrBuilder& actions);

// One action / a ')'-terminated action list (sample, clone, check_pkt_len).
Result<size_t> parse_odp_action(const char* s, nl::AttrBuilder& actions, const PortNameMap* names,
                                int depth);

}  // namespace grebe::odp

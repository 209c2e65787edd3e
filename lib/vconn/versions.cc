// Version bitmaps and error-code text in OVS's words.  See vconn.h.
#include <bit>
#include <cstdio>

#include "grebe/vconn/vconn.h"

namespace grebe::vconn {

std::string retval_to_string(int code) {
  if (code == 0) return "";
  if (code == kEof) return "End of file";
  return errno_string(code);
}

uint8_t highest_version(uint32_t bitmap) {
  return bitmap ? static_cast<uint8_t>(31 - std::countl_zero(bitmap)) : 0;
}

namespace {
std::string hex_version(unsigned v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", v);
  return buf;
}
}  // namespace

std::string version_bitmap_to_string(uint32_t bitmap) {
  if (!bitmap) return "no versions";
  if (std::has_single_bit(bitmap)) return "version " + hex_version(highest_version(bitmap));
  // Every version from 0 (or 1) up to the highest: "... and earlier".
  if (std::has_single_bit((bitmap >> 1) + 1)) {
    return "version " + hex_version(highest_version(bitmap)) + " and earlier";
  }
  std::string s = "versions ";
  bool first = true;
  for (unsigned v = 0; v < 32; v++) {
    if (!(bitmap & (1u << v))) continue;
    if (!first) s += ", ";
    s += hex_version(v);
    first = false;
  }
  return s;
}

}  // namespace grebe::vconn

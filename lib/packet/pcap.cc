// pcap files; see pcap.h.
#include "grebe/packet/pcap.h"

#include <cerrno>
#include <cstring>

#include "grebe/util/byteorder.h"

namespace grebe {
namespace {

constexpr uint32_t kMagicUsec = 0xa1b2c3d4;
constexpr uint32_t kMagicNsec = 0xa1b23c4d;
constexpr uint32_t kSnaplen = 1518;  // what OVS writes
constexpr uint32_t kMaxRecord = 1 << 20;

void put32le(uint8_t* p, uint32_t v) { std::memcpy(p, &v, 4); }

}  // namespace

Result<PcapWriter> PcapWriter::create(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return errno_error(path + ": failed to open pcap file for writing");
  uint8_t h[24] = {};
  put32le(h, kMagicUsec);
  h[4] = 2;  // version 2.4, host byte order as the magic says
  h[6] = 4;
  put32le(h + 16, kSnaplen);
  put32le(h + 20, 1);  // LINKTYPE_ETHERNET
  if (std::fwrite(h, sizeof h, 1, f) != 1) {
    std::fclose(f);
    return errno_error(path + ": write failed");
  }
  std::fflush(f);
  return PcapWriter(f);
}

PcapWriter::~PcapWriter() {
  if (file_) std::fclose(file_);
}

Status PcapWriter::write(const uint8_t* data, size_t size, long long time_msec) {
  uint8_t h[16];
  put32le(h, static_cast<uint32_t>(time_msec / 1000));
  put32le(h + 4, static_cast<uint32_t>(time_msec % 1000 * 1000));
  put32le(h + 8, static_cast<uint32_t>(size));
  put32le(h + 12, static_cast<uint32_t>(size));
  if (std::fwrite(h, sizeof h, 1, file_) != 1 || (size && std::fwrite(data, size, 1, file_) != 1))
    return errno_error("pcap write failed");
  std::fflush(file_);
  return ok_status();
}

Result<PcapReader> PcapReader::open(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return errno_error(path + ": failed to open pcap file for reading");
  uint8_t h[24];
  if (std::fread(h, sizeof h, 1, f) != 1) {
    std::fclose(f);
    return Error(EINVAL, path + ": failed to read pcap header");
  }
  uint32_t magic;
  std::memcpy(&magic, h, 4);
  bool swap = false, nsec = false;
  if (magic == kMagicUsec || magic == kMagicNsec) {
    nsec = magic == kMagicNsec;
  } else if (bswap32(magic) == kMagicUsec || bswap32(magic) == kMagicNsec) {
    swap = true;
    nsec = bswap32(magic) == kMagicNsec;
  } else {
    std::fclose(f);
    return Error(EINVAL, path + ": bad magic number in pcap header");
  }
  return PcapReader(f, swap, nsec);
}

PcapReader::~PcapReader() {
  if (file_) std::fclose(file_);
}

Result<PcapRecord> PcapReader::next() {
  uint8_t h[16];
  size_t n = std::fread(h, 1, sizeof h, file_);
  if (n == 0) return Error(EOF, "end of file");
  if (n < sizeof h) return Error(EINVAL, "truncated pcap record header");
  auto get = [&](int off) {
    uint32_t v;
    std::memcpy(&v, h + off, 4);
    return swap_ ? bswap32(v) : v;
  };
  PcapRecord r;
  uint32_t sec = get(0), frac = get(4), incl = get(8);
  r.orig_len = get(12);
  r.time_usec = static_cast<long long>(sec) * 1000000 + (nsec_ ? frac / 1000 : frac);
  if (incl > kMaxRecord) return Error(EINVAL, "pcap record too large");
  r.data.resize(incl);
  if (incl && std::fread(r.data.data(), incl, 1, file_) != 1)
    return Error(EINVAL, "truncated pcap record");
  return r;
}

}  // namespace grebe

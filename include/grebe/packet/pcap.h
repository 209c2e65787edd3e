// pcap capture files (libpcap format, Ethernet link type), as OVS's dummy
// netdevs write with options:pcap= and ovs-ofctl ofp-parse-pcap reads.
//
// Thread-safety: one thread per reader/writer.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "grebe/util/result.h"

namespace grebe {

struct PcapRecord {
  long long time_usec = 0;  // since the epoch
  std::vector<uint8_t> data;
  uint32_t orig_len = 0;
};

class PcapWriter {
 public:
  // Creates (truncating) the file and writes the global header.
  static Result<PcapWriter> create(const std::string& path);
  PcapWriter(PcapWriter&& other) noexcept : file_(other.file_) { other.file_ = nullptr; }
  PcapWriter& operator=(PcapWriter&&) = delete;
  ~PcapWriter();
  // Appends one packet stamped `time_msec` (wall clock); flushes.
  Status write(const uint8_t* data, size_t size, long long time_msec);

 private:
  explicit PcapWriter(FILE* f) : file_(f) {}
  FILE* file_;
};

class PcapReader {
 public:
  // Opens and checks the global header (either byte order, usec or nsec).
  static Result<PcapReader> open(const std::string& path);
  PcapReader(PcapReader&& other) noexcept
      : file_(other.file_), swap_(other.swap_), nsec_(other.nsec_) {
    other.file_ = nullptr;
  }
  PcapReader& operator=(PcapReader&&) = delete;
  ~PcapReader();
  // Next record; Error with code EOF at a clean end of file, EINVAL on a
  // truncated or oversized record.
  Result<PcapRecord> next();

 private:
  PcapReader(FILE* f, bool swap, bool nsec) : file_(f), swap_(swap), nsec_(nsec) {}
  FILE* file_;
  bool swap_;
  bool nsec_;
};

}  // namespace grebe

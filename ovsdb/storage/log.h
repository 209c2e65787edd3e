// The OVSDB log file format (ovsdb(5)), byte-compatible with OVS:
//
//     OVSDB JSON <length> <sha1-hex>\n
//     <length bytes: compact JSON object or array, then \n>
//
// repeated.  The SHA-1 covers the <length> bytes.  A standalone database's
// first record is its schema; each later one is a transaction.
//
// Log reads records one by one; after a bad record (torn write, corrupted
// bytes) read() reports the error and the next write() truncates the file
// at the end of the last good record, as OVS does.  Writes are atomic in
// the sense that a partial write is truncated away; commit() makes them
// durable (fdatasync).
//
// Thread: one thread per Log.  Blocking file I/O.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "grebe/ovsdb/error.h"
#include "ovsdb/storage/lockfile.h"

namespace grebe::ovsdb {

inline constexpr const char* kOvsdbMagic = "JSON";
inline constexpr const char* kRaftMagic = "CLUSTER";

class Log {
 public:
  enum class Mode { kReadOnly, kReadWrite, kCreateExcl, kCreate };

  // Opens 'name'.  'magic' may list alternatives separated by '|'; the
  // file's actual magic is then available from magic().  Read-write modes
  // take OVS's lock file (".<name>.~lock~") so two writers never interleave.
  static OResult<std::unique_ptr<Log>> open(const std::string& name, const std::string& magic,
                                            Mode mode);
  ~Log();
  Log(const Log&) = delete;
  Log& operator=(const Log&) = delete;

  const std::string& name() const { return name_; }
  const std::string& magic() const { return magic_; }

  // The next record, or nullopt at end of file.  After an error every
  // further read() returns the same error.
  OResult<std::optional<Json>> read();
  // Makes the next write() overwrite the record read last.
  void unread();
  // Appends a record (truncating anything not yet read).
  OStatus write(const Json& json);
  // fdatasync(): the records written so far survive a crash.
  OStatus commit();
  // Bytes of good records read or written so far.
  off_t offset() const { return offset_; }
  // Records the current size as the base for grew_lots().
  void mark_base() { base_ = offset_; }
  // True once the log is big (over 10 MB) and at least twice its base:
  // the point where OVS compacts.
  bool grew_lots() const { return offset_ > 10 * 1024 * 1024 && offset_ / 2 > base_; }
  // Atomically replaces this open log's file by one holding 'records' (see
  // replace()); afterwards the log appends to the new file.
  OStatus replace_contents(const std::vector<Json>& records);

  // Composes one record: the header line and the data line.
  static void compose_record(const Json& json, const std::string& magic, std::string* header,
                             std::string* data);

  // Atomically replaces the file 'name' with one holding 'records' (written
  // to "<name>.tmp", synced, renamed over 'name', directory synced).
  static OStatus replace(const std::string& name, const std::string& magic,
                         const std::vector<Json>& records);

 private:
  Log() = default;
  OStatus truncate();

  enum class State { kRead, kReadError, kWrite, kWriteError };
  std::string name_;
  std::string magic_;
  int fd_ = -1;
  int lock_fd_ = -1;
  std::string data_;  // the file's contents, read at open (read modes)
  off_t offset_ = 0;
  off_t prev_offset_ = 0;
  off_t base_ = 0;
  State state_ = State::kRead;
  std::optional<OvsdbError> error_;
};

// SHA-1 of 'data' as 40 lowercase hex digits.
std::string sha1_hex(std::string_view data);
// fsync()s the directory containing 'file'.
void fsync_parent_dir(const std::string& file);

}  // namespace grebe::ovsdb

// OVSDB log files: record framing, SHA-1 checks, locking, atomic replace.
#include "ovsdb/storage/log.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "grebe/ovsdb/schema.h"
#include "grebe/util/vlog.h"
#include "ovsdb/storage/lockfile.h"

VLOG_DEFINE_THIS_MODULE(ovsdb_log);

namespace grebe::ovsdb {

std::string sha1_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), md, &n, EVP_sha1(), nullptr);
  static const char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < n; i++) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

void fsync_parent_dir(const std::string& file) {
  size_t slash = file.rfind('/');
  std::string dir = slash == std::string::npos ? "." : (slash ? file.substr(0, slash) : "/");
  int fd = ::open(dir.c_str(), O_RDONLY);
  if (fd >= 0) {
    if (fsync(fd) && errno != EINVAL) VLOG_WARN("%s: fsync failed (%s)", dir.c_str(), strerror(errno));
    close(fd);
  }
}

namespace {

struct Header {
  std::string magic;
  unsigned long length = 0;
  std::string sha1;
};

// Parses "OVSDB <magic> <length> <sha1>\n" exactly as OVS accepts it.
std::optional<Header> parse_header(std::string_view line) {
  const std::string_view lead = "OVSDB ";
  if (line.substr(0, lead.size()) != lead) return std::nullopt;
  line.remove_prefix(lead.size());
  size_t sp = line.find(' ');
  if (sp == std::string_view::npos || sp == 0) return std::nullopt;
  Header h;
  h.magic = std::string(line.substr(0, sp));
  line.remove_prefix(sp + 1);
  size_t i = 0;
  while (i < line.size() && isdigit((unsigned char)line[i])) {
    h.length = h.length * 10 + (line[i] - '0');
    if (h.length > (1ul << 40)) return std::nullopt;
    i++;
  }
  if (!i || !h.length || i >= line.size() || line[i] != ' ') return std::nullopt;
  line.remove_prefix(i + 1);
  if (line.size() < 41) return std::nullopt;
  for (size_t k = 0; k < 40; k++) {
    if (!isxdigit((unsigned char)line[k])) return std::nullopt;
    h.sha1 += char(tolower((unsigned char)line[k]));
  }
  if (line[40] != '\n') return std::nullopt;
  return h;
}

bool is_magic_ok(const std::string& needle, const std::string& haystack) {
  if (needle.find('|') != std::string::npos) return false;
  size_t start = 0;
  while (true) {
    size_t bar = haystack.find('|', start);
    if (haystack.substr(start, bar - start) == needle) return true;
    if (bar == std::string::npos) return false;
    start = bar + 1;
  }
}

OResult<std::string> read_all(int fd, const std::string& name) {
  std::string data;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error(errno, "%s: read error", name.c_str());
    }
    if (n == 0) break;
    data.append(buf, size_t(n));
  }
  return data;
}

OStatus write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error(errno, "write failed");
    }
    data.remove_prefix(size_t(n));
  }
  return {};
}

}  // namespace

OResult<std::unique_ptr<Log>> Log::open(const std::string& name, const std::string& magic,
                                        Mode mode) {
  std::unique_ptr<Log> log(new Log());
  log->name_ = name;
  if (mode != Mode::kReadOnly) {
    auto lock = lock_file(name);
    if (!lock.ok()) return lock.take_error();
    log->lock_fd_ = *lock;
  }
  int flags = O_CLOEXEC;
  switch (mode) {
    case Mode::kReadOnly: flags |= O_RDONLY; break;
    case Mode::kReadWrite: flags |= O_RDWR; break;
    case Mode::kCreateExcl: flags |= O_RDWR | O_CREAT | O_EXCL; break;
    case Mode::kCreate: flags |= O_RDWR | O_CREAT; break;
  }
  log->fd_ = ::open(name.c_str(), flags, 0660);
  if (log->fd_ < 0) {
    const char* op = mode == Mode::kCreateExcl ? "create"
                     : mode == Mode::kCreate   ? "create or open"
                                               : "open";
    return io_error(errno, "%s: %s failed", name.c_str(), op);
  }
  auto data = read_all(log->fd_, name);
  if (!data.ok()) return data.take_error();
  log->data_ = std::move(*data);

  if (log->data_.empty()) {
    if (magic.find('|') != std::string::npos) {
      return make_error(nullptr, "%s: cannot identify file type", name.c_str());
    }
    log->magic_ = magic;
    if (mode == Mode::kCreateExcl || mode == Mode::kCreate) fsync_parent_dir(name);
  } else {
    size_t nl = log->data_.find('\n');
    std::string_view line(log->data_.data(),
                          nl == std::string::npos ? std::min<size_t>(log->data_.size(), 127)
                                                  : std::min<size_t>(nl + 1, 127));
    auto h = parse_header(line);
    if (!h) return make_error(nullptr, "%s: unexpected file format", name.c_str());
    if (!is_magic_ok(h->magic, magic)) {
      return make_error(nullptr, "%s: cannot identify file type", name.c_str());
    }
    log->magic_ = h->magic;
  }
  return log;
}

Log::~Log() {
  if (fd_ >= 0) close(fd_);
  if (lock_fd_ >= 0) close(lock_fd_);  // releases the fcntl lock
}

OResult<std::optional<Json>> Log::read() {
  if (state_ == State::kReadError || state_ == State::kWriteError) return *error_;
  if (state_ == State::kWrite) return std::optional<Json>();
  if (size_t(offset_) >= data_.size()) return std::optional<Json>();

  auto fail = [&](OvsdbError e) -> OResult<std::optional<Json>> {
    state_ = State::kReadError;
    error_ = e;
    return e;
  };
  const char* display = name_.c_str();
  size_t start = size_t(offset_);
  size_t nl = data_.find('\n', start);
  size_t line_end = nl == std::string::npos ? data_.size() : nl + 1;
  std::string_view line(data_.data() + start, std::min<size_t>(line_end - start, 127));
  auto h = parse_header(line);
  if (!h || h->magic != magic_) {
    std::string shown(line.substr(0, line.find('\n')));
    return fail(syntax_error(nullptr, nullptr,
                             "%s: parse error at offset %lld in header line \"%s\"", display,
                             (long long)offset_, shown.c_str()));
  }
  size_t data_offset = start + line.size();
  if (data_.size() - data_offset < h->length) {
    return fail(io_error(EOF, "%s: error reading %lu bytes starting at offset %lld", display,
                         h->length, (long long)data_offset));
  }
  std::string_view body(data_.data() + data_offset, h->length);
  std::string actual = sha1_hex(body);
  if (actual != h->sha1) {
    return fail(syntax_error(nullptr, nullptr,
                             "%s: %lu bytes starting at offset %lld have SHA-1 hash %s but should "
                             "have hash %s",
                             display, h->length, (long long)data_offset, actual.c_str(),
                             h->sha1.c_str()));
  }
  auto json = parse_json_text(body);
  if (!json.ok()) {
    return fail(syntax_error(nullptr, nullptr,
                             "%s: %lu bytes starting at offset %lld are not valid JSON (%s)",
                             display, h->length, (long long)data_offset,
                             json.error().message().c_str()));
  }
  if (!json->is_object()) {
    return fail(syntax_error(nullptr, nullptr,
                             "%s: %lu bytes starting at offset %lld are not a JSON object",
                             display, h->length, (long long)data_offset));
  }
  prev_offset_ = offset_;
  offset_ = off_t(data_offset + h->length);
  return std::optional<Json>(std::move(*json));
}

void Log::unread() {
  if (state_ == State::kRead) offset_ = prev_offset_;
}

OStatus Log::truncate() {
  state_ = State::kWrite;
  if (lseek(fd_, offset_, SEEK_SET) < 0) {
    return io_error(errno, "%s: cannot seek to offset %lld", name_.c_str(), (long long)offset_);
  }
  if (ftruncate(fd_, offset_) < 0) {
    return io_error(errno, "%s: cannot truncate to length %lld", name_.c_str(),
                    (long long)offset_);
  }
  data_.clear();
  data_.shrink_to_fit();
  return {};
}

void Log::compose_record(const Json& json, const std::string& magic, std::string* header,
                         std::string* data) {
  *data = json_to_string(json);
  *data += '\n';
  *header = "OVSDB " + magic + " " + std::to_string(data->size()) + " " + sha1_hex(*data) + "\n";
}

OStatus Log::write(const Json& json) {
  if (state_ != State::kWrite) {
    if (state_ == State::kReadError) {
      VLOG_WARN("%s: truncating after the last good record at offset %lld", name_.c_str(),
                (long long)offset_);
    }
    auto st = truncate();
    if (!st.ok()) {
      state_ = State::kWriteError;
      error_ = st.error();
      return st;
    }
    error_.reset();
  }
  if (!json.is_object() && !json.is_array()) return make_error(nullptr, "bad JSON type");
  std::string header, data;
  compose_record(json, magic_, &header, &data);
  auto st = write_all(fd_, header + data);
  if (!st.ok()) {
    int e = st.error().errno_value;
    VLOG_WARN("%s: write failed (%s)", name_.c_str(), strerror(e));
    // Drop the partial record so the file stays well-formed.
    if (ftruncate(fd_, offset_) < 0 || lseek(fd_, offset_, SEEK_SET) < 0) {
      VLOG_WARN("%s: cannot remove partial write", name_.c_str());
    }
    state_ = State::kWriteError;
    error_ = io_error(e, "%s: write failed", name_.c_str());
    return *error_;
  }
  offset_ += off_t(header.size() + data.size());
  return {};
}

OStatus Log::commit() {
  if (fd_ >= 0 && fdatasync(fd_) < 0) {
    return io_error(errno, "%s: fsync failed", name_.c_str());
  }
  return {};
}

OStatus Log::replace_contents(const std::vector<Json>& records) {
  GREBE_TRY(replace(name_, magic_, records));
  int fd = ::open(name_.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    state_ = State::kWriteError;
    error_ = io_error(errno, "%s: open failed", name_.c_str());
    return *error_;
  }
  off_t end = lseek(fd, 0, SEEK_END);
  if (fd_ >= 0) close(fd_);
  fd_ = fd;
  offset_ = prev_offset_ = base_ = end < 0 ? 0 : end;
  data_.clear();
  state_ = State::kWrite;
  error_.reset();
  return {};
}

OStatus Log::replace(const std::string& name, const std::string& magic,
                     const std::vector<Json>& records) {
  std::string tmp = name + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) return io_error(errno, "%s: create failed", tmp.c_str());
  std::string out;
  for (const Json& r : records) {
    std::string header, data;
    compose_record(r, magic, &header, &data);
    out += header;
    out += data;
  }
  auto st = write_all(fd, out);
  if (st.ok() && fsync(fd) < 0) st = io_error(errno, "%s: fsync failed", tmp.c_str());
  close(fd);
  if (!st.ok()) {
    unlink(tmp.c_str());
    return st;
  }
  if (rename(tmp.c_str(), name.c_str()) < 0) {
    int e = errno;
    unlink(tmp.c_str());
    return io_error(e, "failed to rename \"%s\" to \"%s\"", tmp.c_str(), name.c_str());
  }
  fsync_parent_dir(name);
  return {};
}

}  // namespace grebe::ovsdb

// OVS-compatible lock files: ".<name>.~lock~" beside the locked file, held
// with an fcntl() write lock, so Grebe and Open vSwitch processes exclude
// each other.
#include "ovsdb/storage/lockfile.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "grebe/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(lockfile);

namespace grebe::ovsdb {

std::string lockfile_name(const std::string& file) {
  size_t slash = file.rfind('/');
  std::string dir = slash == std::string::npos ? "" : file.substr(0, slash + 1);
  std::string base = slash == std::string::npos ? file : file.substr(slash + 1);
  return dir + "." + base + ".~lock~";
}

// Takes OVS's lock file for 'file' (an fcntl write lock), returning its fd.
OResult<int> lock_file(const std::string& file) {
  std::string lock = lockfile_name(file);
  int fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return io_error(errno, "%s: failed to lock lockfile", file.c_str());
  struct flock l {};
  l.l_type = F_WRLCK;
  l.l_whence = SEEK_SET;
  if (fcntl(fd, F_SETLK, &l) < 0) {
    int e = errno == EACCES ? EAGAIN : errno;
    struct flock holder = l;
    if (fcntl(fd, F_GETLK, &holder) == 0 && holder.l_type != F_UNLCK) {
      VLOG_WARN("%s: cannot lock file because it is already locked by pid %ld", lock.c_str(),
                (long)holder.l_pid);
    }
    close(fd);
    return io_error(e, "%s: failed to lock lockfile", file.c_str());
  }
  return fd;
}

}  // namespace grebe::ovsdb

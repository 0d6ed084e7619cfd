#include "cli/run_liveness.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>

namespace eclat {

namespace {
const char* kLockedFile = "eclat.log";  // exists for the whole run; no extra file in the directory
}

RunLock::RunLock(const std::filesystem::path& run_dir) {
  // O_CLOEXEC: a node process started by the run must not inherit the lock
  // and keep the run "live" after eclat itself died.
  fd_ = ::open((run_dir / kLockedFile).c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  // Blocking: a reader's test takes the lock shared for a moment, never longer.
  if (fd_ >= 0 && flock(fd_, LOCK_EX) != 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

RunLock::~RunLock() {
  if (fd_ >= 0) ::close(fd_);
}

bool run_is_live(const std::filesystem::path& run_dir) {
  const int fd = ::open((run_dir / kLockedFile).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  // Taking the lock for a moment is harmless: the run took its own at the
  // start and never asks again.
  const bool live = flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);
  return live;
}

}  // namespace eclat

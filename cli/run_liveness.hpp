// Whether a run directory is being written by a live `eclat test`: the run
// holds an exclusive flock(2) on its eclat.log from the moment the directory
// exists until results.json is written. The kernel drops the lock when the
// process dies, however it dies, so a run killed with SIGKILL reads as
// "incomplete", never as "running" (no pid file to go stale).
#pragma once
#include <filesystem>

namespace eclat {

class RunLock {
 public:
  explicit RunLock(const std::filesystem::path& run_dir);  // best effort: a failure only hides liveness
  ~RunLock();
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

 private:
  int fd_ = -1;
};

// True while a RunLock on run_dir is held by some process.
bool run_is_live(const std::filesystem::path& run_dir);

}  // namespace eclat

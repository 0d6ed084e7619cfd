// A node process started inside its host's network namespace with
// Boost.Process (a launcher hook calls setns before exec), with stdout and
// stderr appended to <log_dir>/stdout.log and <log_dir>/stderr.log across
// restarts.
#pragma once
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace eclat {

// How a line the harness writes into a node's stderr.log begins:
//   "=== eclat: run 5.412 s (2026-12-07T15:18:49.123Z): SIGKILL to pid 812"
// at every start, kill, stop, pause and resume (eclat log reads them).
inline constexpr const char* kNodeLogMarker = "=== eclat:";

// Every node process carries ECLAT_RUN=<its run> in its environment: the
// marker by which `eclat cleanup` tells a leftover of an Éclat run from a
// process of the same name that no run started. The run sets its directory
// once it exists; before that (the lab's own tests) it is "pid <control pid>".
inline constexpr const char* kRunMarkerVariable = "ECLAT_RUN";
void set_run_marker(const std::string& run);

struct ProcessSpec {
  std::string name;                 // node name, used in messages
  std::filesystem::path exe;
  std::vector<std::string> args;
  int netns_fd = -1;                // -1: stay in the control namespace
  std::filesystem::path log_dir;    // created if missing
  std::vector<std::pair<std::string, std::string>> env;  // added to a clean environment
  // When set, the process runs with libfaketime preloaded, reading its clock
  // offset from this file at every call ("+0", "-2.5", ...; the clock faults
  // write it). CLOCK_MONOTONIC is left alone: only wall-clock time moves.
  std::filesystem::path clock_file;
};

class NodeProcess {
 public:
  explicit NodeProcess(ProcessSpec spec);
  ~NodeProcess();  // kill -9 and reap if still running
  NodeProcess(const NodeProcess&) = delete;
  NodeProcess& operator=(const NodeProcess&) = delete;

  void start();                                  // throws HarnessError if already running or exec fails
  void kill();                                   // SIGKILL (SIGCONT first if paused), reap
  void stop(std::chrono::milliseconds grace);    // SIGTERM, wait up to grace, then SIGKILL; reap
  void pause();                                  // SIGSTOP
  void resume();                                 // SIGCONT
  void restart();                                // kill if running, then start
  bool running();                                // false once the process exited (reaped here)
  bool paused() const;
  pid_t pid() const;                             // 0 when not running
  int starts() const;                            // how many times it was started
  int last_status() const;                       // wait(2) status of the last reaped run, -1 if none
  std::string log_tail(size_t lines) const;      // last lines of stderr.log then stdout.log
  const ProcessSpec& spec() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace eclat

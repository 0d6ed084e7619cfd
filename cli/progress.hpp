// Live progress of a run: elapsed / planned time, client operations ok / fail
// / info, operations per second, active faults, phase. On a terminal one line
// refreshed in place; otherwise (CI logs) a plain log line every 5 seconds.
// With a progress file, the same figures as JSON every second (replaced
// whole: eclat serve shows a live run from it).
#pragma once
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "history/history.hpp"

namespace eclat {

class Progress {
 public:
  Progress(double planned_s, bool terminal, std::filesystem::path progress_file = {});
  ~Progress();  // stops the refresh and ends the status line

  void observe(const Op& op);  // a HistoryWriter observer
  void set_phase(const std::string& phase);
  std::string line() const;    // the current status, for tests and logs
  nlohmann::json to_json() const;  // the same, as progress.json holds it

 private:
  void loop();
  void write_file() const;
  double main_seconds_locked() const;

  const double planned_s_;
  const bool terminal_;
  const std::filesystem::path progress_file_;
  const std::chrono::steady_clock::time_point start_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::string phase_ = "setup";
  std::chrono::steady_clock::time_point main_start_{}, main_end_{};
  int64_t ok_ = 0, fail_ = 0, info_ = 0;
  std::multiset<std::string> active_;
  std::thread thread_;
};

}  // namespace eclat

// faults.jsonl: every fault operation the nemesis actually performed, one
// line each as it happens, so that `eclat replay` can play the same schedule:
//   {"t": 5.012, "f": "start-kill", "value": {"nodes": ["n2"], ...},
//    "source": "nemesis", "run_s": 5.734, "utc": "2026-12-07T15:18:49.123Z"}
// t: seconds since the main phase started, taken when the operation began
// (what a replay schedules by); run_s and utc: the same moment on the run's
// time base (core/run_clock.hpp: the history's, eclat.log's, the node log
// markers') and as UTC wall time;
// f: start-X / stop-X / heal-X; value: what the fault returned (a start's
// value includes its plan's keys, fault.hpp); source: "nemesis" (the
// interval schedule, or a replayed one) or "trigger N" (the scenario's Nth
// trigger); "error" when the fault threw; "note": "end of the main phase"
// on the stops made because the main phase ended (not part of the schedule:
// a replay stops what is still on when its own main phase ends). Observations (the migration phase
// events the triggers record) are not faults and are not written.
#pragma once
#include <chrono>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace eclat {

struct FaultRecord {
  double t = 0;
  std::string f;
  nlohmann::json value;
  std::string source = "nemesis";
  std::string error;
  std::string note;
  size_t line = 0;  // where read_fault_log found it (not written)

  nlohmann::json to_json() const;
};

class FaultLog {
 public:
  FaultLog(const std::filesystem::path& path, std::chrono::steady_clock::time_point epoch);
  double now() const;  // seconds since the epoch
  void write(const FaultRecord& r);  // thread-safe, flushed at once

 private:
  std::chrono::steady_clock::time_point epoch_;
  std::mutex mu_;
  FILE* out_;
};

// Reads a faults.jsonl; BadInput naming the file (and line) when it is
// missing or a line is not a fault record.
std::vector<FaultRecord> read_fault_log(const std::filesystem::path& path);

}  // namespace eclat

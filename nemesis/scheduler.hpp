// The nemesis schedule, a generator of fault operations (generator/): by
// default the interval nemesis, one fault package per requested fault
// (gen::interval_package: `nemesis-interval` seconds after the previous
// operation, start; `nemesis-duration` seconds later, stop), the faults taken
// in a freshly shuffled cycle (every fault once per cycle); or a given
// schedule (eclat replay: the recorded operations at their offsets, each
// start's recorded value passed back as its plan). At the end, the final
// heal of every package undoes its fault, whatever happened. Every start,
// stop and heal is a nemesis operation in the history (invoke, then info
// with what was done) and a line of faults.jsonl (fault_log.hpp).
#pragma once
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "history/history.hpp"
#include "generator/clock.hpp"
#include "generator/fault_package.hpp"
#include "nemesis/fault.hpp"
#include "nemesis/fault_log.hpp"

namespace eclat {

// Records a nemesis operation around `action`: the invocation, then an info
// completion whose value is what the action returned (or its error). Returns
// that value. With a log, also a faults.jsonl line (time taken before the
// action) from `source`. Shared by the schedule and the triggers.
nlohmann::json record_nemesis_op(HistoryWriter& history, const std::string& f,
                                 const std::function<nlohmann::json()>& action, FaultLog* log = nullptr,
                                 const std::string& source = "nemesis", const std::string& note = "");

// The note on stops made because the main phase ended (faults.jsonl).
inline constexpr const char* kEndOfMainPhase = "end of the main phase";

class NemesisScheduler {
 public:
  // The interval nemesis over `faults`.
  NemesisScheduler(std::vector<std::string> faults, NemesisContext ctx, HistoryWriter& history,
                   FaultLog* log = nullptr);
  // A given schedule of start-X / stop-X operations (Op::value: the plan, or
  // null to plan afresh; Op::key: the instance, e.g. "trigger 2", whose
  // settings come from `instance_cfgs`; none: the nemesis' own). Heals every
  // fault it names at the end.
  NemesisScheduler(gen::GenPtr schedule, std::map<std::string, TestConfig> instance_cfgs, NemesisContext ctx,
                   HistoryWriter& history, FaultLog* log = nullptr);
  ~NemesisScheduler();

  // How many fault cycles (nemesis-interval off, then nemesis-duration on)
  // start within the time limit; a warning naming the faults that cannot
  // run when fewer start than `faults` were requested (each cycle starts one
  // fault, in turns), else empty. Said before the run, not discovered after.
  static int cycles_that_fit(const TestConfig& cfg);
  static std::string fit_warning(const std::vector<std::string>& faults, const TestConfig& cfg);

  void start(gen::Clock& clock);  // begins the schedule on its own thread
  void stop();       // ends the schedule (active faults are stopped) and joins
  void heal_all();   // final heal of every fault, recorded; call after stop()

 private:
  struct Instance {
    std::string fault, source;
    std::unique_ptr<Fault> impl;
    const TestConfig* cfg;
    bool active = false;
  };
  Instance& instance(const std::string& fault, const std::string& source);
  Op execute(const Op& op, const std::string& note = "");

  gen::GenPtr schedule_;
  std::vector<gen::FaultPackage> packages_;
  std::map<std::string, TestConfig> instance_cfgs_;
  std::vector<std::unique_ptr<Instance>> instances_;  // in order of first use (heal order)
  NemesisContext ctx_;
  HistoryWriter& history_;
  FaultLog* log_;
  std::mutex lock_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
};

}  // namespace eclat

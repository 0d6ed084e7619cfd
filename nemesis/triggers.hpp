// Faults fired by events instead of the interval schedule: at a time, or
// when the system reports an event, which no time-based nemesis can hit
// reliably ("when the copy of a shard completes, partition the new node").
// A system declares the events it can report in its registration
// (PartInfo::events, `eclat list systems`); miroir's are its migrations'
// phases and shard states. A scenario's "triggers" is an array of:
//   {"on": "at:5",             "fault": "add-node"}
//   {"on": "phase:dual-write", "fault": "fail-writes",
//    "with": {"fail-writes-node": "new", "fail-writes-probability": 0.02}}
//   {"on": "shard:copied",     "fault": "partition-new-node", "for": 20}
//   {"on": "phase:cutover",    "fault": "partition-new-node", "until": "phase:activate"}
//   on     at:SECONDS after the main phase starts | KIND:NAME, an event of
//          the system's
//   fault  a registered fault (its own instance)
//   for    seconds until its stop(); without `for` or `until` it stays on
//          until the end of the main phase
//   until  an event (KIND:NAME) that stops it
//   times  how many matching events start it (default 1), one at a time
//   with   settings for this fault only (same keys as --set)
// Triggers fire during the main phase only (the final heal is final): give
// the run a time limit that covers the events. Every event is also recorded
// in the history, as a nemesis info operation the system names (miroir:
// "migration", whose value is the phase event), so checkers know when each
// happened. Events are watched when the system wants them for this run
// (System::wants_events).
#pragma once
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "history/history.hpp"
#include "cluster/system.hpp"
#include "nemesis/fault.hpp"
#include "nemesis/fault_log.hpp"

namespace eclat {

class TriggerSchedule {
 public:
  // Every start/stop/heal also goes to `log` (source "trigger N"). With
  // fire = false no trigger fires (eclat replay plays the recorded faults
  // instead), the system's events are still watched and recorded.
  TriggerSchedule(const TestConfig& cfg, NemesisContext ctx, HistoryWriter& history, FaultLog* log = nullptr,
                  bool fire = true);
  ~TriggerSchedule();

  // BadInput naming the trigger and the problem; before anything runs.
  static void validate(const TestConfig& cfg, const System& system);
  // The configuration trigger `n` (1-based) runs its fault with: cfg plus its
  // "with" settings (eclat replay applies them to the recorded operations).
  static TestConfig settings_of(const TestConfig& cfg, size_t n);

  void start();      // main phase begins: timers start, phases are watched
  void stop();       // main phase over: no more firing; active faults stopped
  void heal_all();   // final heal of every triggered fault, recorded
  void finish();     // stop recording phase events (before teardown)

 private:
  struct Trigger;
  void on_event(const SystemEvent& event);
  void run();  // the executor thread: every start/stop happens here, in order
  void fire(Trigger& t, const nlohmann::json& cause);
  void schedule(std::chrono::steady_clock::time_point at, std::function<void()> action);

  std::mt19937_64 rng_;  // its own: the interval schedule's runs on another thread
  NemesisContext ctx_;
  HistoryWriter& history_;
  FaultLog* log_;
  std::vector<std::unique_ptr<Trigger>> triggers_;
  bool watch_ = false;
  std::chrono::steady_clock::time_point main_start_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::pair<std::chrono::steady_clock::time_point, std::function<void()>>> queue_;
  bool firing_ = false;   // between start() and stop()
  bool stopping_ = false;
  std::thread executor_;
};

}  // namespace eclat

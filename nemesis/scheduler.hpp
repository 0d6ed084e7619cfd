// The nemesis schedule: every `interval` seconds, start the next fault of a
// freshly shuffled cycle through the requested faults (so every fault appears
// once per cycle), keep it for `duration` seconds, stop it. At the end, the
// final heal undoes every fault, whatever happened. Every start, stop and heal
// is a nemesis operation in the history (invoke, then info with what was done).
#pragma once
#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "checker/history.hpp"
#include "nemesis/fault.hpp"

namespace eclat {

// Records a nemesis operation around `action`: the invocation, then an info
// completion whose value is what the action returned (or its error). Returns
// that value. Shared by the interval schedule and the triggers.
nlohmann::json record_nemesis_op(HistoryWriter& history, const std::string& f,
                                 const std::function<nlohmann::json()>& action);

class NemesisScheduler {
 public:
  NemesisScheduler(std::vector<std::string> faults, NemesisContext ctx, HistoryWriter& history);
  ~NemesisScheduler();

  void start();      // begins the schedule on its own thread
  void stop();       // ends the schedule (the active fault is stopped) and joins
  void heal_all();   // final heal of every fault, recorded; call after stop()

 private:
  void loop();
  bool wait(double seconds);  // false when stopped meanwhile

  std::vector<std::string> names_;
  std::vector<std::unique_ptr<Fault>> faults_;
  NemesisContext ctx_;
  HistoryWriter& history_;
  double interval_s_, duration_s_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
};

}  // namespace eclat

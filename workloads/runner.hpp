// Drives the workers of the main phase and records every operation.
#pragma once
#include <atomic>
#include <functional>
#include <memory>

#include "history/history.hpp"
#include "generator/clock.hpp"
#include "generator/generator.hpp"
#include "cluster/client.hpp"
#include "workloads/workload.hpp"

namespace eclat {

// How long a workload's final read may retry (every workload with one lists it).
inline constexpr NumberSetting kFinalReadTimeout{"final-read-timeout", 60, 1, 86400,
                                                 "seconds the final read may retry"};

class System;

// Records client operations: the invocation before the call, the completion
// after it, each written to disk as it happens. A process whose operation
// ended info never invokes again (Jepsen's rule): its worker continues as
// process + concurrency (gen::drive), so process mod concurrency is the
// worker. fresh_process() hands out ids above every id used so far, for the
// final phase's one-off processes.
class HistoryRecorder {
 public:
  HistoryRecorder(HistoryWriter& writer, int concurrency) : writer_(writer), next_process_(concurrency) {}
  // Records the invocation, runs it, records and returns the completion.
  Op run(Client& client, Op invocation, int64_t process);
  int64_t fresh_process() { return next_process_.fetch_add(1); }
  HistoryWriter& writer() { return writer_; }

 private:
  void saw_process(int64_t p);

  HistoryWriter& writer_;
  std::atomic<int64_t> next_process_;
};

struct MainPhase {
  int concurrency = 10;
  double rate = 500;         // operations per second, all workers together
  double time_limit_s = 30;  // seconds
  uint64_t seed = 0;
};

// The default client generator: every worker its own sequence of `source`
// (the workload's next()), a uniform random [0, 2 * concurrency / rate)
// between two due times (Jepsen's stagger: together the workers approach
// `rate`), until the time limit:
//   time_limit(T, each_thread(stagger(concurrency / rate, source)))
gen::GenPtr standard_client_generator(const MainPhase& phase, gen::GenPtr source);

// Runs `concurrency` workers on the workload's generator (Workload::generator)
// until it is exhausted (the time limit) or `stop` turns true. Worker w draws
// from its own random source, gen::worker_rng(seed, w). `clock`'s epoch is
// the start of the main phase. Returns when every worker finished its last
// operation.
void run_main_phase(const MainPhase& phase, Workload& workload, System& system, HistoryRecorder& recorder,
                    const std::atomic<bool>& stop, gen::Clock& clock);

}  // namespace eclat

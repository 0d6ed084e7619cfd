// Drives the workers of the main phase and records every operation.
#pragma once
#include <atomic>
#include <functional>
#include <memory>

#include "checker/history.hpp"
#include "workloads/client.hpp"
#include "workloads/workload.hpp"

namespace eclat {

class System;

// Records client operations: the invocation before the call, the completion
// after it, each written to disk as it happens. Hands out process ids: a
// process whose operation ended info never invokes again (Jepsen's rule), its
// worker continues under a fresh id.
class HistoryRecorder {
 public:
  HistoryRecorder(HistoryWriter& writer, int concurrency) : writer_(writer), next_process_(concurrency) {}
  // Records the invocation, runs it, records and returns the completion.
  Op run(Client& client, Op invocation, int64_t process);
  int64_t fresh_process() { return next_process_.fetch_add(1); }
  HistoryWriter& writer() { return writer_; }

 private:
  HistoryWriter& writer_;
  std::atomic<int64_t> next_process_;
};

struct MainPhase {
  int concurrency = 10;
  double rate = 500;         // operations per second, all workers together
  double time_limit_s = 30;  // seconds
  uint64_t seed = 0;
};

// Runs `concurrency` workers until the time limit (or until `stop` turns
// true), each invoking the workload's next operation at a staggered pace so
// that the total approaches `rate`. Returns when every worker finished its
// last operation.
void run_main_phase(const MainPhase& phase, Workload& workload, System& system,
                    HistoryRecorder& recorder, const std::atomic<bool>& stop);

}  // namespace eclat

// The task worker: one thread that applies pending tasks in uid order, a
// batch at a time (one atomic store.apply per batch, which is what makes a
// burst of small writes cheap), and the waiting side of the long poll.
//
// "processing" is not persisted: it is the worker's view of the batch it is
// applying right now. A crash mid-batch leaves those tasks enqueued, and the
// restarted worker applies them again from the durable queue.
#pragma once
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "miroir/node/store.hpp"

namespace miroir::node {

struct WorkerLimits {
  size_t max_tasks = 64;         // tasks per batch
  size_t max_documents = 10000;  // documents per batch (at least one task)
};

class Worker {
 public:
  explicit Worker(Store& store, WorkerLimits limits = WorkerLimits{});
  ~Worker();

  void start();
  // Stops after the current batch; wakes every waiter. Idempotent.
  void stop();

  // Called after an enqueue: there is work.
  void wake();

  // Current state, "processing" included.
  TaskState status(uint64_t uid);
  // Long poll: returns once the task is finished (or unknown), at `deadline`,
  // or when the worker stops.
  TaskState wait(uint64_t uid, std::chrono::steady_clock::time_point deadline);

 private:
  void run();

  Store& store_;
  WorkerLimits limits_;
  std::mutex mu_;
  std::condition_variable work_cv_, done_cv_;
  uint64_t enqueue_gen_ = 0, done_gen_ = 0;
  bool stopping_ = false;
  uint64_t processing_lo_ = 0, processing_hi_ = 0;  // uids of the batch being applied
  std::thread thread_;
};

}  // namespace miroir::node

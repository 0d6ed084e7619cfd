// set: workers add unique elements; once the faults are healed and the
// cluster is quiescent, one final read. Checked by set-full ("lost-writes").
// The final read asks for every copy ("all-copies"): a write is lost when no
// copy has it. Without anti-entropy a copy that was down or cut off misses
// the writes acknowledged meanwhile by the other group or replicas; that is
// divergence (reported with the read, repaired by anti-entropy), not loss.
// Elements are worker + concurrency * i (the worker's i-th add), so a
// worker's sequence depends only on the seed (eclat replay repeats it).
// With --set read-interval=S one worker reads the whole set every S seconds
// during the run too, so the checker sees when elements become visible, go
// stale or vanish. Off by default: miroir lists by offset pagination, and a
// read concurrent with inserts can return an element twice or skip one (a
// finding set-full reports, duplicates as invalid), which is not what the
// default "no acknowledged write lost" test is about. These reads go by the
// wall clock (the first worker past the due time), so they are not part of
// the replayable sequence.
#include <atomic>
#include <chrono>
#include <thread>

#include "cluster/system.hpp"
#include "core/log.hpp"
#include "workloads/runner.hpp"
#include "workloads/workload.hpp"

namespace eclat {
namespace {

constexpr NumberSetting kReadInterval{
    "read-interval", 0, 0, 86400,
    "set: seconds between two reads of the whole set during the run (0: only the final read; see README)"};

class SetWorkload : public Workload {
 public:
  explicit SetWorkload(const TestConfig& cfg)
      : concurrency_(cfg.concurrency),
        added_(static_cast<size_t>(cfg.concurrency), 0),
        final_read_timeout_s_(kFinalReadTimeout(cfg.settings)),
        read_interval_ns_(static_cast<int64_t>(kReadInterval(cfg.settings) * 1e9)),
        start_(std::chrono::steady_clock::now()) {
    next_read_ns_.store(read_interval_ns_);
  }

  Op next(int worker, std::mt19937_64&) override {
    Op op;
    if (read_interval_ns_ > 0) {
      // The first worker to pass the due time takes the read.
      int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start_).count();
      int64_t due = next_read_ns_.load();
      if (now >= due && next_read_ns_.compare_exchange_strong(due, now + read_interval_ns_)) {
        op.f = "read";
        return op;
      }
    }
    // Unique per worker, whatever the interleaving: worker + concurrency * i.
    op.f = "add";
    op.value = worker + concurrency_ * added_[static_cast<size_t>(worker)]++;
    return op;
  }

  void final_phase(System& system, HistoryRecorder& recorder) override {
    auto client = system.client(-1);
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                              std::chrono::duration<double>(final_read_timeout_s_));
    // A read may fail while a node is still coming back: retry until one
    // succeeds; each attempt is in the history.
    for (int attempt = 1;; ++attempt) {
      Op read;
      read.f = "read";
      read.value = "all-copies";
      Op done = recorder.run(*client, read, recorder.fresh_process());
      if (done.type == OpType::ok) {
        ECLAT_LOG(info, "workload") << "final read: " << done.value.size() << " elements"
                                    << (done.error.empty() ? "" : " (" + done.error + ")");
        return;
      }
      ECLAT_LOG(warn, "workload") << "final read attempt " << attempt << " failed: " << done.error;
      if (std::chrono::steady_clock::now() >= deadline) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  }

  std::vector<std::string> default_checkers() const override { return {"lost-writes", "stats", "perf", "timeline", "partitions"}; }

 private:
  const int64_t concurrency_;
  std::vector<int64_t> added_;  // per worker: its elements so far
  double final_read_timeout_s_;
  int64_t read_interval_ns_;
  std::chrono::steady_clock::time_point start_;
  std::atomic<int64_t> next_read_ns_{0};
};

const bool registered = register_workload(
    {.name = "set",
     .doc = "add unique elements; a final read of every copy (checked by lost-writes, Jepsen's set-full)",
     .settings = {&kReadInterval, &kFinalReadTimeout}},
    [](const TestConfig& cfg) { return std::make_unique<SetWorkload>(cfg); });

}  // namespace
}  // namespace eclat

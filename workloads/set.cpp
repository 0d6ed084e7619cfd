// set: workers add unique elements; once the faults are healed and the
// cluster is quiescent, one final read of the whole set. Checked by
// lost-writes (every acknowledged add must be in the final read).
#include <atomic>
#include <chrono>
#include <thread>

#include "cluster/systems/system.hpp"
#include "core/log.hpp"
#include "workloads/runner.hpp"
#include "workloads/workload.hpp"

namespace eclat {
namespace {

class SetWorkload : public Workload {
 public:
  explicit SetWorkload(const TestConfig& cfg)
      : final_read_timeout_s_(cfg.settings.get_double("final-read-timeout", 60, 1, 86400)) {}

  Op next(int, std::mt19937_64&) override {
    Op op;
    op.f = "add";
    op.value = next_.fetch_add(1);
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
      Op done = recorder.run(*client, read, recorder.fresh_process());
      if (done.type == OpType::ok) {
        ECLAT_LOG(info, "workload") << "final read: " << done.value.size() << " elements";
        return;
      }
      ECLAT_LOG(warn, "workload") << "final read attempt " << attempt << " failed: " << done.error;
      if (std::chrono::steady_clock::now() >= deadline) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  }

  std::vector<std::string> default_checkers() const override { return {"lost-writes", "stats"}; }

 private:
  std::atomic<int64_t> next_{0};
  double final_read_timeout_s_;
};

const bool registered =
    register_workload("set", [](const TestConfig& cfg) { return std::make_unique<SetWorkload>(cfg); });

}  // namespace
}  // namespace eclat

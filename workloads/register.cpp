// register: workers write and read single-value registers, one document per
// key, checked per key for linearizability (model cas-register, split by key).
//
// Keys overlap on purpose: `--set keys=K` keys are live at a time (default
// 5), so several workers hit the same key concurrently. Values come from
// 0..values-1 (default 5), small so that a value comes back (v1, v2, v1),
// which is what exposes a system that deduplicates identical requests. Like
// Jepsen's independent keys, a key is retired after about kOpsPerKey (300)
// operations and the next generation of K keys takes over: the search cost
// of a key stays bounded however long the run is.
// After the heal every key is read once more: a write acknowledged and then
// lost shows up as a stale final read.
// On a system whose client knows compare-and-set (etcd), half of the
// non-read operations are cas(k, [old new]) with old and new drawn like
// written values (`--set cas=false` turns them off; asking for them on a
// system without cas is refused).
#include <atomic>
#include <optional>
#include <vector>

#include "cluster/system.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"
#include "workloads/runner.hpp"
#include "workloads/workload.hpp"

namespace eclat {
namespace {

constexpr IntSetting kKeys{"keys", 5, 1, 1'000'000, "register: number of keys the operations are drawn from"};
constexpr IntSetting kValues{"values", 5, 1, 1'000'000'000,
                             "register: written values are drawn from 0..values-1 (small so that values repeat)"};
constexpr NumberSetting kReadFraction{"read-fraction", 0.5, 0, 1, "register: fraction of operations that are reads"};
constexpr FlagSetting kCas{"cas", false, "register: also compare-and-set operations",
                           "true on a system whose client has cas"};

constexpr int64_t kOpsPerKey = 300;

class RegisterWorkload : public Workload {
 public:
  explicit RegisterWorkload(const TestConfig& cfg)
      : keys_(kKeys(cfg.settings)),
        values_(kValues(cfg.settings)),
        read_fraction_(kReadFraction(cfg.settings)),
        concurrency_(cfg.concurrency),
        ops_(static_cast<size_t>(cfg.concurrency), 0) {
    if (cfg.settings.has(kCas.key)) settings_cas_ = kCas(cfg.settings);
  }

  void validate(const TestConfig& cfg, const System& system) const override {
    if (kCas(cfg.settings, system.can_cas()) && !system.can_cas())
      throw BadInput("setting cas=true: the " + cfg.system + " client has no compare-and-set");
  }

  void prepare(System& system) override { cas_ = settings_cas_.value_or(system.can_cas()); }

  // Keys and values from the worker's own rng; the generation from the
  // worker's own count (times concurrency: about the total so far), so that a
  // worker's sequence depends only on the seed.
  Op next(int worker, std::mt19937_64& rng) override {
    const int64_t generation = ops_[static_cast<size_t>(worker)]++ * concurrency_ / (kOpsPerKey * keys_);
    const int64_t key = generation * keys_ + std::uniform_int_distribution<int64_t>(0, keys_ - 1)(rng);
    int64_t seen = highest_key_.load();
    while (key > seen && !highest_key_.compare_exchange_weak(seen, key)) {
    }
    Op op;
    op.key = std::to_string(key);
    if (std::uniform_real_distribution<double>(0, 1)(rng) < read_fraction_) {
      op.f = "read";
    } else if (cas_ && std::uniform_int_distribution<int>(0, 1)(rng) == 1) {
      std::uniform_int_distribution<int64_t> value(0, values_ - 1);
      op.f = "cas";
      const int64_t from = value(rng);
      op.value = nlohmann::json::array({from, value(rng)});
    } else {
      op.f = "write";
      op.value = std::uniform_int_distribution<int64_t>(0, values_ - 1)(rng);
    }
    return op;
  }

  // One read of every key ever used, once the cluster is healed and quiet.
  void final_phase(System& system, HistoryRecorder& recorder) override {
    auto client = system.client(-1);
    const int64_t n = highest_key_.load() + 1;
    int64_t failed = 0;
    for (int64_t k = 0; k < n; ++k) {
      Op read;
      read.f = "read";
      read.key = std::to_string(k);
      if (recorder.run(*client, read, recorder.fresh_process()).type != OpType::ok) ++failed;
    }
    ECLAT_LOG(info, "workload") << "final reads: " << n << " keys, " << failed << " failed";
  }

  std::vector<std::string> default_checkers() const override {
    return {"linearizable", "stats", "perf", "timeline", "partitions"};
  }

 private:
  const int64_t keys_, values_;
  const double read_fraction_;
  std::optional<bool> settings_cas_;  // --set cas, when given
  bool cas_ = false;                  // decided in prepare(), from the system
  const int64_t concurrency_;
  std::vector<int64_t> ops_;  // per worker
  std::atomic<int64_t> highest_key_{-1};
};

const bool registered = register_workload(
    {.name = "register",
     .doc = "write(k, v), read(k), and cas(k, [old, new]) where the client has it; a final read of every key "
            "(checked by linearizable)",
     .settings = {&kKeys, &kValues, &kReadFraction, &kCas}},
    [](const TestConfig& cfg) { return std::make_unique<RegisterWorkload>(cfg); });

}  // namespace
}  // namespace eclat

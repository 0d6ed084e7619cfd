// migration: what the seed documents ask of a shard migration, as a workload.
// Workers insert unique elements at a steady rate for the whole run (the
// add-node / remove-node faults or triggers start the migration meanwhile);
// with --set overwrites=true the first --set hot-keys=H workers (default 4)
// also overwrite one hot document each, on the shards the added node will
// take, with increasing versions (one writer per key, so versions and
// acknowledgements come in the same order). --set overwrites-for=S stops the
// overwrites S seconds into the run: a key last written during dual-write
// keeps whatever the migration made of that write (with overwrites to the
// end, the writes after cutover hide the copy's hazards).
//
// Final phase, after the heal and quiescence, each step in the history:
//   migrations    wait until no migration runs (--set migration-timeout=S,
//                 default 120), value = every migration's status
//   anti-entropy  one forced pass when anti-entropy is on (value = counters)
//   read          the whole set from every copy (checked by lost-writes)
//   read(key)     every hot key by id (checked by stale-values)
//   inspect       where every document lives, from the nodes directly
//                 (checked by placement and convergence)
// Checked by lost-writes, migration (loss per shard and during dual-write,
// the migration's counters), placement, convergence, stale-values.
#include <array>
#include <atomic>
#include <chrono>
#include <thread>

#include "cluster/system.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"
#include "systems/miroir/hooks.hpp"
#include "workloads/runner.hpp"
#include "workloads/workload.hpp"

namespace eclat {
namespace {

constexpr FlagSetting kOverwrites{"overwrites", false,
                                  "migration: also overwrite a few hot keys on the moving shards with versions"};
constexpr IntSetting kHotKeys{"hot-keys", 4, 1, 1000, "migration: number of hot keys overwritten"};
constexpr NumberSetting kOverwritesFor{"overwrites-for", 0, 0, 86400,
                                       "migration: seconds from the start during which hot keys are overwritten "
                                       "(0: the whole run)"};
constexpr NumberSetting kMigrationTimeout{"migration-timeout", 120, 1, 86400,
                                          "migration: seconds the final phase waits for migrations to finish"};

using std::chrono::milliseconds;

class MigrationWorkload : public Workload {
 public:
  explicit MigrationWorkload(const TestConfig& cfg)
      : overwrites_(kOverwrites(cfg.settings)),
        hot_count_(static_cast<size_t>(kHotKeys(cfg.settings))),
        migration_timeout_(ms_of(kMigrationTimeout, cfg)),
        final_read_timeout_s_(kFinalReadTimeout(cfg.settings)),
        overwrites_for_ns_(static_cast<int64_t>(kOverwritesFor(cfg.settings) * 1e9)),
        versions_(hot_count_),
        concurrency_(cfg.concurrency),
        added_(static_cast<size_t>(cfg.concurrency), 0) {
    if (overwrites_ && hot_count_ > static_cast<size_t>(cfg.concurrency))
      throw BadInput("setting hot-keys=" + std::to_string(hot_count_) + ": at most one hot key per worker (--concurrency " +
                     std::to_string(cfg.concurrency) + ")");
  }

  void validate(const TestConfig& cfg, const System& system) const override {
    require_miroir("workload migration", cfg, system);
  }

  // The hot keys depend on the system's routing.
  void prepare(System& system) override {
    if (overwrites_) hot_keys_ = miroir_hooks(system).keys_on_moving_shards(hot_count_);
    start_ = std::chrono::steady_clock::now();
  }

  Op next(int worker, std::mt19937_64&) override {
    Op op;
    const auto w = static_cast<size_t>(worker);
    const bool overwriting =
        overwrites_for_ns_ == 0 || std::chrono::steady_clock::now() - start_ < std::chrono::nanoseconds(overwrites_for_ns_);
    if (w < hot_keys_.size() && overwriting && (turn_[w % kTurns].fetch_add(1) % 2 == 1)) {
      op.f = "overwrite";
      op.key = hot_keys_[w];
      op.value = versions_[w].fetch_add(1) + 1;
      return op;
    }
    op.f = "add";  // unique per worker, whatever the interleaving
    op.value = worker + concurrency_ * added_[w]++;
    return op;
  }

  void final_phase(System& system, HistoryRecorder& recorder) override {
    MiroirHooks& hooks = miroir_hooks(system);
    record(recorder, "migrations", [&] { return hooks.wait_migrations(migration_timeout_); },
           [](const nlohmann::json& v) { return v.value("done", false) ? "" : "a migration was still running"; });
    system.wait_quiescent(milliseconds(60000));
    record(recorder, "anti-entropy", [&] { return hooks.anti_entropy_now(); },
           [](const nlohmann::json& v) -> std::string {
             // Off is a configuration, not a failure: recorded ok, ran = false.
             if (v.value("ran", false) || v.value("error_code", "") == "miroir_anti_entropy_off") return "";
             return v.value("error_code", "not run");
           });

    auto client = system.client(-1);
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                              std::chrono::duration<double>(final_read_timeout_s_));
    auto until_ok = [&](Op read) {
      for (int attempt = 1;; ++attempt) {
        Op done = recorder.run(*client, read, recorder.fresh_process());
        if (done.type == OpType::ok || std::chrono::steady_clock::now() >= deadline) return done;
        ECLAT_LOG(warn, "workload") << "final " << read.f << (read.key ? " " + *read.key : "") << " attempt "
                                    << attempt << " failed: " << done.error;
        std::this_thread::sleep_for(milliseconds(500));
      }
    };
    Op all;
    all.f = "read";
    all.value = "all-copies";
    Op got = until_ok(all);
    if (got.type == OpType::ok) ECLAT_LOG(info, "workload") << "final read: " << got.value.size() << " elements";
    for (const auto& k : hot_keys_) {
      Op r;
      r.f = "read";
      r.key = k;
      until_ok(r);
    }
    record(recorder, "inspect", [&] { return hooks.inspect(); }, [](const nlohmann::json&) { return ""; });
  }

  std::vector<std::string> default_checkers() const override {
    std::vector<std::string> c = {"lost-writes", "migration", "placement", "convergence"};
    if (overwrites_) c.push_back("stale-values");
    for (const char* r : {"stats", "perf", "timeline"}) c.push_back(r);
    return c;
  }

 private:
  static constexpr size_t kTurns = 1024;

  // A step of the harness's own (no client): invoke, then ok with what it
  // returned, or info with the error. `problem` names what makes it info.
  template <class Run, class Problem>
  static void record(HistoryRecorder& recorder, const std::string& f, Run run, Problem problem) {
    Op op;
    op.process = recorder.fresh_process();
    op.f = f;
    op.type = OpType::invoke;
    recorder.writer().record(op);
    try {
      op.value = run();
      std::string p = problem(op.value);
      op.type = p.empty() ? OpType::ok : OpType::info;
      op.error = p;
    } catch (const std::exception& e) {
      op.type = OpType::info;
      op.value = nullptr;
      op.error = e.what();
    }
    recorder.writer().record(op);
    ECLAT_LOG(info, "workload") << f << ": " << (op.error.empty() ? "ok" : op.error);
    if (f == "migrations" && op.value.is_object())
      for (const auto& m : op.value.value("migrations", nlohmann::json::array()))
        for (const auto& d : m.value("decisions", nlohmann::json::array()))
          ECLAT_LOG(info, "migration") << m.value("id", "?") << " decided: " << d.get<std::string>();
  }

  const bool overwrites_;
  const size_t hot_count_;
  const milliseconds migration_timeout_;
  const double final_read_timeout_s_;
  const int64_t overwrites_for_ns_;  // 0: the whole run
  std::chrono::steady_clock::time_point start_;
  std::vector<std::string> hot_keys_;
  std::vector<std::atomic<int64_t>> versions_;
  std::array<std::atomic<uint64_t>, kTurns> turn_{};
  const int64_t concurrency_;
  std::vector<int64_t> added_;  // per worker: its elements so far
};

const bool registered = register_workload(
    {.name = "migration",
     .doc = "add unique elements (and overwrite hot keys) while nodes are added or removed; after the heal: wait "
            "for the migrations, anti-entropy, final reads, inspect every node",
     .settings = {&kOverwrites, &kHotKeys, &kOverwritesFor, &kMigrationTimeout, &kFinalReadTimeout}},
    [](const TestConfig& cfg) { return std::make_unique<MigrationWorkload>(cfg); });

}  // namespace
}  // namespace eclat

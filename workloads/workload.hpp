// A workload: what operations the workers invoke during the main phase, what
// it does once the faults are healed (final reads), and which checkers judge
// its history. Workloads register by name (FoundationDB style: one per file).
#pragma once
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "history/history.hpp"
#include "core/catalog.hpp"
#include "core/settings.hpp"
#include "core/test_config.hpp"
#include "generator/generator.hpp"

namespace eclat {

class System;
class HistoryRecorder;
struct MainPhase;

class Workload {
 public:
  virtual ~Workload() = default;
  // Before the lab exists: BadInput when the workload cannot run on `system`.
  virtual void validate(const TestConfig&, const System&) const {}
  // Once the cluster is up, before the main phase.
  virtual void prepare(System&) {}
  // The next invocation for a worker (f, key, value; type, process and time
  // are filled in by the runner). Called from the workers, one at a time.
  // For a replayable run, what a worker gets must depend only on its own
  // past calls and `rng` (the worker's own source), not on the other
  // workers: keep per-worker state (e.g. unique values worker +
  // concurrency * i), not shared counters taken in arrival order.
  virtual Op next(int worker, std::mt19937_64& rng) = 0;
  // The client generator of the main phase (generator/). Default:
  // standard_client_generator (runner.hpp) over next().
  virtual gen::GenPtr generator(const MainPhase& phase);
  // After the main phase, the faults healed and the cluster quiescent.
  virtual void final_phase(System& system, HistoryRecorder& recorder) = 0;
  virtual std::vector<std::string> default_checkers() const = 0;
};

using WorkloadFactory = std::function<std::unique_ptr<Workload>(const TestConfig&)>;
// From the workload's own file, with its record (doc, the settings it reads):
//   const bool registered = register_workload({.name = "set", .doc = "...", .settings = {&kReadInterval}}, factory);
bool register_workload(PartInfo info, WorkloadFactory factory);
std::unique_ptr<Workload> make_workload(const TestConfig& cfg);  // BadInput for unknown names
std::vector<std::string> workload_names();

}  // namespace eclat

// What `eclat replay` plays: a recorded run's scenario (same seed, so the
// same client operations per worker) and its faults.jsonl (the same faults,
// with the same plans, at the same offsets).
#pragma once
#include <filesystem>
#include <map>
#include <vector>

#include "core/test_config.hpp"
#include "generator/generator.hpp"
#include "nemesis/fault_log.hpp"

namespace eclat {

struct ReplayPlan {
  std::filesystem::path of;         // the recorded run directory
  TestConfig cfg;                   // its scenario.json
  std::vector<FaultRecord> faults;  // its faults.jsonl
};

// Reads RUN_DIR/scenario.json and RUN_DIR/faults.jsonl. BadInput naming the
// file (and line) when one is missing or malformed, or names a fault or a
// trigger the scenario does not have; nothing is created.
ReplayPlan load_replay_plan(const std::filesystem::path& run_dir);

// The recorded starts and stops at their offsets (a start's recorded value
// is its plan; operations that failed, the stops made because the main phase
// ended and the final heals are left out: the replay does those at its own
// end). Op::key names a trigger's instance.
gen::GenPtr replay_schedule(const ReplayPlan& plan);

// "trigger N" -> the settings trigger N ran its fault with.
std::map<std::string, TestConfig> replay_instance_settings(const TestConfig& cfg, const ReplayPlan& plan);

}  // namespace eclat

// The effective configuration of a test: what a scenario file says, overridden
// by flags. Every flag has a scenario key of the same name. Validated here,
// before anything is started, so bad input never leaves a half-made run.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/settings.hpp"

namespace eclat {

// The system `eclat test` runs without --system.
std::string default_system();

struct TestConfig {
  std::string name;                   // results/<name>/...; default "<system>-<workload>"
  std::string system = default_system();  // the project's choice (CMake ECLAT_DEFAULT_SYSTEM)
  std::string workload = "set";
  std::vector<std::string> nemesis = {"kill", "partition"};
  int nodes = 3;
  double time_limit = 30;             // seconds of the main phase
  int concurrency = 10;
  double rate = 500;                  // target operations per second, all workers together
  uint64_t seed = 0;
  bool seed_given = false;
  std::string results = "results";
  std::vector<std::string> bugs;
  std::vector<std::string> checkers;  // empty: the workload's defaults
  std::optional<std::string> expected;  // "valid" | "invalid" | "unknown" (for suites)
  // Faults fired by events instead of the interval schedule (scenario key
  // "triggers", see nemesis/triggers.hpp): a JSON array of objects.
  nlohmann::json triggers = nlohmann::json::array();
  std::string triggers_from;  // the scenario file that gave them (for messages)
  Settings settings;

  nlohmann::json to_json() const;
  // True when a fault of the run (interval or trigger) moves clocks: node
  // processes then run under libfaketime (ProcessSpec::clock_file).
  bool moves_clocks() const;
};

// Parses `eclat test` arguments (after the word "test"). A --scenario file is
// read first and flags override it. Throws BadInput naming the flag or key.
TestConfig parse_test_args(const std::vector<std::string>& args);

// Applies a scenario JSON object onto cfg; `where` names the file in messages
// (and is the base of a relative "scenario" include).
void apply_scenario(TestConfig& cfg, const nlohmann::json& scenario, const std::string& where);

// Range and shape checks common to every system (node count, rates...).
void validate_common(const TestConfig& cfg);

// FoundationDB's checkAllOptionsConsumed: every setting given (with --set,
// in "set", or in a trigger's "with") must be read by a part of this run
// (its system, workload, faults, checkers, or the framework). BadInput names
// the setting, who reads it, and what the run is made of. cfg.checkers must
// be the run's checkers (the workload's defaults resolved).
void check_settings_used(const TestConfig& cfg);

// Every setting this run reads (framework, system, workload, faults,
// checkers), with its value: the one given, or "<default> (default)".
nlohmann::json effective_settings(const TestConfig& cfg);

std::string test_usage();

}  // namespace eclat

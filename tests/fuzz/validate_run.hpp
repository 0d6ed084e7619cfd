// What `eclat test` does with a parsed configuration before anything
// exists (cli/test_command.cpp, run_test's step 1: "everything the user gave
// is checked"), for the fuzz targets of the scenario and the arguments: the
// system, workload, faults, triggers and checkers it names are made and
// validate it, then every setting given must be read by one of them. Then
// the run's scenario.json is made (TestConfig::to_json, as run_test writes
// it). Keep in step with run_test. Throws BadInput for bad input; anything
// else is a finding.
#pragma once
#include <string>
#include <vector>

#include "checker/checker.hpp"
#include "cluster/system.hpp"
#include "core/test_config.hpp"
#include "nemesis/fault.hpp"
#include "nemesis/triggers.hpp"
#include "workloads/workload.hpp"

namespace eclat::fuzz {

inline void validate_run(TestConfig cfg) {
  (void)cfg.moves_clocks();
  auto system = make_system(cfg);
  auto workload = make_workload(cfg);
  for (const auto& f : cfg.nemesis) make_fault(f)->validate(cfg, *system);
  TriggerSchedule::validate(cfg, *system);
  workload->validate(cfg, *system);
  std::vector<std::string> checkers = cfg.checkers.empty() ? workload->default_checkers() : cfg.checkers;
  for (const auto& c : checkers) make_checker(c);
  cfg.checkers = checkers;
  check_settings_used(cfg);
  (void)cfg.to_json().dump(2);
}

}  // namespace eclat::fuzz

// Which nodes a fault hits, Jepsen's node specs: "one", "minority",
// "majority", "all" or "primary" (the system's current leader, for systems
// that have one). Chosen per fault with --set <fault>-targets=SPEC, else
// --set targets=SPEC, else "one".
#pragma once
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/settings.hpp"
#include "core/test_config.hpp"

namespace eclat {

inline constexpr const char* kTargetChoices = "one|minority|majority|all|primary";
inline constexpr TextSetting kTargets{"targets", "one",
                                      "process, clock, packet and reject faults: which nodes", kTargetChoices};
// A fault's own "<fault>-targets", which overrides targets:
//   constexpr TextSetting kKillTargets = fault_targets("kill-targets", "kill fault: overrides targets");
constexpr TextSetting fault_targets(const char* key, const char* doc) {
  return TextSetting{key, "", doc, kTargetChoices, "targets"};
}

class System;

// The spec in force for `fault`; BadInput names the key and the known specs.
std::string target_spec(const TestConfig& cfg, const std::string& fault);

// Draws the targets among `candidates` (in the given order; shuffled with
// rng). "primary" asks the system; no primary known -> empty.
std::vector<std::string> pick_targets(const std::string& spec, std::vector<std::string> candidates,
                                      System& system, std::mt19937_64& rng);

// The node names of a plan ({"nodes": [...]}).
std::vector<std::string> planned_nodes(const nlohmann::json& plan);

}  // namespace eclat

#include "nemesis/targets.hpp"

#include <algorithm>

#include "cluster/system.hpp"
#include "core/errors.hpp"

namespace eclat {
namespace {
const std::vector<std::string> kSpecs = {"one", "minority", "majority", "all", "primary"};
}

std::string target_spec(const TestConfig& cfg, const std::string& fault) {
  const std::string key = cfg.settings.has(fault + "-targets") ? fault + "-targets" : "targets";
  const std::string spec = cfg.settings.get_string(key, kTargets.text_def);
  if (std::find(kSpecs.begin(), kSpecs.end(), spec) == kSpecs.end())
    throw BadInput("setting " + key + "=" + spec + ": not a target (one, minority, majority, all, primary)");
  return spec;
}

std::vector<std::string> pick_targets(const std::string& spec, std::vector<std::string> candidates,
                                      System& system, std::mt19937_64& rng) {
  if (spec == "primary") {
    const std::string p = system.primary();
    if (p.empty() || std::find(candidates.begin(), candidates.end(), p) == candidates.end()) return {};
    return {p};
  }
  std::shuffle(candidates.begin(), candidates.end(), rng);
  const size_t n = candidates.size();
  size_t k = 0;
  if (spec == "one") k = std::min<size_t>(1, n);
  else if (spec == "minority") k = n == 0 ? 0 : (n - 1) / 2;  // the largest strict minority
  else if (spec == "majority") k = n / 2 + (n > 0 ? 1 : 0);
  else k = n;  // all
  if (spec == "minority" && k == 0 && n > 0) k = 1;  // 1 or 2 nodes: one is the closest
  candidates.resize(k);
  return candidates;
}

std::vector<std::string> planned_nodes(const nlohmann::json& plan) {
  std::vector<std::string> nodes;
  if (plan.is_object() && plan.contains("nodes") && plan["nodes"].is_array())
    for (const auto& n : plan["nodes"]) nodes.push_back(n.get<std::string>());
  return nodes;
}

}  // namespace eclat

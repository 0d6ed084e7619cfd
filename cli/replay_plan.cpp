#include "cli/replay_plan.hpp"

#include <fstream>

#include "core/errors.hpp"
#include "core/json_input.hpp"
#include "generator/combinators.hpp"
#include "generator/fault_package.hpp"
#include "nemesis/fault.hpp"
#include "nemesis/triggers.hpp"

namespace eclat {
namespace fs = std::filesystem;

namespace {

size_t trigger_number(const std::string& source) {  // "trigger 3" -> 3, 0 if none
  if (source.rfind("trigger ", 0) != 0) return 0;
  try {
    size_t used = 0;
    const std::string n = source.substr(8);
    const long v = std::stol(n, &used);
    return used == n.size() && v > 0 ? static_cast<size_t>(v) : 0;
  } catch (...) {
    return 0;
  }
}

}  // namespace

ReplayPlan load_replay_plan(const fs::path& run_dir) {
  std::error_code ec;
  if (!fs::is_directory(run_dir, ec)) throw BadInput(run_dir.string() + ": not a run directory");
  ReplayPlan plan;
  plan.of = fs::canonical(run_dir, ec);
  if (ec) plan.of = fs::absolute(run_dir);
  const fs::path scenario = run_dir / "scenario.json";
  if (!fs::exists(scenario, ec)) throw BadInput(scenario.string() + ": cannot read the file (not a run directory?)");
  const nlohmann::json j = read_json_file(scenario, size_t{1} << 20, 64);
  apply_scenario(plan.cfg, j, scenario.string());
  if (!plan.cfg.seed_given) throw BadInput(scenario.string() + ": no \"seed\": the run cannot be repeated");
  validate_common(plan.cfg);

  const fs::path faults = run_dir / "faults.jsonl";
  plan.faults = read_fault_log(faults);
  int line = 0;
  for (const auto& r : plan.faults) {
    ++line;
    const std::string where = faults.string() + ":" + std::to_string(r.line ? r.line : static_cast<size_t>(line)) + " (" + r.f + ")";
    const std::string fault = gen::split_nemesis_f(r.f).second;
    try {
      make_fault(fault);
    } catch (const BadInput& e) {
      throw BadInput(where + ": " + e.what());
    }
    if (r.source != "nemesis") {
      const size_t n = trigger_number(r.source);
      if (n == 0 || n > plan.cfg.triggers.size())
        throw BadInput(where + ": \"" + r.source + "\" is not a trigger of " + scenario.string());
    }
  }
  return plan;
}

gen::GenPtr replay_schedule(const ReplayPlan& plan) {
  std::vector<gen::Timed> ops;
  for (const auto& r : plan.faults) {
    const auto [action, fault] = gen::split_nemesis_f(r.f);
    if (action == "heal" || !r.error.empty() || !r.note.empty()) continue;
    Op op = gen::nemesis_op(action, fault, action == "start" ? r.value : nlohmann::json());
    if (r.source != "nemesis") op.key = r.source;
    ops.push_back({r.t, std::move(op)});
  }
  return gen::at_times(std::move(ops));
}

std::map<std::string, TestConfig> replay_instance_settings(const TestConfig& cfg, const ReplayPlan& plan) {
  std::map<std::string, TestConfig> out;
  for (const auto& r : plan.faults)
    if (r.source != "nemesis" && !out.count(r.source))
      out.emplace(r.source, TriggerSchedule::settings_of(cfg, trigger_number(r.source)));
  return out;
}

}  // namespace eclat

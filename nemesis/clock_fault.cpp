#include "nemesis/clock_fault.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/errors.hpp"
#include "core/log.hpp"

namespace eclat {

std::map<std::string, double> planned_offsets(const nlohmann::json& plan) {
  std::map<std::string, double> out;
  if (plan.is_object() && plan.contains("offsets_ms") && plan["offsets_ms"].is_object())
    for (const auto& [node, ms] : plan["offsets_ms"].items()) out[node] = ms.get<double>();
  return out;
}

// Every clock fault reads --set clock-targets (else targets).
void ClockFault::validate(const TestConfig& cfg, const System& system) const {
  if (!system.clocks_movable())
    throw BadInput("nemesis " + name_ + ": the clocks of system \"" + cfg.system +
                   "\" cannot be moved (its nodes do not read the time through libc, so libfaketime "
                   "would not reach them)");
  target_spec(cfg, "clock");
}

std::vector<std::string> ClockFault::targets(NemesisContext& ctx) {
  std::vector<std::string> up;
  for (const auto& n : ctx.system.db_nodes())
    if (ctx.system.process(n).running()) up.push_back(n);
  return pick_targets(target_spec(ctx.cfg, "clock"), up, ctx.system, ctx.rng);
}

void ClockFault::set_offset(NemesisContext& ctx, const std::string& node, double offset_ms) {
  const auto& file = ctx.system.process(node).spec().clock_file;
  if (file.empty())
    throw HarnessError("clock fault: node " + node + " does not run under libfaketime (no clock file)");
  const auto tmp = file.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    char line[64];
    std::snprintf(line, sizeof line, "%+.3f\n", offset_ms / 1000.0);
    out << line;
    if (!out) throw HarnessError("clock fault: cannot write " + tmp);
  }
  std::filesystem::rename(tmp, file);
}

nlohmann::json measured_offset_ms(System& system, const std::string& node) {
  if (!system.process(node).running() || system.process(node).paused()) return nullptr;
  const auto before = std::chrono::system_clock::now();
  auto theirs = system.wall_clock(node);
  const auto after = std::chrono::system_clock::now();
  if (!theirs) return nullptr;
  // The node read its clock somewhere inside the round trip: take the middle.
  const auto ours = before + (after - before) / 2;
  return std::chrono::duration<double, std::milli>(*theirs - ours).count();
}

nlohmann::json ClockFault::start(NemesisContext& ctx, const nlohmann::json& plan) {
  nlohmann::json r = plan;
  nlohmann::json measured = nlohmann::json::object();
  for (const auto& [node, ms] : planned_offsets(plan)) {
    set_offset(ctx, node, ms);
    moved_.push_back(node);
    measured[node] = measured_offset_ms(ctx.system, node);
  }
  r["measured_offsets_ms"] = measured;
  r["mechanism"] = "libfaketime";
  return r;
}

nlohmann::json ClockFault::reset(NemesisContext& ctx, const std::vector<std::string>& nodes) {
  nlohmann::json measured = nlohmann::json::object();
  for (const auto& n : nodes) {
    if (ctx.system.process(n).spec().clock_file.empty()) continue;
    set_offset(ctx, n, 0);
    measured[n] = measured_offset_ms(ctx.system, n);
  }
  return {{"reset", nodes}, {"measured_offsets_ms", measured}};
}

nlohmann::json ClockFault::stop(NemesisContext& ctx) {
  auto r = reset(ctx, moved_);
  moved_.clear();
  return r;
}

nlohmann::json ClockFault::heal(NemesisContext& ctx) {
  moved_.clear();
  return reset(ctx, ctx.system.db_nodes());
}

}  // namespace eclat

// The shape shared by the clock faults. Node processes of a run with a clock
// fault run under libfaketime (ProcessSpec::clock_file): the offset written
// to that file applies to the node's wall clock at its next time call
// (CLOCK_MONOTONIC stays real, so timeouts and sleeps are unaffected, as
// with a real NTP step). A fault plans per-node offsets, writes them, and
// reads the node's own clock back where the system reports it
// (System::wall_clock), so the history shows the effect, not only the
// intent. stop() and heal() reset every clock it moved (heal: every node's)
// and check it.
#pragma once
#include <map>
#include <string>

#include "cluster/system.hpp"
#include "nemesis/fault.hpp"
#include "nemesis/targets.hpp"

namespace eclat {

// Every clock fault reads clock-targets (else targets).
inline constexpr TextSetting kClockTargets = fault_targets("clock-targets", "clock faults: overrides targets");

class ClockFault : public Fault {
 public:
  explicit ClockFault(std::string name) : name_(std::move(name)) {}

  void validate(const TestConfig& cfg, const System&) const override;
  nlohmann::json start(NemesisContext& ctx, const nlohmann::json& plan) override;
  nlohmann::json stop(NemesisContext& ctx) override;
  nlohmann::json heal(NemesisContext& ctx) override;

 protected:
  // The storage nodes the spec picks (running ones).
  std::vector<std::string> targets(NemesisContext& ctx);
  // Writes the offset atomically (rename), so a reader never sees half a line.
  static void set_offset(NemesisContext& ctx, const std::string& node, double offset_ms);
  // Reset the nodes to +0 and report the measured offsets.
  nlohmann::json reset(NemesisContext& ctx, const std::vector<std::string>& nodes);

  const std::string name_;
  std::vector<std::string> moved_;
};

// The node's clock minus the control process's, in ms, as the node reports
// it (System::wall_clock; the middle of the round trip taken as ours); null
// when the node is down, paused or cannot tell.
nlohmann::json measured_offset_ms(System& system, const std::string& node);

// Plans {"nodes": [...], "offsets_ms": {node: ms}} from the plan's keys.
std::map<std::string, double> planned_offsets(const nlohmann::json& plan);

}  // namespace eclat

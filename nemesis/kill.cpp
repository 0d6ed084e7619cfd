// kill: kill -9 the target nodes (one, a minority, a majority or all, see
// nemesis/targets.hpp); stop() restarts them and waits until each answers
// its health check again.
#include "nemesis/process_fault.hpp"

namespace eclat {
namespace {

constexpr TextSetting kKillTargets = fault_targets("kill-targets", "kill fault: overrides targets");

class Kill : public ProcessFault {
 public:
  Kill() : ProcessFault("kill") {}

 protected:
  void apply(NemesisContext& ctx, const std::string& node) override { ctx.system.process(node).kill(); }
  nlohmann::json undo(NemesisContext& ctx, const std::string& node) override { return restart(ctx, node); }
  bool needs_undo(NodeProcess& p) override { return !p.running(); }
  void describe(nlohmann::json& r) const override { r["signal"] = "SIGKILL"; }
};

const bool registered = register_fault({.name = "kill",
                                         .doc = "kill -9 the target nodes; restart them when the fault stops and wait for their health check",
                                         .settings = {&kTargets, &kKillTargets, &kReadyTimeout},
                                         .colour = "#9467bd"},
                                        [] { return std::make_unique<Kill>(); });

}  // namespace
}  // namespace eclat

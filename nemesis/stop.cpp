// stop: a graceful stop of the target nodes (SIGTERM, up to 10 s to exit,
// then SIGKILL); stop() of the fault starts them again and waits until each
// answers its health check. Unlike kill, the node may flush and say goodbye.
#include "nemesis/process_fault.hpp"

#include <chrono>

namespace eclat {
namespace {

constexpr TextSetting kStopTargets = fault_targets("stop-targets", "stop fault: overrides targets");

class Stop : public ProcessFault {
 public:
  Stop() : ProcessFault("stop") {}

 protected:
  void apply(NemesisContext& ctx, const std::string& node) override {
    ctx.system.process(node).stop(std::chrono::milliseconds(10000));
  }
  nlohmann::json undo(NemesisContext& ctx, const std::string& node) override { return restart(ctx, node); }
  bool needs_undo(NodeProcess& p) override { return !p.running(); }
  void describe(nlohmann::json& r) const override { r["signal"] = "SIGTERM"; }
};

const bool registered = register_fault({.name = "stop",
                                         .doc = "graceful stop of the target nodes (SIGTERM, 10 s, then SIGKILL); started again when the fault stops",
                                         .settings = {&kTargets, &kStopTargets, &kReadyTimeout},
                                         .colour = "#7f7f7f"},
                                        [] { return std::make_unique<Stop>(); });

}  // namespace
}  // namespace eclat

// pause: SIGSTOP the target nodes (their process groups); stop() sends
// SIGCONT. A paused node keeps its sockets open and answers nothing: clients
// and peers see timeouts, not refused connections.
#include "nemesis/process_fault.hpp"

namespace eclat {
namespace {

constexpr TextSetting kPauseTargets = fault_targets("pause-targets", "pause fault: overrides targets");

class Pause : public ProcessFault {
 public:
  Pause() : ProcessFault("pause") {}

 protected:
  void apply(NemesisContext& ctx, const std::string& node) override { ctx.system.process(node).pause(); }
  nlohmann::json undo(NemesisContext& ctx, const std::string& node) override {
    ctx.system.process(node).resume();
    return {{"node", node}, {"signal", "SIGCONT"}};
  }
  bool needs_undo(NodeProcess& p) override { return p.paused(); }
  void describe(nlohmann::json& r) const override { r["signal"] = "SIGSTOP"; }
};

const bool registered = register_fault({.name = "pause",
                                         .doc = "SIGSTOP the target nodes; SIGCONT when the fault stops (timeouts, not refusals)",
                                         .settings = {&kTargets, &kPauseTargets, &kReadyTimeout},
                                         .colour = "#8c564b"},
                                        [] { return std::make_unique<Pause>(); });

}  // namespace
}  // namespace eclat

// kill-primary: kill -9 the current leader (System::primary(), etcd's
// leader); stop() restarts it and waits until it answers again. The same as
// `kill` with --set kill-targets=primary, under its own name so that one run
// can kill random members and leaders on their own schedules.
#include "core/errors.hpp"
#include "nemesis/process_fault.hpp"

namespace eclat {
namespace {

class KillPrimary : public ProcessFault {
 public:
  KillPrimary() : ProcessFault("kill-primary") {}

  void validate(const TestConfig& cfg, const System& system) const override {
    if (!system.has_primary())
      throw BadInput("fault kill-primary: the " + cfg.system + " system has no leader to kill");
  }

  nlohmann::json plan(NemesisContext& ctx) override {
    std::vector<std::string> up;
    for (const auto& n : ctx.system.db_nodes())
      if (ctx.system.process(n).running() && !ctx.system.process(n).paused()) up.push_back(n);
    return {{"nodes", pick_targets("primary", up, ctx.system, ctx.rng)}, {"targets", "primary"}};
  }

 protected:
  void apply(NemesisContext& ctx, const std::string& node) override { ctx.system.process(node).kill(); }
  nlohmann::json undo(NemesisContext& ctx, const std::string& node) override { return restart(ctx, node); }
  bool needs_undo(NodeProcess& p) override { return !p.running(); }
  void describe(nlohmann::json& r) const override { r["signal"] = "SIGKILL"; }
};

const bool registered = register_fault({.name = "kill-primary",
                                         .doc = "kill -9 the current leader; restart it when the fault stops",
                                         .settings = {&kReadyTimeout},
                                         .colour = "#6a51a3"},
                                        [] { return std::make_unique<KillPrimary>(); });

}  // namespace
}  // namespace eclat

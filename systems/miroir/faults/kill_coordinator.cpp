// kill-coordinator: kill -9 the orchestrator that coordinates migrations;
// stop() restarts it and waits until it answers (it resumes its migrations
// from their persisted phase). heal() restarts it if it is down.
#include <chrono>

#include "core/log.hpp"
#include "systems/miroir/hooks.hpp"

namespace eclat {
namespace {

class KillCoordinator : public Fault {
 public:
  void validate(const TestConfig& cfg, const System& system) const override {
    require_miroir("nemesis kill-coordinator", cfg, system);
  }

  nlohmann::json start(NemesisContext& ctx, const nlohmann::json&) override {
    const std::string o = miroir_hooks(ctx).coordinator();
    NodeProcess& p = ctx.system.process(o);
    if (!p.running()) return {{"nodes", nlohmann::json::array()}, {"note", o + " is not running"}};
    p.kill();
    return {{"nodes", {o}}, {"signal", "SIGKILL"}};
  }

  nlohmann::json stop(NemesisContext& ctx) override { return heal(ctx); }

  nlohmann::json heal(NemesisContext& ctx) override {
    const std::string o = miroir_hooks(ctx).coordinator();
    NodeProcess& p = ctx.system.process(o);
    nlohmann::json r = {{"node", o}};
    if (p.running()) {
      r["note"] = "running";
      return r;
    }
    try {
      p.restart();
      ctx.system.wait_ready(o, ms_of(kReadyTimeout, ctx.cfg));
      r["restarted"] = true;
    } catch (const std::exception& e) {
      ECLAT_LOG(error, "nemesis") << "restart of " << o << " failed: " << e.what();
      r["restarted"] = false;
      r["error"] = e.what();
    }
    return r;
  }
};

const bool registered = register_fault({.name = "kill-coordinator",
                                         .doc = "kill -9 the orchestrator coordinating migrations; restart it when the fault stops",
                                         .settings = {&kReadyTimeout},
                                         .colour = "#5b3a8c"},
                                        [] { return std::make_unique<KillCoordinator>(); });

}  // namespace
}  // namespace eclat

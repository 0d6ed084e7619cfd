// drain-stall: every migration drain that starts while the fault is on first
// stalls --set drain-stall=S seconds (default 40, longer than the default
// 30 s drain deadline), as if a dual-write were never decided. The
// coordinator's decision at its deadline is the point of the fault.
#include <chrono>

#include "core/log.hpp"
#include "systems/miroir/hooks.hpp"

namespace eclat {
namespace {

constexpr NumberSetting kDrainStall{"drain-stall", 40, 0.001, 3600, "drain-stall fault: seconds every drain stalls"};

std::chrono::milliseconds stall_of(const TestConfig& cfg) {
  return std::chrono::milliseconds(static_cast<int64_t>(kDrainStall(cfg.settings) * 1000));
}

class DrainStall : public Fault {
 public:
  void validate(const TestConfig& cfg, const System& system) const override {
    require_miroir("nemesis drain-stall", cfg, system);
    stall_of(cfg);
  }

  nlohmann::json start(NemesisContext& ctx, const nlohmann::json&) override {
    const auto stall = stall_of(ctx.cfg);
    miroir_hooks(ctx).set_drain_stall(stall);
    return {{"stall_s", stall.count() / 1000.0}, {"coordinator", miroir_hooks(ctx).coordinator()}};
  }

  nlohmann::json stop(NemesisContext& ctx) override { return heal(ctx); }

  // The stall is in the coordinator's memory: a restarted one has none.
  nlohmann::json heal(NemesisContext& ctx) override {
    try {
      miroir_hooks(ctx).set_drain_stall(std::chrono::milliseconds(0));
      return {{"cleared", true}};
    } catch (const std::exception& e) {
      ECLAT_LOG(warn, "nemesis") << "clearing drain-stall: " << e.what();
      return {{"cleared", false}, {"error", e.what()}};
    }
  }
};

const bool registered = register_fault({.name = "drain-stall",
                                         .doc = "every migration drain starting meanwhile stalls drain-stall seconds (past the drain deadline)",
                                         .settings = {&kDrainStall},
                                         .colour = "#a0522d"},
                                        [] { return std::make_unique<DrainStall>(); });

}  // namespace
}  // namespace eclat

// clock-bump: Jepsen's bump: the target nodes' wall clocks jump by one random
// delta of up to ±clock-bump-ms (default 262144 ms, Jepsen's 2^18), the same
// jump for every target; stop() sets them back.
#include "nemesis/clock_fault.hpp"

namespace eclat {
namespace {

constexpr NumberSetting kBumpMs{"clock-bump-ms", 262144, 1, 1e10,
                            "clock-bump fault: the jump is drawn in plus or minus this many ms"};

class ClockBump : public ClockFault {
 public:
  ClockBump() : ClockFault("clock-bump") {}

  void validate(const TestConfig& cfg, const System& s) const override {
    ClockFault::validate(cfg, s);
    kBumpMs(cfg.settings);
  }

  nlohmann::json plan(NemesisContext& ctx) override {
    const double max = kBumpMs(ctx.cfg.settings);
    const double delta = std::uniform_real_distribution<double>(-max, max)(ctx.rng);
    nlohmann::json offsets = nlohmann::json::object();
    for (const auto& n : targets(ctx)) offsets[n] = delta;
    return {{"offsets_ms", offsets}};
  }
};

const bool registered = register_fault({.name = "clock-bump",
                                         .doc = "the target nodes' wall clocks jump by one random delta within plus or minus clock-bump-ms",
                                         .settings = {&kBumpMs, &kTargets, &kClockTargets},
                                         .colour = "#d62728",
                                         .moves_clocks = true},
                                        [] { return std::make_unique<ClockBump>(); });

}  // namespace
}  // namespace eclat

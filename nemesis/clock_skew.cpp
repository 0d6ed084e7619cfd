// clock-skew: the target nodes disagree about the time, as nodes whose NTP
// drifted do: each gets its own offset, drawn in ±clock-skew-ms (default
// 5000), held for the fault's duration; stop() resets them.
#include "nemesis/clock_fault.hpp"

namespace eclat {
namespace {

constexpr NumberSetting kSkewMs{"clock-skew-ms", 5000, 1, 1e10,
                            "clock-skew fault: each node's offset is drawn in plus or minus this many ms"};

class ClockSkew : public ClockFault {
 public:
  ClockSkew() : ClockFault("clock-skew") {}

  void validate(const TestConfig& cfg, const System& s) const override {
    ClockFault::validate(cfg, s);
    kSkewMs(cfg.settings);
  }

  nlohmann::json plan(NemesisContext& ctx) override {
    const double max = kSkewMs(ctx.cfg.settings);
    std::uniform_real_distribution<double> d(-max, max);
    nlohmann::json offsets = nlohmann::json::object();
    for (const auto& n : targets(ctx)) offsets[n] = d(ctx.rng);
    return {{"offsets_ms", offsets}};
  }
};

const bool registered = register_fault({.name = "clock-skew",
                                         .doc = "each target node gets its own clock offset within plus or minus clock-skew-ms",
                                         .settings = {&kSkewMs, &kTargets, &kClockTargets},
                                         .colour = "#ef3b2c",
                                         .moves_clocks = true},
                                        [] { return std::make_unique<ClockSkew>(); });

}  // namespace
}  // namespace eclat

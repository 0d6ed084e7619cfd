// clock-skew: the target nodes disagree about the time, as nodes whose NTP
// drifted do: each gets its own offset, drawn in ±clock-skew-ms (default
// 5000), held for the fault's duration; stop() resets them.
#include "nemesis/clock_fault.hpp"

namespace eclat {
namespace {

class ClockSkew : public ClockFault {
 public:
  ClockSkew() : ClockFault("clock-skew") {}

  void validate(const TestConfig& cfg, const System& s) const override {
    ClockFault::validate(cfg, s);
    cfg.settings.get_double("clock-skew-ms", 5000, 1, 1e10);
  }

  nlohmann::json plan(NemesisContext& ctx) override {
    const double max = ctx.cfg.settings.get_double("clock-skew-ms", 5000, 1, 1e10);
    std::uniform_real_distribution<double> d(-max, max);
    nlohmann::json offsets = nlohmann::json::object();
    for (const auto& n : targets(ctx)) offsets[n] = d(ctx.rng);
    return {{"offsets_ms", offsets}};
  }
};

const bool registered = register_fault("clock-skew", [] { return std::make_unique<ClockSkew>(); });

}  // namespace
}  // namespace eclat

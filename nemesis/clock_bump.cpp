// clock-bump: Jepsen's bump: the target nodes' wall clocks jump by one random
// delta of up to ±clock-bump-ms (default 262144 ms, Jepsen's 2^18), the same
// jump for every target; stop() sets them back.
#include "nemesis/clock_fault.hpp"

namespace eclat {
namespace {

class ClockBump : public ClockFault {
 public:
  ClockBump() : ClockFault("clock-bump") {}

  void validate(const TestConfig& cfg, const System& s) const override {
    ClockFault::validate(cfg, s);
    cfg.settings.get_double("clock-bump-ms", 262144, 1, 1e10);
  }

  nlohmann::json plan(NemesisContext& ctx) override {
    const double max = ctx.cfg.settings.get_double("clock-bump-ms", 262144, 1, 1e10);
    const double delta = std::uniform_real_distribution<double>(-max, max)(ctx.rng);
    nlohmann::json offsets = nlohmann::json::object();
    for (const auto& n : targets(ctx)) offsets[n] = delta;
    return {{"offsets_ms", offsets}};
  }
};

const bool registered = register_fault("clock-bump", [] { return std::make_unique<ClockBump>(); });

}  // namespace
}  // namespace eclat

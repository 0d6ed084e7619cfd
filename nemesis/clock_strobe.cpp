// clock-strobe: Jepsen's strobe: while the fault is on, the target nodes'
// clocks flip between their true time and a delta (±clock-strobe-ms, default
// 2000) every clock-strobe-period-ms (default 10 ms), so time goes back and
// forth many times; stop() ends the strobe and resets them. Runs its own
// thread; the plan holds the delta per node.
#include <atomic>
#include <chrono>
#include <thread>

#include "core/log.hpp"
#include "nemesis/clock_fault.hpp"

namespace eclat {
namespace {

constexpr NumberSetting kStrobeMs{"clock-strobe-ms", 2000, 1, 1e10,
                              "clock-strobe fault: the flipped offset is drawn in plus or minus this many ms"};
constexpr NumberSetting kStrobePeriodMs{"clock-strobe-period-ms", 10, 1, 60000, "clock-strobe fault: ms between two flips"};

class ClockStrobe : public ClockFault {
 public:
  ClockStrobe() : ClockFault("clock-strobe") {}
  ~ClockStrobe() override { end_strobe(); }

  void validate(const TestConfig& cfg, const System& s) const override {
    ClockFault::validate(cfg, s);
    kStrobeMs(cfg.settings);
    kStrobePeriodMs(cfg.settings);
  }

  nlohmann::json plan(NemesisContext& ctx) override {
    const double max = kStrobeMs(ctx.cfg.settings);
    std::uniform_real_distribution<double> d(-max, max);
    nlohmann::json offsets = nlohmann::json::object();
    for (const auto& n : targets(ctx)) offsets[n] = d(ctx.rng);
    return {{"offsets_ms", offsets},
            {"period_ms", kStrobePeriodMs(ctx.cfg.settings)}};
  }

  nlohmann::json start(NemesisContext& ctx, const nlohmann::json& plan) override {
    end_strobe();
    nlohmann::json r = ClockFault::start(ctx, plan);  // first flip: the offsets
    const auto offsets = planned_offsets(plan);
    const double period = plan.value("period_ms", 10.0);
    running_ = true;
    // A copy of the context: a trigger's context does not outlive start().
    strober_ = std::thread([this, c = ctx, offsets, period]() mutable {
      bool shifted = true;
      while (running_.load()) {
        std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(period));
        shifted = !shifted;
        try {
          for (const auto& [node, ms] : offsets) set_offset(c, node, shifted ? ms : 0);
          ++flips_;
        } catch (const std::exception& e) {
          ECLAT_LOG(warn, "nemesis") << "clock-strobe: " << e.what();
        }
      }
    });
    return r;
  }

  nlohmann::json stop(NemesisContext& ctx) override {
    const int64_t flips = end_strobe();
    auto r = ClockFault::stop(ctx);
    r["flips"] = flips;
    return r;
  }

  nlohmann::json heal(NemesisContext& ctx) override {
    end_strobe();
    return ClockFault::heal(ctx);
  }

 private:
  int64_t end_strobe() {
    running_ = false;
    if (strober_.joinable()) strober_.join();
    return flips_.exchange(0);
  }

  std::atomic<bool> running_{false};
  std::atomic<int64_t> flips_{0};
  std::thread strober_;
};

const bool registered = register_fault({.name = "clock-strobe",
                                         .doc = "the target nodes' clocks flip between the true time and an offset every clock-strobe-period-ms",
                                         .settings = {&kStrobeMs, &kStrobePeriodMs, &kTargets, &kClockTargets},
                                         .colour = "#a50f15",
                                         .moves_clocks = true},
                                        [] { return std::make_unique<ClockStrobe>(); });

}  // namespace
}  // namespace eclat

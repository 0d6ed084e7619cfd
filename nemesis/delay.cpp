// delay: what the target nodes send into the lab arrives delay-ms later
// (default 100), ± delay-jitter-ms (default 10, uniform). netem where the
// kernel has it, else an NFQUEUE reader (cluster/packet_delay.hpp).
#include "nemesis/packet_fault.hpp"

namespace eclat {
namespace {

constexpr NumberSetting kDelayMs{"delay-ms", 100, 0.1, 60000, "delay fault: ms added to what the target nodes send"};
constexpr NumberSetting kDelayJitterMs{"delay-jitter-ms", 10, 0, 60000, "delay fault: plus or minus this many ms, uniform"};
constexpr TextSetting kDelayTargets = fault_targets("delay-targets", "delay fault: overrides targets");
constexpr TextSetting kDelayTo = fault_links("delay-to", "delay fault: only the links to these hosts (comma-separated, e.g. n2,o1)");

class Delay : public QueuedPacketFault {
 public:
  Delay() : QueuedPacketFault("delay", 1) {}

 protected:
  NetemParams params(const TestConfig& cfg) const override {
    NetemParams p;
    p.delay_ms = kDelayMs(cfg.settings);
    p.jitter_ms = kDelayJitterMs(cfg.settings);
    return p;
  }
};

const bool registered = register_fault({.name = "delay",
                                         .doc = "what the target nodes send arrives delay-ms later, plus or minus delay-jitter-ms",
                                         .settings = {&kDelayMs, &kDelayJitterMs, &kTargets, &kDelayTargets, &kDelayTo},
                                         .colour = "#1f77b4"},
                                        [] { return std::make_unique<Delay>(); });

}  // namespace
}  // namespace eclat

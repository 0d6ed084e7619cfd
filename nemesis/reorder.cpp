// reorder: each packet the target nodes send into the lab is held a random
// time in [0, reorder-ms] (default 20, uniform), so packets sent close
// together overtake each other. netem (delay with jitter) where the kernel
// has it, else an NFQUEUE reader (cluster/packet_delay.hpp).
#include "nemesis/packet_fault.hpp"

namespace eclat {
namespace {

constexpr NumberSetting kReorderMs{"reorder-ms", 20, 0.1, 60000, "reorder fault: each packet is held a random time up to this many ms"};
constexpr TextSetting kReorderTargets = fault_targets("reorder-targets", "reorder fault: overrides targets");
constexpr TextSetting kReorderTo = fault_links("reorder-to", "reorder fault: only the links to these hosts (comma-separated, e.g. n2,o1)");

class Reorder : public QueuedPacketFault {
 public:
  Reorder() : QueuedPacketFault("reorder", 2) {}

 protected:
  NetemParams params(const TestConfig& cfg) const override {
    NetemParams p;
    const double window = kReorderMs(cfg.settings);
    p.delay_ms = window / 2;
    p.jitter_ms = window / 2;
    return p;
  }
};

const bool registered = register_fault({.name = "reorder",
                                         .doc = "each packet the target nodes send is held a random time up to reorder-ms: packets overtake each other",
                                         .settings = {&kReorderMs, &kTargets, &kReorderTargets, &kReorderTo},
                                         .colour = "#6baed6"},
                                        [] { return std::make_unique<Reorder>(); });

}  // namespace
}  // namespace eclat
